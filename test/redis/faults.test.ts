/**
 * Fault tests with real Redis and real worker processes (`node bin/flowline.js worker`): a worker
 * killed with SIGKILL mid-activity, every worker killed while runs wait on timers and signals,
 * 100 concurrent signals to one run, two workers racing on the same runs, and a worker killed in
 * the middle of an eagerly started attempt (decision 0013). Each asserts that
 * no run is lost and that every completed step is applied to its run exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import type { HistoryEntry } from '../../src/interpreter/types.js';
import { replay } from '../../src/interpreter/index.js';
import { createRedisEngine, type RedisEngine } from '../../src/runtime/redis/index.js';
import { spawnWorker, type WorkerProcess } from '../cli/redis-process.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';
import { waitFor } from './wait-for.js';
import { jobId } from '../../src/runtime/redis/keys.js';
import type { OutboxEntry } from '../../src/runtime/redis/store.js';

const prefix = uniquePrefix('fltest-fault');
const env = { FLOWLINE_PREFIX: prefix, FLOWLINE_REDIS_URL: TEST_REDIS_URL, FAULT_PREFIX: prefix, FAULT_REDIS_URL: TEST_REDIS_URL };
const WORKER_ARGS = ['--activities', 'test/redis/fixtures/fault-activities.ts', '--lock-duration', '2000', '--stalled-interval', '1000'];
let raw: Redis;
let engine: RedisEngine;
const processes: WorkerProcess[] = [];

function flow(yaml: string) {
  return loadDefinition(yaml.replace(/^ {2}/gm, ''), { file: 'faults.yaml' });
}

const SLOW = flow(`
  dsl: flowline/v1
  name: slow
  version: 1
  steps:
    - id: long
      call: fault.slow
      with: { ms: 3000 }
    - id: after
      call: fault.quick
      with: { ok: true }
  output: \${ $steps.after.ok }
`);

const PATIENT = flow(`
  dsl: flowline/v1
  name: patient
  version: 1
  signals: { go: {} }
  steps:
    - id: first
      call: fault.quick
      with: { n: 1 }
    - wait: 1500ms
    - id: gate
      waitSignal: go
    - id: last
      call: fault.quick
      with: { n: 2 }
  output: \${ $steps.last.n }
`);

const COLLECT = flow(`
  dsl: flowline/v1
  name: collect
  version: 1
  signals: { item: {} }
  steps:
    - set: { items: [] }
    - repeat:
        steps:
          - waitSignal: item
            assign: { items: '\${ $append($vars.items, $output.n) }' }
        until: \${ $count($vars.items) >= 100 }
  output: \${ $vars.items }
`);

const FANOUT = flow(`
  dsl: flowline/v1
  name: fanout
  version: 1
  steps:
    - id: each
      forEach: '\${ [1,2,3,4,5,6] }'
      concurrency: 6
      steps:
        - call: fault.quick
          with:
            i: \${ $item }
    - id: both
      parallel:
        - id: a
          call: fault.quick
          with: { x: a }
        - id: b
          call: fault.quick
          with: { x: b }
  output: \${ $count($steps.each) }
`);

/** The slow step runs eagerly: in the slot of the step before it, without a job of its own. */
const EAGER = flow(`
  dsl: flowline/v1
  name: eager-kill
  version: 1
  steps:
    - id: before
      call: fault.quick
      with: { n: 1 }
    - id: long
      call: fault.slow
      with: { ms: 3000 }
    - id: after
      call: fault.quick
      with: { ok: true }
  output: \${ $steps.after.ok }
`);

/** Worker processes alive now (the tests share them: each spawn costs seconds). */
function alive(): WorkerProcess[] {
  return processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
}

/** Spawns workers until `count` are alive; returns the alive ones. */
async function ensureWorkers(count: number): Promise<WorkerProcess[]> {
  const missing = Math.max(0, count - alive().length);
  processes.push(...(await Promise.all(Array.from({ length: missing }, () => spawnWorker(WORKER_ARGS, env)))));
  return alive();
}

async function kill(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited;
}


/** How many times the step at `path` completed in a history. */
function completions(history: readonly HistoryEntry[], path: string): number {
  return history.filter((e) => e.type === 'StepCompleted' && e.path === path).length;
}

/** Every accepted answer of one seq appears once; the history replays to the stored state. */
async function assertAppliedOnce(runId: string): Promise<readonly HistoryEntry[]> {
  const { definition, state, history } = await engine.inspect(runId);
  const answers = history.filter((e) => e.type === 'ActivityCompleted' || e.type === 'ActivityFailed' || e.type === 'TimerFired');
  const seqs = answers.map((e) => e.seq);
  expect(new Set(seqs).size, `run ${runId}: an answer was applied twice`).toBe(seqs.length);
  expect(await replay(definition, history)).toEqual(state);
  return history;
}

