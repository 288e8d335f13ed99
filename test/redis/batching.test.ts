/**
 * Events for one run that arrive together are applied as one transition (one commit) on Redis,
 * each caller still learning about its own events: accepted, ignored, or refused with its error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import { createRedisEngine, type RedisEngine } from '../../src/runtime/redis/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('fltest-batch');
let raw: Redis;
let engine: RedisEngine;

const COLLECT = loadDefinition(
  `
dsl: flowline/v1
name: collect
version: 1
signals:
  item: { schema: { type: object, required: [n], properties: { n: { type: integer } } } }
steps:
  - set: { items: [] }
  - repeat:
      steps:
        - waitSignal: item
          assign: { items: '\${ $append($vars.items, $output.n) }' }
      until: \${ $count($vars.items) >= $input.expect }
output: \${ $vars.items }
`,
  { file: 'collect.yaml' },
);

beforeAll(async () => {
  raw = rawClient();
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  await engine.deploy(COLLECT);
});

afterAll(async () => {
  await engine.close();
  await deletePrefix(raw, prefix);
  raw.disconnect();
});

describe('events arriving together', () => {
  it('are committed as one transition, in call order, and a refused one fails alone', async () => {
    const { runId } = await engine.start('collect', { input: { expect: 4 } });
    let commits = 0;
    const commit = engine.runtime.store.commit.bind(engine.runtime.store);
    engine.runtime.store.commit = async (id, input) => {
      commits++;
      return commit(id, input);
    };
    const outcomes = await Promise.allSettled([
      engine.signal(runId, 'item', { n: 1 }),
      engine.signal(runId, 'item', { n: 2 }),
      engine.signal(runId, 'item', { n: 'not a number' }),
      engine.signal(runId, 'item', { n: 3 }),
      engine.signal(runId, 'item', { n: 4 }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ type: 'SignalPayloadInvalid' });
    expect(commits).toBe(1);
    expect(await engine.result(runId)).toMatchObject({ status: 'completed', output: [1, 2, 3, 4] });
    const history = await engine.history(runId);
    expect(history.filter((e) => e.type === 'SignalReceived')).toHaveLength(4);
    expect(history.map((e) => e.index)).toEqual(history.map((_e, i) => i));
  });

  it('tell a caller whose event came after the run ended that the run is no longer active', async () => {
    const { runId } = await engine.start('collect', { input: { expect: 1 } });
    const outcomes = await Promise.allSettled([engine.signal(runId, 'item', { n: 1 }), engine.signal(runId, 'item', { n: 2 })]);
    expect(outcomes[0].status).toBe('fulfilled');
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { type: 'RunNotActive' } });
    expect(await engine.result(runId)).toMatchObject({ status: 'completed', output: [1] });
  });
});
