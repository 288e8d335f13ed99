/**
 * Redis-specific behaviour of the engine, against a real Redis with an in-process worker:
 * concurrent signals from two engines, signal ids, refusals that store nothing, payload limits,
 * definition pinning, list indexes and expiry, retention, and the repairs (outbox re-dispatch,
 * timer re-arm) a worker makes at start-up.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import type { WorkflowDefinition } from '../../src/definition/types.js';
import type { ActivityMap } from '../../src/activities/types.js';
import { createRedisEngine, startWorker, type RedisEngine, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { jobId } from '../../src/runtime/redis/keys.js';
import { maintain } from '../../src/runtime/redis/maintenance.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix();
let raw: Redis;
let engine: RedisEngine;
const workers: WorkerHandle[] = [];
const extraEngines: RedisEngine[] = [];
const extraPrefixes: string[] = [];

const activities: ActivityMap = {
  'echo.run': (input: unknown) => input,
};

async function worker(options: { activities?: ActivityMap } = {}): Promise<WorkerHandle> {
  const handle = await startWorker({ url: TEST_REDIS_URL, prefix, activities: options.activities ?? activities, maintenanceIntervalMs: 0 });
  workers.push(handle);
  return handle;
}

function flow(yaml: string): WorkflowDefinition {
  return loadDefinition(yaml.replace(/^ {4}/gm, ''), { file: 'engine-test.yaml' });
}

const COLLECT = flow(`
    dsl: flowline/v1
    name: collect
    version: 1
    signals:
      item: { schema: { type: object, required: [n], properties: { n: { type: integer } } } }
    queries:
      count: \${ $count($vars.items) }
    steps:
      - set: { items: [] }
      - repeat:
          steps:
            - id: got
              waitSignal: item
              assign: { items: '\${ $append($vars.items, $output.n) }' }
          until: \${ $count($vars.items) >= $input.expect }
    output: \${ $vars.items }
`);

const ECHO_V1 = flow(`
    dsl: flowline/v1
    name: echo
    version: 1
    steps:
      - id: e
        call: echo.run
        with: { v: 1 }
    output: \${ $steps.e.v }
`);

const ECHO_V2 = flow(`
    dsl: flowline/v1
    name: echo
    version: 2
    steps:
      - id: e
        call: echo.run
        with: { v: 2 }
    output: \${ $steps.e.v }
`);

const SLEEPY = flow(`
    dsl: flowline/v1
    name: sleepy
    version: 1
    steps:
      - wait: 200ms
      - id: e
        call: echo.run
        with: { done: true }
    output: \${ $steps.e.done }
`);

beforeAll(async () => {
  raw = rawClient();
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix, limits: { payloadBytes: 4096, retentionMs: 60_000 } });
  for (const definition of [COLLECT, ECHO_V1, SLEEPY]) await engine.deploy(definition);
});

afterEach(async () => {
  for (const handle of workers.splice(0)) await handle.close({ force: true });
});

afterAll(async () => {
  for (const e of extraEngines) await e.close();
  await engine.close();
  for (const p of [prefix, ...extraPrefixes]) await deletePrefix(raw, p);
  await raw.quit();
});

describe('signals on Redis', () => {
  it('100 concurrent signals from two engines all land, in one order that the run consumes', async () => {
    await worker();
    const other = createRedisEngine({ url: TEST_REDIS_URL, prefix });
    extraEngines.push(other);
    const { runId } = await engine.start('collect', { input: { expect: 100 } });
    await Promise.all(
      Array.from({ length: 100 }, (_, n) => (n % 2 === 0 ? engine : other).signal(runId, 'item', { n })),
    );
    const result = await engine.result(runId, { wait: true, timeoutMs: 20_000 });
    expect(result.status).toBe('completed');
    const consumed = result.output as number[];
    expect([...consumed].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    // Order of acceptance (history) is the order of consumption.
    const received = (await engine.history(runId))
      .filter((e) => e.type === 'SignalReceived')
      .map((e) => ((e.event as { data: { n: number } }).data.n));
    expect(received).toEqual(consumed);
  });

  it('applies a signal re-sent with the same id once', async () => {
    const { runId } = await engine.start('collect', { input: { expect: 2 } });
    await engine.signal(runId, 'item', { n: 1 }, { signalId: 'a' });
    await engine.signal(runId, 'item', { n: 1 }, { signalId: 'a' });
    await engine.signal(runId, 'item', { n: 2 }, { signalId: 'b' });
    expect(await engine.query(runId, 'count')).toBe(2);
    expect(await engine.result(runId)).toMatchObject({ status: 'completed', output: [1, 2] });
  });

  it('refuses unknown runs, oversized payloads and finished runs, storing nothing', async () => {
    await expect(engine.signal('no-such-run', 'item', { n: 1 })).rejects.toMatchObject({ type: 'RunNotFound' });
    await expect(engine.describe('no-such-run')).rejects.toMatchObject({ type: 'RunNotFound' });
    await expect(engine.history('no-such-run')).rejects.toMatchObject({ type: 'RunNotFound' });
    await expect(engine.result('no-such-run', { wait: true })).rejects.toMatchObject({ type: 'RunNotFound' });

    const { runId } = await engine.start('collect', { input: { expect: 1 } });
    const before = await engine.history(runId);
    await expect(engine.signal(runId, 'item', { n: 1, pad: 'x'.repeat(5000) })).rejects.toMatchObject({ type: 'PayloadTooLarge' });
    await expect(engine.start('collect', { input: { expect: 1, pad: 'x'.repeat(5000) } })).rejects.toMatchObject({ type: 'PayloadTooLarge' });
    expect(await engine.history(runId)).toEqual(before);

    await engine.signal(runId, 'item', { n: 7 });
    expect((await engine.result(runId)).status).toBe('completed');
    await expect(engine.signal(runId, 'item', { n: 8 })).rejects.toMatchObject({ type: 'RunNotActive' });
  });

  it('queries read the stored state and never change it', async () => {
    const { runId } = await engine.start('collect', { input: { expect: 5 } });
    await engine.signal(runId, 'item', { n: 1 });
    const { state } = await engine.inspect(runId);
    expect(await engine.query(runId, 'count')).toBe(1);
    expect(await engine.query(runId, 'count')).toBe(1);
    expect((await engine.inspect(runId)).state.revision).toBe(state.revision);
    await expect(engine.query(runId, 'nope')).rejects.toMatchObject({ type: 'QueryNotFound' });
    await engine.terminate(runId, 'done testing');
  });
});

describe('definitions, lifecycle and indexes on Redis', () => {
  it('pins a run to the definition it started with, while new runs take the latest', async () => {
    await worker();
    const first = await engine.start('echo');
    await engine.deploy(ECHO_V2);
    const second = await engine.start('echo');
    expect(await engine.result(first.runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: 1 });
    expect(await engine.result(second.runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: 2 });
    expect((await engine.describe(first.runId)).version).toBe(1);
    await expect(engine.deploy({ ...ECHO_V2, digest: 'different' })).rejects.toMatchObject({ type: 'DefinitionConflict' });
  });

  it('starts on the latest version deployed by another process, though this one cached an older one', async () => {
    const moving = (version: number): WorkflowDefinition => flow(`
    dsl: flowline/v1
    name: moving
    version: ${version}
    signals: { go: {} }
    steps:
      - waitSignal: go
`);
    const other = createRedisEngine({ url: TEST_REDIS_URL, prefix });
    extraEngines.push(other);
    await engine.deploy(moving(1));
    const first = await engine.start('moving');
    const again = await engine.start('moving');
    await other.deploy(moving(2));
    const after = await engine.start('moving');
    expect((await engine.describe(first.runId)).version).toBe(1);
    expect((await engine.describe(again.runId)).version).toBe(1);
    expect((await engine.describe(after.runId)).version).toBe(2);
    // The start refused on the stale version stored nothing: one RunStarted, one index entry.
    expect((await engine.history(after.runId)).filter((e) => e.type === 'RunStarted')).toHaveLength(1);
    expect(await raw.zcard(`${prefix}:idx:name:moving`)).toBe(3);
    // A named version needs no latest check.
    expect((await engine.describe((await engine.start('moving', { version: 1 })).runId)).version).toBe(1);
    for (const id of [first, again, after].map((r) => r.runId)) await engine.terminate(id);
  });

  it('refuses a second start of a running id, and sets the retention on a finished run', async () => {
    await worker();
    await engine.start('collect', { id: 'biz-1', input: { expect: 1 } });
    await expect(engine.start('collect', { id: 'biz-1', input: { expect: 1 } })).rejects.toMatchObject({ type: 'RunAlreadyExists' });
    await engine.signal('biz-1', 'item', { n: 1 });
    expect((await engine.result('biz-1', { wait: true, timeoutMs: 10_000 })).status).toBe('completed');
    const ttl = await raw.pttl(`${prefix}:run:{biz-1}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('lists by status and name, and skips (and forgets) runs that have expired', async () => {
    const running = await engine.start('collect', { input: { expect: 9 } });
    const gone = await engine.start('collect', { input: { expect: 9 } });
    await engine.terminate(gone.runId);
    const terminated = await engine.list({ status: 'terminated', name: 'collect' });
    expect(terminated.map((r) => r.runId)).toContain(gone.runId);
    expect(terminated.map((r) => r.runId)).not.toContain(running.runId);
    expect((await engine.list({ status: 'running' })).map((r) => r.runId)).toContain(running.runId);

    // Simulate expiry: the run's keys disappear; list must not show it and drops the index entry.
    await raw.del(`${prefix}:run:{${gone.runId}}`, `${prefix}:run:{${gone.runId}}:state`, `${prefix}:run:{${gone.runId}}:history`);
    expect((await engine.list({ status: 'terminated' })).map((r) => r.runId)).not.toContain(gone.runId);
    expect(await raw.zscore(`${prefix}:idx:status:terminated`, gone.runId)).toBeNull();
    await engine.terminate(running.runId);
  });
});

describe('stopping a worker at once', () => {
  it('hands a running attempt back (no failure recorded) and another worker runs it again', async () => {
    let calls = 0;
    const handover: ActivityMap = {
      'echo.run': (input: unknown, ctx) => {
        calls++;
        if (calls > 1) return input;
        return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    };
    // Its own prefix: BullMQ throttles stalled-job checks per queue, and the other tests' workers
    // (30 s interval) would delay the hand-over.
    const own = uniquePrefix();
    const ownEngine = createRedisEngine({ url: TEST_REDIS_URL, prefix: own });
    extraEngines.push(ownEngine);
    extraPrefixes.push(own);
    await ownEngine.deploy(ECHO_V1);
    const fast = { url: TEST_REDIS_URL, prefix: own, activities: handover, lockDurationMs: 1000, stalledIntervalMs: 500, maintenanceIntervalMs: 0 };
    const first = await startWorker(fast);
    const { runId } = await ownEngine.start('echo', { version: 1 });
    for (let i = 0; i < 400 && calls === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(calls).toBe(1);
    // An attempt's start is recorded with its answer: the handed-back try has left none.
    expect((await ownEngine.history(runId)).map((e) => e.type)).not.toContain('ActivityStarted');
    await first.close({ force: true });
    workers.push(await startWorker(fast));
    expect(await ownEngine.result(runId, { wait: true, timeoutMs: 20_000 })).toMatchObject({ status: 'completed', output: 1 });
    const types = (await ownEngine.history(runId)).map((e) => e.type);
    expect(types).not.toContain('ActivityFailed');
    expect(calls).toBe(2);
    expect(types.filter((t) => t === 'ActivityStarted')).toHaveLength(1);
    expect(types.filter((t) => t === 'ActivityCompleted')).toHaveLength(1);
    expect(types.indexOf('ActivityStarted')).toBe(types.indexOf('ActivityCompleted') - 1);
  });
});

describe('maintenance', () => {
  it('drops index entries of expired runs and leaves live ones', async () => {
    const live = await engine.start('collect', { input: { expect: 9 } });
    const expired = await engine.start('collect', { input: { expect: 9 } });
    await raw.del(`${prefix}:run:{${expired.runId}}`, `${prefix}:run:{${expired.runId}}:state`, `${prefix}:run:{${expired.runId}}:history`);
    const report = await maintain(engine.runtime, { outboxMinAgeMs: 60_000, timersDueBefore: 0, pruneIndexesBefore: Date.now() + 1 });
    expect(report.indexEntriesDropped).toBeGreaterThanOrEqual(3); // all, by status, by name
    for (const index of ['idx:all', 'idx:status:running', 'idx:name:collect']) {
      expect(await raw.zscore(`${prefix}:${index}`, expired.runId), index).toBeNull();
      expect(await raw.zscore(`${prefix}:${index}`, live.runId), index).not.toBeNull();
    }
    await engine.terminate(live.runId);
  });
});

describe('task queues', () => {
  it('dispatches a call with taskQueue only to workers serving that queue', async () => {
    const routed = flow(`
    dsl: flowline/v1
    name: routed
    version: 1
    steps:
      - id: plain
        call: echo.run
        with: { where: default }
      - id: special
        call: gpu.render
        taskQueue: gpu
        with: { where: gpu }
    output: \${ [$steps.plain.where, $steps.special.where] }
`);
    await engine.deploy(routed);
    await worker();
    workers.push(
      await startWorker({
        url: TEST_REDIS_URL,
        prefix,
        activities: { 'gpu.render': (input: unknown) => input },
        taskQueues: ['gpu'],
        interpreter: false,
        maintenanceIntervalMs: 0,
      }),
    );
    const { runId } = await engine.start('routed');
    expect(await engine.result(runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: ['default', 'gpu'] });
  });
});

describe('connection failures', () => {
  it('reports an unreachable Redis as RedisUnavailable instead of hanging', async () => {
    const offline = createRedisEngine({ url: 'redis://127.0.0.1:1', prefix });
    try {
      await expect(offline.describe('any')).rejects.toMatchObject({ type: 'RedisUnavailable' });
    } finally {
      await offline.close();
    }
  });
});

describe('repairs at worker start-up', () => {
  it('re-dispatches an outbox left by a process that crashed between commit and dispatch', async () => {
    const crashing = createRedisEngine({ url: TEST_REDIS_URL, prefix });
    extraEngines.push(crashing);
    // The commit succeeds; the dispatch "crashes".
    crashing.runtime.dispatcher.dispatch = async () => {
      throw new Error('process died');
    };
    const { runId } = await crashing.start('echo', { version: 1 });
    expect(await raw.llen(`${prefix}:run:{${runId}}:outbox`)).toBeGreaterThan(0);
    // The index entries are written with the commit, crash or not.
    expect(await raw.zscore(`${prefix}:idx:all`, runId)).not.toBeNull();
    expect(await raw.zscore(`${prefix}:idx:status:running`, runId)).not.toBeNull();
    const handle = await worker();
    expect(handle.startup.outboxesRepaired).toBeGreaterThanOrEqual(1);
    expect(await engine.result(runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: 1 });
    // Exactly one completion of the step despite the repair.
    const completed = (await engine.history(runId)).filter((e) => e.type === 'ActivityCompleted');
    expect(completed).toHaveLength(1);
    expect((await engine.list({ name: 'echo' })).map((r) => r.runId)).toContain(runId);
  });

  it('re-arms a pending timer whose job was lost', async () => {
    const { runId } = await engine.start('sleepy');
    // Dispatched outbox entries are cleared in a batch shortly after; clear them now, so only the
    // timer re-arm (not an outbox repair) can bring the lost job back.
    await engine.runtime.transitions.flushDispatched();
    expect(await raw.llen(`${prefix}:run:{${runId}}:outbox`)).toBe(0);
    const { state } = await engine.inspect(runId);
    expect(state.status).toBe('running');
    const timers = await raw.zrange(`${prefix}:run:{${runId}}:timers`, '0', '-1');
    expect(timers).toHaveLength(1);
    // Lose the delayed job (as a Redis that lost its last second of writes would).
    const removed = await engine.runtime.queues.timers.remove(jobId('tmr', runId, Number(timers[0])));
    expect(removed).toBe(1);
    const handle = await worker();
    expect(handle.startup.timersRearmed).toBeGreaterThanOrEqual(1);
    expect(await engine.result(runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: true });
    expect((await engine.history(runId)).filter((e) => e.type === 'TimerFired')).toHaveLength(1);
  });
});