beforeAll(async () => {
  raw = rawClient();
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  for (const definition of [SLOW, PATIENT, COLLECT, FANOUT, EAGER]) await engine.deploy(definition);
});

afterAll(async () => {
  for (const p of alive()) await kill(p);
  await engine.close();
  await deletePrefix(raw, prefix);
  await raw.quit();
});

describe('fault tolerance with real worker processes', () => {
  it('a worker killed with SIGKILL mid-activity: the activity runs again, every run completes, each step applied once', async () => {
    const workers = await ensureWorkers(2);
    const runs = await Promise.all(Array.from({ length: 4 }, () => engine.start('slow')));
    // Wait until every slow activity is running, then kill a worker that is in the middle of one.
    let started: string[] = [];
    await waitFor(async () => {
      started = (await raw.lrange(`${prefix}:test:started`, 0, -1)).filter((s) => s.includes('|long|'));
      return new Set(started.map((s) => s.split('|')[0])).size === runs.length;
    }, 'every slow activity is running');
    const victimPid = started[0].split('|')[2];
    const victim = workers.find((w) => String(w.child.pid) === victimPid);
    expect(victim, 'the activity ran in one of the spawned workers').toBeDefined();
    const killedRuns = started.filter((s) => s.endsWith(`|${victimPid}`)).map((s) => s.split('|')[0]);
    if (victim) await kill(victim);

    for (const { runId } of runs) {
      expect(await engine.result(runId, { wait: true, timeoutMs: 30_000 })).toMatchObject({ status: 'completed', output: true });
      const history = await assertAppliedOnce(runId);
      expect(completions(history, '/steps/0')).toBe(1);
      expect(completions(history, '/steps/1')).toBe(1);
    }
    const executions = await raw.hgetall(`${prefix}:test:exec`);
    for (const runId of killedRuns) {
      const count = Object.entries(executions).find(([key]) => key.startsWith(`${runId}|long|`))?.[1];
      expect(Number(count), `the killed attempt of ${runId} ran again`).toBeGreaterThanOrEqual(2);
    }
  }, 60_000);

  it('every worker killed while runs wait on timers and signals: after a restart all complete', async () => {
    await ensureWorkers(1);
    const runs = await Promise.all(Array.from({ length: 6 }, () => engine.start('patient')));
    await waitFor(
      async () => {
        const histories = await Promise.all(runs.map((r) => engine.history(r.runId)));
        return histories.every((h) => h.some((e) => e.type === 'TimerStarted'));
      },
      'every run waits on its timer',
    );
    for (const worker of alive()) await kill(worker);
    // While no worker is alive: signals are accepted and stored; half arrive before the timer is due.
    for (const { runId } of runs.slice(0, 3)) await engine.signal(runId, 'go', {});
    // Let every run's timer fall due while no worker is alive (due times read from the runs' pending timers).
    const dues = await Promise.all(runs.map(async (r) => Number((await raw.zrange(`${prefix}:run:{${r.runId}}:timers`, '0', '-1', 'WITHSCORES'))[1])));
    await waitFor(async () => Date.now() > Math.max(0, ...dues.filter(Number.isFinite)), 'every timer is overdue');
    for (const { runId } of runs.slice(3)) await engine.signal(runId, 'go', {});
    expect((await engine.list({ status: 'running', name: 'patient' })).length).toBeGreaterThanOrEqual(runs.length);

    await ensureWorkers(2);
    for (const { runId } of runs) {
      expect(await engine.result(runId, { wait: true, timeoutMs: 30_000 })).toMatchObject({ status: 'completed', output: 2 });
      const history = await assertAppliedOnce(runId);
      expect(history.filter((e) => e.type === 'TimerFired')).toHaveLength(1);
      for (const path of ['/steps/0', '/steps/1', '/steps/2', '/steps/3']) expect(completions(history, path)).toBe(1);
    }
  }, 60_000);

  it('100 concurrent signals to one run from four clients: none lost, order kept', async () => {
    await ensureWorkers(2);
    const clients = Array.from({ length: 4 }, () => createRedisEngine({ url: TEST_REDIS_URL, prefix }));
    try {
      const { runId } = await engine.start('collect');
      await Promise.all(Array.from({ length: 100 }, (_, n) => clients[n % 4].signal(runId, 'item', { n })));
      const result = await engine.result(runId, { wait: true, timeoutMs: 30_000 });
      expect(result.status).toBe('completed');
      const consumed = result.output as number[];
      expect([...consumed].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, n) => n));
      const history = await assertAppliedOnce(runId);
      const accepted = history.filter((e) => e.type === 'SignalReceived').map((e) => (e.event as { data: { n: number } }).data.n);
      expect(accepted).toEqual(consumed);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }, 60_000);

  it('two workers racing on the same runs never apply a transition twice', async () => {
    const workers = await ensureWorkers(2);
    const runs = await Promise.all(Array.from({ length: 20 }, () => engine.start('fanout')));
    for (const { runId } of runs) {
      expect(await engine.result(runId, { wait: true, timeoutMs: 30_000 })).toMatchObject({ status: 'completed', output: 6 });
      const history = await assertAppliedOnce(runId);
      expect(history.filter((e) => e.type === 'ActivityCompleted')).toHaveLength(8);
      expect(completions(history, '/steps/0/steps/0')).toBe(6);
      expect(completions(history, '/steps/0')).toBe(1);
      expect(completions(history, '/steps/1')).toBe(1);
    }
    // Both workers took part.
    expect(workers).toHaveLength(2);
    const pids = new Set((await raw.lrange(`${prefix}:test:started`, 0, -1)).filter((s) => runs.some((r) => s.startsWith(`${r.runId}|`))).map((s) => s.split('|')[2]));
    expect(pids.size).toBe(2);
  }, 60_000);

  it('a worker killed with SIGKILL in the middle of an eagerly started attempt: it runs again once, every run completes once', async () => {
    const workers = await ensureWorkers(2);
    const runs = await Promise.all(Array.from({ length: 4 }, () => engine.start('eager-kill')));
    let started: string[] = [];
    await waitFor(async () => {
      started = (await raw.lrange(`${prefix}:test:started`, 0, -1)).filter((s) => runs.some((r) => s.startsWith(`${r.runId}|long|`)));
      return new Set(started.map((s) => s.split('|')[0])).size === runs.length;
    }, 'every slow activity is running');
    // Each slow attempt was started eagerly: the commit of the step before it named the carrying
    // job in its outbox entry, no job of its own exists, and it runs in the process that ran `before`.
    for (const { runId } of runs) {
      const seq = (await engine.history(runId)).find((e) => e.type === 'StepScheduled' && e.stepId === 'long')?.seq;
      expect(seq, `run ${runId} scheduled its slow step`).toBeTypeOf('number');
      const outbox = (await raw.lrange(`${prefix}:run:{${runId}}:outbox`, 0, -1)).map((text) => JSON.parse(text) as OutboxEntry);
      expect(outbox.find((e) => e.command.type === 'ScheduleActivity' && e.command.seq === seq)?.carrier, `run ${runId}: the slow attempt is marked eager`).toBeDefined();
      expect(await raw.exists(`${prefix}:activities.default:${jobId('act', runId, seq as number)}`), `run ${runId}: no job for the eager attempt`).toBe(0);
    }
    const startedBy = async (runId: string, stepId: string): Promise<string[]> =>
      (await raw.lrange(`${prefix}:test:started`, 0, -1)).filter((s) => s.startsWith(`${runId}|${stepId}|`)).map((s) => s.split('|')[2]);
    for (const { runId } of runs) expect(await startedBy(runId, 'long')).toEqual(await startedBy(runId, 'before'));

    const victimPid = started[0].split('|')[2];
    const victim = workers.find((w) => String(w.child.pid) === victimPid);
    expect(victim, 'the eager attempt ran in one of the spawned workers').toBeDefined();
    const killedRuns = started.filter((s) => s.endsWith(`|${victimPid}`)).map((s) => s.split('|')[0]);
    if (victim) await kill(victim);

    const executions = async (runId: string, stepId: string): Promise<number> =>
      Object.entries(await raw.hgetall(`${prefix}:test:exec`))
        .filter(([key]) => key.startsWith(`${runId}|${stepId}|`))
        .reduce((sum, [, count]) => sum + Number(count), 0);
    for (const { runId } of runs) {
      expect(await engine.result(runId, { wait: true, timeoutMs: 30_000 })).toMatchObject({ status: 'completed', output: true });
      const history = await assertAppliedOnce(runId);
      for (const path of ['/steps/0', '/steps/1', '/steps/2']) expect(completions(history, path)).toBe(1);
      // Side effects: the steps around the killed one ran once; the killed attempt ran once more.
      expect(await executions(runId, 'before')).toBe(1);
      expect(await executions(runId, 'after')).toBe(1);
      expect(await executions(runId, 'long'), `run ${runId}: slow step executions`).toBe(killedRuns.includes(runId) ? 2 : 1);
    }
    expect(killedRuns.length).toBeGreaterThan(0);
  }, 60_000);
});
