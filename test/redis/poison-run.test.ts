/**
 * A poison run: a run whose decision kills the worker process deciding it. The trigger is the
 * test itself: whenever the run's decision job (its timer job; the decision after the timer
 * evaluates 150 `set` steps, about a second of CPU) is active in BullMQ, the only worker alive is
 * killed with SIGKILL — a worker dying mid-decision, whatever the cause (a fatal V8 error, an
 * out-of-memory abort, process.exit). A real expression that crashes V8 is not used: those are
 * being removed from the expression engine, and the count covers any cause of death.
 * After three deaths the next worker fails the run with WorkerCrashed; another run goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import { createRedisEngine, type RedisEngine } from '../../src/runtime/redis/index.js';
import { spawnWorker, type WorkerProcess } from '../cli/redis-process.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';
import { waitFor } from './wait-for.js';

const prefix = uniquePrefix('fltest-poison');
const env = { FLOWLINE_PREFIX: prefix, FLOWLINE_REDIS_URL: TEST_REDIS_URL, FAULT_PREFIX: prefix, FAULT_REDIS_URL: TEST_REDIS_URL };
// The heavy decision blocks the event loop for about a second: the lock outlives it.
const WORKER_ARGS = ['--activities', 'test/redis/fixtures/fault-activities.ts', '--lock-duration', '4000', '--stalled-interval', '1000'];
let raw: Redis;
let engine: RedisEngine;
const workers: WorkerProcess[] = [];

function flow(yaml: string) {
  return loadDefinition(yaml.replace(/^ {2}/gm, ''), { file: 'poison.yaml' });
}

const HEAVY = flow(`
  dsl: flowline/v1
  name: heavy
  version: 1
  steps:
    - wait: 200ms
    - id: heavy
      forEach: '\${ [1..150] }'
      steps:
        - set: { x: '\${ $sum([1..20000]) }' }
  output: \${ $count($steps.heavy) }
`);

const PLAIN = flow(`
  dsl: flowline/v1
  name: plain
  version: 1
  steps:
    - id: one
      call: fault.quick
      with: { ok: true }
  output: \${ $steps.one.ok }
`);

async function spawn(): Promise<WorkerProcess> {
  const worker = await spawnWorker(WORKER_ARGS, env);
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  raw = rawClient();
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  for (const definition of [HEAVY, PLAIN]) await engine.deploy(definition);
});

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await engine.close();
  await deletePrefix(raw, prefix);
  await raw.quit();
});

describe('a run whose decision kills its worker', () => {
  it('fails with WorkerCrashed after 3 worker deaths; other runs go on', async () => {
    const { runId } = await engine.start('heavy');
    const timers = await raw.zrange(`${prefix}:run:{${runId}}:timers`, '0', '-1');
    expect(timers).toHaveLength(1);
    const jobId = `tmr-${encodeURIComponent(runId)}-${timers[0]}`;
    const revision = (await engine.inspect(runId)).state.revision;

    for (let death = 1; death <= 3; death++) {
      const worker = await spawn();
      // Picked up by this worker: active, locked, and moved back after each earlier death (stc).
      await waitFor(async () => {
        const [active, locked, stalled] = await Promise.all([
          raw.lrange(`${prefix}:timers:active`, 0, -1),
          raw.exists(`${prefix}:timers:${jobId}:lock`),
          raw.hget(`${prefix}:timers:${jobId}`, 'stc'),
        ]);
        return active.includes(jobId) && locked === 1 && Number(stalled ?? 0) === death - 1;
      }, `the decision job is active in the new worker (death ${death})`, 60_000);
      worker.child.kill('SIGKILL');
      await worker.exited;
      // Killed mid-decision: nothing of the decision was stored.
      expect((await engine.inspect(runId)).state.revision).toBe(revision);
    }

    await spawn();
    const result = await engine.result(runId, { wait: true, timeoutMs: 60_000 });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'WorkerCrashed', step: '/steps/0' });
    expect(result.error?.message).toMatch(/^the run's transition at step "\/steps\/0" crashed 3 worker processes/);
    // The heavy decision never ran to its end: no forEach item was recorded.
    expect((await engine.history(runId)).filter((e) => e.type === 'StepCompleted' && e.path?.startsWith('/steps/1'))).toHaveLength(0);

    // The worker that failed it is alive and serves other runs.
    const other = await engine.start('plain');
    expect(await engine.result(other.runId, { wait: true, timeoutMs: 30_000 })).toMatchObject({ status: 'completed', output: true });
  }, 180_000);
});
