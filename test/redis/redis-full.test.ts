/**
 * A full Redis (maxmemory reached under noeviction) on a private redis-server, with a real worker
 * process: every API write and CLI verb fails with RedisFull (exit 2); a run whose activity
 * finished while Redis was full does not run its handler again, and completes once memory is
 * freed; the worker says so a bounded number of times; and no log line carries the run's input.
 * Also: a Redis that refuses a commit (ACL) — the logged error has no command arguments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import { RedisFullError } from '../../src/errors.js';
import { createRedisEngine, type RedisEngine } from '../../src/runtime/redis/index.js';
import { spawnWorker, type WorkerProcess } from '../cli/redis-process.js';
import { runInProcess } from '../workflows/cli-in-process.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';
import { startPrivateRedis, type PrivateRedis } from './private-server.js';
import { waitFor } from './wait-for.js';

const prefix = uniquePrefix('fltest-full');
const SECRET = 'TOPSECRET-7f3a9c';
let redis: PrivateRedis;
let counts: Redis;
let engine: RedisEngine;
const workers: WorkerProcess[] = [];

function flow(yaml: string) {
  return loadDefinition(yaml.replace(/^ {2}/gm, ''), { file: 'full.yaml' });
}

const HELD = flow(`
  dsl: flowline/v1
  name: held
  version: 1
  redact: [$.input.secret, $.steps.after.input.secret, $.steps.after.output.secret]
  steps:
    - id: long
      call: fault.slow
      with: { ms: 1500 }
    - id: after
      call: fault.quick
      with:
        secret: \${ $input.secret }
  output: \${ $exists($steps.after.secret) }
`);

const GATED = flow(`
  dsl: flowline/v1
  name: gated
  version: 1
  signals: { go: {} }
  steps:
    - id: gate
      waitSignal: go
  output: done
`);

const BROKEN = flow(`
  dsl: flowline/v1
  name: broken
  version: 1
  steps:
    - id: missing
      call: fault.none
`);

/** Worker processes: the private Redis for Flowline, the shared one for the fixture's counters. */
function spawn(url: string): Promise<WorkerProcess> {
  const env = { FLOWLINE_PREFIX: prefix, FLOWLINE_REDIS_URL: url, FAULT_PREFIX: prefix, FAULT_REDIS_URL: TEST_REDIS_URL };
  return spawnWorker(['--activities', 'test/redis/fixtures/fault-activities.ts', '--lock-duration', '2000', '--stalled-interval', '1000'], env).then((w) => {
    workers.push(w);
    return w;
  });
}

/** How often the activity of step `stepId` of a run ran (recorded by the fixture). */
async function executions(runId: string, stepId: string): Promise<number> {
  const all = await counts.hgetall(`${prefix}:test:exec`);
  return Object.entries(all)
    .filter(([key]) => key.startsWith(`${runId}|${stepId}|`))
    .reduce((sum, [, n]) => sum + Number(n), 0);
}

/** Lets time pass so that a fault (a retried job re-running its handler) has the chance to show. */
function observe(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  counts = rawClient();
  engine = createRedisEngine({ url: redis.url, prefix });
  for (const definition of [HELD, GATED, BROKEN]) await engine.deploy(definition);
});

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await engine?.close();
  await deletePrefix(counts, prefix);
  await counts.quit();
  await redis?.stop();
});

