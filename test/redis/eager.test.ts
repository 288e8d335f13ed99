/**
 * Eager execution on Redis (docs/decisions/0013-eager-execution.md): a run's next attempt runs in
 * the slot its last answer freed, marked in the outbox with its carrier job and no job of its own;
 * a repair leaves it alone while the carrier's lock is held, and dispatches it once that lock is
 * gone; with `eager: false` every attempt is a job. A worker serving another task queue gets none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import type { ActivityMap } from '../../src/activities/types.js';
import { createRedisEngine, startWorker, type RedisEngine, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { jobId } from '../../src/runtime/redis/keys.js';
import { RedisRuntime } from '../../src/runtime/redis/runtime.js';
import type { OutboxEntry } from '../../src/runtime/redis/store.js';
import { assignEager, EagerOffer } from '../../src/runtime/redis/eager.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';
import { waitFor } from './wait-for.js';

const GATED = loadDefinition(
  `
dsl: flowline/v1
name: gated
version: 1
steps:
  - id: first
    call: t.quick
  - id: held
    call: t.gate
  - id: last
    call: t.quick
output: \${ $steps.held }
`,
  { file: 'gated.yaml' },
);

const ELSEWHERE = loadDefinition(
  `
dsl: flowline/v1
name: elsewhere
version: 1
steps:
  - id: first
    call: t.quick
  - id: other
    call: t.quick
    taskQueue: other
`,
  { file: 'elsewhere.yaml' },
);

/** Executions per run and step, and the gate the `held` step waits on. */
const executions = new Map<string, number>();
let openGate: () => void = () => undefined;
let gate = new Promise<void>((resolve) => (openGate = resolve));
const activities: ActivityMap = {
  't.quick': (_input, ctx) => {
    executions.set(`${ctx.runId}|${ctx.stepId}`, (executions.get(`${ctx.runId}|${ctx.stepId}`) ?? 0) + 1);
    return 'ok';
  },
  't.gate': async (_input, ctx) => {
    executions.set(`${ctx.runId}|${ctx.stepId}`, (executions.get(`${ctx.runId}|${ctx.stepId}`) ?? 0) + 1);
    await gate;
    return 'through';
  },
};
const ran = (runId: string, stepId: string): number => executions.get(`${runId}|${stepId}`) ?? 0;

const prefix = uniquePrefix('fltest-eager');
let raw: Redis;
let engine: RedisEngine;
let runtime: RedisRuntime;
const workers: WorkerHandle[] = [];

async function outbox(runId: string): Promise<OutboxEntry[]> {
  return (await raw.lrange(`${prefix}:run:{${runId}}:outbox`, 0, -1)).map((text) => JSON.parse(text) as OutboxEntry);
}

async function heldSeq(runId: string): Promise<number> {
  let seq: number | undefined;
  await waitFor(async () => {
    seq = (await engine.history(runId)).find((e) => e.type === 'StepScheduled' && e.stepId === 'held')?.seq;
    return seq !== undefined && ran(runId, 'held') > 0;
  }, 'the held step runs');
  return seq as number;
}

beforeAll(async () => {
  raw = rawClient();
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  runtime = new RedisRuntime({ url: TEST_REDIS_URL, prefix, shareStateCache: false }, { blocking: false });
  await engine.deploy(GATED);
  await engine.deploy(ELSEWHERE);
});

afterAll(async () => {
  openGate();
  for (const worker of workers) await worker.close({ force: true });
  await runtime.close();
  await engine.close();
  await deletePrefix(raw, prefix);
  await raw.quit();
});

