/** Queries on Redis are evaluated within the engine's expression limits, as on the embedded runtime. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import { createRedisEngine, type RedisEngine } from '../../src/runtime/redis/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix();
let raw: Redis;
let engine: RedisEngine;

// An endless non-tail recursion: with the default depth bound (500) it fails on depth
// (ExpressionError); with the engine's depth bound raised it can only be stopped by the timeout.
const RUNAWAY = loadDefinition(
  [
    'dsl: flowline/v1',
    'name: runaway-query',
    'version: 1',
    'signals: { go: {} }',
    'queries:',
    "  forever: '${ ($f := function($n) { $n < 0 ? 0 : $f($n + 1) + 0 }; $f(0)) }'",
    '  fine: ${ $workflow.name }',
    'steps:',
    '  - waitSignal: go',
    '',
  ].join('\n'),
  { file: 'query-limits.yaml' },
);

beforeAll(async () => {
  raw = rawClient();
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix, limits: { expression: { timeoutMs: 50, maxDepth: 1_000_000 } } });
  await engine.deploy(RUNAWAY);
});

afterAll(async () => {
  await engine.close();
  await deletePrefix(raw, prefix);
  await raw.quit();
});

describe('queries on Redis', () => {
  it('stop a runaway query with ExpressionTimeout under the limits the engine was given', async () => {
    const { runId } = await engine.start('runaway-query');
    expect(await engine.query(runId, 'fine')).toBe('runaway-query');
    await expect(engine.query(runId, 'forever')).rejects.toMatchObject({ type: 'ExpressionTimeout' });
    await engine.terminate(runId, 'done testing');
  });
});
