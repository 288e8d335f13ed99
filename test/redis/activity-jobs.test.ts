/**
 * Activity jobs on Redis: an attempt's start is recorded with its answer (one commit per
 * attempt), a cancelled attempt's waiting job is removed from its task queue before any worker
 * runs it, a job picked up after its cancel notice is skipped, and a job BullMQ runs again after
 * the run moved on is skipped without running its handler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import { ActivityRegistry } from '../../src/activities/registry.js';
import type { ActivityMap } from '../../src/activities/types.js';
import { AttemptTracker, processActivityJob } from '../../src/runtime/redis/activity-processor.js';
import { createRedisEngine, startWorker, type RedisEngine, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { QUEUES, jobId } from '../../src/runtime/redis/keys.js';
import type { ActivityJobData } from '../../src/runtime/redis/queues.js';
import { RedisRuntime } from '../../src/runtime/redis/runtime.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix();
let raw: Redis;
let engine: RedisEngine;
const workers: WorkerHandle[] = [];
const queues: Queue[] = [];
const connections: Redis[] = [];

const PARKED = loadDefinition(
  `
dsl: flowline/v1
name: parked
version: 1
steps:
  - id: later
    call: side.effect
    taskQueue: later
`,
  { file: 'parked.yaml' },
);

const TWO_STEPS = loadDefinition(
  `
dsl: flowline/v1
name: two-steps
version: 1
steps:
  - id: a
    call: echo.run
    with: 1
  - id: b
    call: echo.run
    with: 2
output: \${ $steps.b }
`,
  { file: 'two-steps.yaml' },
);

function queue(name: string): Queue {
  const connection = raw.duplicate();
  connections.push(connection);
  const q = new Queue(name, { connection, prefix });
  queues.push(q);
  return q;
}

beforeAll(async () => {
  raw = rawClient();
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  await engine.deploy(PARKED);
  await engine.deploy(TWO_STEPS);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(queues.map((q) => q.close()));
  for (const connection of connections) connection.disconnect();
  await engine.close();
  await deletePrefix(raw, prefix);
  raw.disconnect();
});

describe('activity attempts on Redis', () => {
  it('records ActivityStarted right before the answer, stamped no later than it', async () => {
    workers.push(await startWorker({ url: TEST_REDIS_URL, prefix, activities: { 'echo.run': (input: unknown) => input }, maintenanceIntervalMs: 0 }));
    const { runId } = await engine.start('two-steps', {});
    expect(await engine.result(runId, { wait: true, timeoutMs: 20_000 })).toMatchObject({ status: 'completed', output: 2 });
    const history = await engine.history(runId);
    const types = history.map((e) => e.type);
    for (const stepId of ['a', 'b']) {
      const started = history.findIndex((e) => e.type === 'ActivityStarted' && e.stepId === stepId);
      const completed = history.findIndex((e) => e.type === 'ActivityCompleted' && e.stepId === stepId);
      expect(started).toBeGreaterThan(types.indexOf('RunStarted'));
      expect(completed).toBe(started + 1);
      expect(history[started].at).toBeLessThanOrEqual(history[completed].at);
      expect(history[started].attempt).toBe(1);
    }
    // History stays in time order.
    for (let i = 1; i < history.length; i++) expect(history[i].at).toBeGreaterThanOrEqual(history[i - 1].at);
  });

  it('removes a cancelled attempt’s waiting job, so a worker started later never runs it', async () => {
    const later = queue(QUEUES.activities('later'));
    const { runId } = await engine.start('parked', {});
    const id = jobId('act', runId, 1);
    const seq = (await engine.history(runId)).find((e) => e.type === 'StepScheduled')?.seq;
    expect(seq).toBe(1);
    expect(await later.getJob(id)).toBeDefined();
    await engine.cancel(runId);
    expect(await engine.result(runId, { wait: true, timeoutMs: 20_000 })).toMatchObject({ status: 'cancelled' });
    expect(await later.getJob(id)).toBeUndefined();

    let calls = 0;
    const handle = await startWorker({ url: TEST_REDIS_URL, prefix, activities: { 'side.effect': () => ++calls }, taskQueues: ['later'], maintenanceIntervalMs: 0 });
    expect(await later.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 });
    await handle.close();
    expect(calls).toBe(0);
    expect((await engine.history(runId)).map((e) => e.type)).not.toContain('ActivityStarted');
  });
});

describe('processActivityJob', () => {
  let runtime: RedisRuntime;
  beforeAll(() => {
    runtime = new RedisRuntime({ url: TEST_REDIS_URL, prefix }, { blocking: false });
  });
  afterAll(() => runtime.close());

  async function parkedJob(): Promise<ActivityJobData> {
    const { runId } = await engine.start('parked', {});
    const job = await queue(QUEUES.activities('later')).getJob(jobId('act', runId, 1));
    if (!job) throw new Error('the parked run has no activity job');
    return job.data as ActivityJobData;
  }

  it('skips a job whose cancel notice came before it was picked up, without running the handler', async () => {
    const data = await parkedJob();
    let calls = 0;
    const registry = new ActivityRegistry({ 'side.effect': () => ++calls } satisfies ActivityMap);
    const attempts = new AttemptTracker();
    attempts.cancel(data.runId, data.seq);
    expect(await processActivityJob(runtime, registry, attempts, data)).toBe('skipped');
    expect(calls).toBe(0);
    // Another attempt of the same run is not affected.
    expect(attempts.begin(data.runId, data.seq + 1)).toBeInstanceOf(AbortController);
    await engine.terminate(data.runId);
  });

  it('aborts a running attempt on its cancel notice', () => {
    const attempts = new AttemptTracker();
    const controller = attempts.begin('r1', 4);
    expect(controller?.signal.aborted).toBe(false);
    attempts.cancel('r1', 4);
    expect(controller?.signal.aborted).toBe(true);
  });

  it('skips a job run again after its run moved on, and answers one the run still awaits', async () => {
    const data = await parkedJob();
    let calls = 0;
    const registry = new ActivityRegistry({ 'side.effect': () => ++calls } satisfies ActivityMap);
    await engine.terminate(data.runId);
    expect(await processActivityJob(runtime, registry, new AttemptTracker(), data, true)).toBe('skipped');
    expect(calls).toBe(0);

    const awaited = await parkedJob();
    expect(await processActivityJob(runtime, registry, new AttemptTracker(), awaited, true)).toBe('done');
    expect(calls).toBe(1);
    expect(await engine.result(awaited.runId)).toMatchObject({ status: 'completed' });
    const types = (await engine.history(awaited.runId)).map((e) => e.type);
    expect(types.slice(-4)).toEqual(['ActivityStarted', 'ActivityCompleted', 'StepCompleted', 'RunEnded']);
  });
});
