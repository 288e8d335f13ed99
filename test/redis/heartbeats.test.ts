/**
 * Heartbeat details on Redis: stored in a hash under the run's hash tag, through the payload codec,
 * forgotten when the step succeeds, deleted when the run ends. Real Redis, real BullMQ worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityContext } from '../../src/activities/types.js';
import { loadDefinition } from '../../src/definition/load.js';
import { codecFromEnv, generateCodecKey } from '../../src/codec/payload-codec.js';
import { createRedisEngine, startWorker, type RedisEngine, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { KeyLayout } from '../../src/runtime/redis/keys.js';
import { waitForHistory } from '../conformance/harness.js';
import { deletePrefix, rawClient, TEST_REDIS_URL, uniquePrefix } from './helpers.js';
import { waitFor } from './wait-for.js';

const SECRET = 'HB-SECRET-5a1f-row-4711';
const prefix = uniquePrefix('fltest-heartbeats');
const keys = new KeyLayout(prefix);
const client = rawClient();
const codec = codecFromEnv({ FLOWLINE_CODEC_KEYS: generateCodecKey('hb1') })!;
const seen: Array<{ stepId: string; attempt: number; lastHeartbeat: unknown; idempotencyKey: string }> = [];
let engine: RedisEngine;
let worker: WorkerHandle;

function hangUntilAborted(ctx: ActivityContext): Promise<never> {
  return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
}

beforeAll(async () => {
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix, codec });
  worker = await startWorker({
    url: TEST_REDIS_URL,
    prefix,
    codec,
    maintenanceIntervalMs: 0,
    activities: {
      'rows.import': (_input: unknown, ctx) => {
        seen.push({ stepId: ctx.stepId, attempt: ctx.attempt, lastHeartbeat: ctx.lastHeartbeat, idempotencyKey: ctx.idempotencyKey });
        ctx.heartbeat({ secret: SECRET, attempt: ctx.attempt });
        // `resume` succeeds on its second attempt; `stuck` never does.
        if (ctx.stepId === 'resume' && ctx.attempt === 2) return 'done';
        return hangUntilAborted(ctx);
      },
    },
  });
  await engine.deploy(
    loadDefinition(`
dsl: flowline/v1
name: hb-stuck
version: 1
steps:
  - id: stuck
    call: rows.import
    heartbeatTimeout: 200ms
    retry: { maxAttempts: 2, initialInterval: 1s }
`),
  );
  await engine.deploy(
    loadDefinition(`
dsl: flowline/v1
name: hb-resume
version: 1
signals: { finish: {} }
steps:
  - id: resume
    call: rows.import
    heartbeatTimeout: 200ms
    retry: { maxAttempts: 2, initialInterval: 10ms }
  - waitSignal: finish
`),
  );
});

afterAll(async () => {
  await worker?.close({ force: true });
  await engine?.close();
  await deletePrefix(client, prefix);
  client.disconnect();
});

describe('heartbeat details on Redis', () => {
  it('are kept encrypted in a hash of the run (same hash tag) until the run ends, then deleted', async () => {
    const { runId } = await engine.start('hb-stuck', { id: `stuck-${prefix}` });
    const heartbeatsKey = keys.run(runId).heartbeats;
    expect(heartbeatsKey.startsWith(keys.run(runId).run)).toBe(true);
    expect(heartbeatsKey).toContain(`{${runId}}`);
    // Between the failed first attempt and its retry (1 s later), the details are in Redis.
    await waitForHistory(engine, runId, (entry) => entry.type === 'StepRetried', 'the retry of the first attempt');
    const stored = await client.hgetall(heartbeatsKey);
    expect(Object.keys(stored)).toEqual([seen.find((s) => s.stepId === 'stuck')?.idempotencyKey]);
    const text = Object.values(stored)[0] ?? '';
    expect(text).not.toContain(SECRET);
    expect(codec.decode(JSON.parse(text))).toEqual({ secret: SECRET, attempt: 1 });
    expect(await client.pttl(heartbeatsKey)).toBeGreaterThan(0);

    const result = await engine.result(runId, { wait: true, timeoutMs: 20_000 });
    expect(result).toMatchObject({ status: 'failed', error: { type: 'HeartbeatTimeout', step: 'stuck' } });
    expect(seen.filter((s) => s.stepId === 'stuck').map((s) => s.lastHeartbeat)).toEqual([undefined, { secret: SECRET, attempt: 1 }]);
    expect(await client.exists(heartbeatsKey)).toBe(0);
  });

  it('are forgotten as soon as the step succeeds, while the run goes on', async () => {
    const { runId } = await engine.start('hb-resume', { id: `resume-${prefix}` });
    await waitForHistory(engine, runId, (entry) => entry.type === 'StepCompleted' && entry.stepId === 'resume', 'the resumed step');
    expect(seen.filter((s) => s.stepId === 'resume').map((s) => s.lastHeartbeat)).toEqual([undefined, { secret: SECRET, attempt: 1 }]);
    await waitFor(async () => (await client.exists(keys.run(runId).heartbeats)) === 0, 'the step details are removed');
    expect((await engine.describe(runId)).status).toBe('running');
  });
});