describe('Redis full (maxmemory reached, noeviction)', () => {
  it('API and CLI writes fail with RedisFull; an activity answered while full is stored once memory is freed, its handler not re-run; logs bounded and without payloads', async () => {
    const worker = await spawn(redis.url);
    const gated = await engine.start('gated');
    const broken = await engine.start('broken');
    expect(await engine.result(broken.runId, { wait: true, timeoutMs: 30_000 })).toMatchObject({ status: 'failed' });
    const held = await engine.start('held', { input: { secret: SECRET } });
    await waitFor(async () => (await executions(held.runId, 'long')) === 1, 'the slow activity is running');

    await redis.admin.config('SET', 'maxmemory', '1');
    const refusals: [string, () => Promise<unknown>][] = [
      ['start', () => engine.start('held', { input: { secret: SECRET } })],
      ['signal', () => engine.signal(gated.runId, 'go', {})],
      ['cancel', () => engine.cancel(gated.runId)],
      ['terminate', () => engine.terminate(gated.runId)],
      ['retry', () => engine.retry(broken.runId)],
      ['deploy', () => engine.deploy({ ...GATED, version: 2 })],
    ];
    for (const [verb, call] of refusals) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, verb).toBeInstanceOf(RedisFullError);
      expect((error as RedisFullError).message, verb).toMatch(/^Redis has reached maxmemory \(.+\/.+\); raise maxmemory or free space; nothing was stored$/);
    }
    const cliEnv = { FLOWLINE_REDIS_URL: redis.url, FLOWLINE_PREFIX: prefix };
    for (const args of [
      ['start', 'held', '--input', JSON.stringify({ secret: SECRET })],
      ['signal', gated.runId, 'go', '--data', '{}'],
      ['cancel', gated.runId],
    ]) {
      const cli = await runInProcess(args, { env: cliEnv });
      expect(cli.code, args[0]).toBe(2);
      expect(cli.stderr, args[0]).toMatch(/RedisFull: Redis has reached maxmemory .*nothing was stored/);
      expect(cli.stderr, args[0]).not.toMatch(/OOM|EXECABORT/);
    }

    // The slow activity finishes while Redis is full: its answer waits, its handler does not run again.
    await waitFor(async () => worker.stderr().includes('Redis is full'), 'the worker noticed Redis is full');
    await observe(5_000);
    expect(await executions(held.runId, 'long')).toBe(1);
    expect(await executions(held.runId, 'after')).toBe(0);

    await redis.admin.config('SET', 'maxmemory', '0');
    expect(await engine.result(held.runId, { wait: true, timeoutMs: 30_000 })).toMatchObject({ status: 'completed', output: true });
    expect(await executions(held.runId, 'long')).toBeLessThanOrEqual(2);
    await engine.signal(gated.runId, 'go', {});
    expect(await engine.result(gated.runId, { wait: true, timeoutMs: 30_000 })).toMatchObject({ status: 'completed' });

    const lines = worker.stderr().split('\n').filter((l) => l.trim() !== '');
    const fullLines = lines.filter((l) => l.includes('Redis is full'));
    expect(fullLines.length).toBeGreaterThanOrEqual(1);
    expect(fullLines.length).toBeLessThanOrEqual(2);
    expect(lines.length, lines.join('\n')).toBeLessThan(15);
    expect(worker.stderr()).not.toContain(SECRET);
  }, 90_000);

  it('a commit Redis refuses (an ACL user that may not write run histories): the logged error has no command arguments', async () => {
    // Reads everywhere; writes to the queues, indexes and every run key but the history. The
    // commit script declares the history key, so Redis refuses the whole EVALSHA (nothing runs)
    // and ioredis attaches its arguments — the run's plain state, input included — to the error.
    const writable = ['activities.*', 'timers:*', 'interpreter:*', 'schedules:*', 'idx:*', 'def*', 'run:{*}', 'run:{*}:state', 'run:{*}:outbox', 'run:{*}:timers', 'run:{*}:acts'];
    await redis.admin.call('ACL', 'SETUSER', 'nohistory', 'on', '>pw', '%R~*', ...writable.map((p) => `~${prefix}:${p}`), '&*', '+@all');
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    const worker = await spawn(redis.url.replace('redis://', 'redis://nohistory:pw@'));
    const { runId } = await engine.start('held', { input: { secret: SECRET } });
    await waitFor(async () => /job failed/.test(worker.stderr()), 'the worker logged the refused commit');
    expect(await executions(runId, 'long')).toBeGreaterThanOrEqual(1);
    expect(worker.stderr()).toMatch(/NOPERM/);
    expect(worker.stderr()).not.toContain(SECRET);
  }, 60_000);
});