describe('eager execution', () => {
  it('runs the next attempt in the slot its answer freed, marked with its carrier, without a job; a repair leaves it alone', async () => {
    const worker = await startWorker({ url: TEST_REDIS_URL, prefix, activities, concurrency: 2, maintenanceIntervalMs: 0 });
    workers.push(worker);
    const { runId } = await engine.start('gated');
    const seq = await heldSeq(runId);
    const entry = (await outbox(runId)).find((e) => e.command.type === 'ScheduleActivity' && e.command.seq === seq);
    expect(entry?.carrier?.lock).toContain(`${prefix}:activities.default:`);
    expect(await raw.get(entry!.carrier!.lock)).toBe(entry!.carrier!.token);
    expect(await raw.exists(`${prefix}:activities.default:${jobId('act', runId, seq)}`)).toBe(0);

    // The start's own entry (seq 1, dispatched by the engine) is removed by the engine's batched
    // clear up to 100 ms after its dispatch (outbox-clearer.ts), usually after `held` started:
    // until then a repair re-dispatches it (a duplicate job id, absorbed). Wait for it to go, so
    // the repair below sees the eager entry alone.
    await waitFor(async () => (await outbox(runId)).every((e) => e.carrier), 'the engine clears the dispatched entry');
    expect((await outbox(runId)).map((e) => e.command.type === 'ScheduleActivity' && e.command.seq)).toEqual([seq]);

    // The carrier is alive: a repair dispatches nothing and keeps the entry.
    expect(await runtime.transitions.repairOutbox(runId)).toBe(0);
    expect(await raw.exists(`${prefix}:activities.default:${jobId('act', runId, seq)}`)).toBe(0);
    expect((await outbox(runId)).some((e) => e.carrier)).toBe(true);

    openGate();
    expect(await engine.result(runId, { wait: true, timeoutMs: 20_000 })).toMatchObject({ status: 'completed', output: 'through' });
    // The answer removed the entry with its commit; every step ran once.
    expect((await outbox(runId)).filter((e) => e.carrier)).toEqual([]);
    expect([ran(runId, 'first'), ran(runId, 'held'), ran(runId, 'last')]).toEqual([1, 1, 1]);
  });

  it('dispatches an eager attempt as a job once its carrier lock is gone (its worker died); the run completes once', async () => {
    gate = new Promise<void>((resolve) => (openGate = resolve));
    const { runId } = await engine.start('gated');
    const seq = await heldSeq(runId);
    const entry = (await outbox(runId)).find((e) => e.carrier);
    expect(entry).toBeDefined();
    // What a dead worker leaves: its lock expires. The repair now dispatches the attempt.
    await raw.del(entry!.carrier!.lock);
    expect(await runtime.transitions.repairOutbox(runId)).toBeGreaterThan(0);
    await waitFor(async () => ran(runId, 'held') === 2, 'the dispatched job runs the attempt again');

    openGate();
    expect(await engine.result(runId, { wait: true, timeoutMs: 20_000 })).toMatchObject({ status: 'completed', output: 'through' });
    const history = await engine.history(runId);
    expect(history.filter((e) => e.type === 'ActivityCompleted' && e.seq === seq)).toHaveLength(1);
    expect(history.filter((e) => e.type === 'StepCompleted' && e.stepId === 'last')).toHaveLength(1);
    await waitFor(async () => (await outbox(runId)).length === 0, 'the outbox is emptied');
  });

  it('a worker with eager execution off queues every attempt as a job', async () => {
    for (const worker of workers.splice(0)) await worker.close();
    const worker = await startWorker({ url: TEST_REDIS_URL, prefix, activities, concurrency: 2, maintenanceIntervalMs: 0, eager: false });
    workers.push(worker);
    gate = new Promise<void>((resolve) => (openGate = resolve));
    const { runId } = await engine.start('gated');
    const seq = await heldSeq(runId);
    expect(await raw.exists(`${prefix}:activities.default:${jobId('act', runId, seq)}`)).toBe(1);
    expect((await outbox(runId)).some((e) => e.carrier)).toBe(false);
    openGate();
    expect(await engine.result(runId, { wait: true, timeoutMs: 20_000 })).toMatchObject({ status: 'completed' });
  });

  it('an attempt on a task queue the worker does not serve goes out as a job', async () => {
    for (const worker of workers.splice(0)) await worker.close();
    workers.push(await startWorker({ url: TEST_REDIS_URL, prefix, activities, concurrency: 2, maintenanceIntervalMs: 0 }));
    const { runId } = await engine.start('elsewhere');
    let seq: number | undefined;
    await waitFor(async () => {
      seq = (await engine.history(runId)).find((e) => e.type === 'StepScheduled' && e.stepId === 'other')?.seq;
      return seq !== undefined;
    }, 'the other step is scheduled');
    // No worker serves `other`: its job waits in that queue, and nothing was claimed.
    await waitFor(async () => (await raw.exists(`${prefix}:activities.other:${jobId('act', runId, seq as number)}`)) === 1, 'the other step is queued as a job');
    expect(ran(runId, 'first')).toBe(1);
    expect((await outbox(runId)).some((e) => e.carrier)).toBe(false);
  });
});

describe('assignEager', () => {
  const act = (seq: number, taskQueue?: string) =>
    ({ type: 'ScheduleActivity', seq, activity: 'a', input: null, attempt: 1, idempotencyKey: `k${seq}`, stepPath: `/steps/${seq}`, ...(taskQueue ? { taskQueue } : {}) }) as const;
  const carrier = { lock: 'l', token: 't' };

  it('gives each offer one attempt of a queue it serves, in order, never the same twice', () => {
    const a = new EagerOffer(new Set(['default']), carrier);
    const b = new EagerOffer(new Set(['default']), carrier);
    const c = new EagerOffer(new Set(['gpu']), carrier);
    const taken = assignEager([{ type: 'CancelTimer', seq: 9 }, act(1, 'gpu'), act(2), act(3)], [a, b, c]);
    expect([...taken.entries()].map(([i, offer]) => [i, offer === a ? 'a' : offer === b ? 'b' : 'c'])).toEqual([
      [2, 'a'],
      [3, 'b'],
      [1, 'c'],
    ]);
  });
});
