/** Schedules on BullMQ job schedulers against a real Redis: interval runs, overlap skip vs allow, list and delete. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import { createRedisEngine, startWorker, type RedisEngine, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';
import { waitFor } from './wait-for.js';

const prefix = uniquePrefix('fltest-sched');
let raw: Redis;
let engine: RedisEngine;
let worker: WorkerHandle;

const TICK = loadDefinition(
  `dsl: flowline/v1
name: tick
version: 1
signals: { stop: {} }
steps:
  - if: \${ $input.hold }
    waitSignal: stop
output: \${ $input.n }
`,
  { file: 'tick.yaml' },
);


beforeAll(async () => {
  raw = rawClient();
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  await engine.deploy(TICK);
  worker = await startWorker({ url: TEST_REDIS_URL, prefix, activities: {}, maintenanceIntervalMs: 0 });
});

afterAll(async () => {
  await worker.close({ force: true });
  await engine.close();
  await deletePrefix(raw, prefix);
  await raw.quit();
});

describe('schedules', () => {
  it('refuses a schedule without exactly one of cron/every, or for an unknown workflow', async () => {
    await expect(engine.schedules.create({ id: 's0', workflow: 'tick' })).rejects.toMatchObject({ type: 'InputInvalid' });
    await expect(engine.schedules.create({ id: 's0', workflow: 'tick', cron: '* * * * *', every: 1000 })).rejects.toMatchObject({ type: 'InputInvalid' });
    await expect(engine.schedules.create({ id: 's0', workflow: 'nope', every: 1000 })).rejects.toMatchObject({ type: 'DefinitionNotFound' });
    await expect(engine.schedules.create({ id: 's0', workflow: 'tick', cron: 'not a cron' })).rejects.toMatchObject({ type: 'InputInvalid' });
  });

  it('starts runs on an interval; with overlap skip no second run starts while the first is running', async () => {
    const info = await engine.schedules.create({ id: 'held', workflow: 'tick', every: 1000, input: { hold: true, n: 1 } });
    expect(info).toMatchObject({ id: 'held', workflow: 'tick', every: 1000, overlap: 'skip' });
    await waitFor(async () => (await engine.list({ name: 'tick' })).length >= 1, 'the first scheduled run starts');
    const first = (await engine.list({ name: 'tick' }))[0];
    // Let the scheduler fire at least twice more while the first run is still waiting.
    const fired = async () => Number(await raw.hget(`${prefix}:schedules:repeat:held`, 'ic'));
    const seen = await fired();
    await waitFor(async () => (await fired()) >= seen + 2, 'the scheduler fires twice more');
    expect((await engine.list({ name: 'tick' })).map((r) => r.runId)).toEqual([first.runId]);
    expect((await engine.schedules.list()).map((s) => s.id)).toContain('held');
    expect(await engine.schedules.delete('held')).toBe(true);
    expect(await engine.schedules.delete('held')).toBe(false);
    await engine.signal(first.runId, 'stop');
    expect((await engine.result(first.runId, { wait: true, timeoutMs: 10_000 })).status).toBe('completed');
  });

  it('with overlap allow, starts a run at every tick', async () => {
    await engine.schedules.create({ id: 'many', workflow: 'tick', every: 1000, overlap: 'allow', input: { hold: true, n: 2 } });
    await waitFor(
      async () => (await engine.list({ name: 'tick', status: 'running' })).filter((r) => r.runId.startsWith('many-')).length >= 2,
      'two overlapping runs are running',
    );
    await engine.schedules.delete('many');
    for (const run of await engine.list({ name: 'tick', status: 'running' })) await engine.terminate(run.runId);
  });
});
