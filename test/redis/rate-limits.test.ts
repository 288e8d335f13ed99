/**
 * Rate limits on Redis (docs/decisions/0016-rate-limits.md): two workers share one window per
 * activity; 30 calls at max 10 per 1s take at least 2 s, none fails, each runs once, and the
 * limit never shows in history as a retry or a failure. A task-queue limit of a worker option too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import { RateLimitInvalidError } from '../../src/errors.js';
import type { HistoryEntry } from '../../src/interpreter/types.js';
import { createRedisEngine, startWorker, type RedisEngine, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { RedisRuntime } from '../../src/runtime/redis/runtime.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';

const FAN_OUT = loadDefinition(
  `
dsl: flowline/v1
name: fan-out
version: 1
rateLimits:
  partner.charge: { max: 10, per: 1s }
steps:
  - id: charges
    forEach: \${ $input.customers }
    concurrency: 30
    steps:
      - call: partner.charge
        with: { customer: '\${ $item }' }
`,
  { file: 'fan-out.yaml' },
);

const QUEUED = loadDefinition(
  `
dsl: flowline/v1
name: queued
version: 1
steps:
  - forEach: \${ $input.customers }
    concurrency: 12
    steps:
      - call: mail.send
        taskQueue: mail
        with: { customer: '\${ $item }' }
`,
  { file: 'queued.yaml' },
);

const SEQUENTIAL = loadDefinition(
  `
dsl: flowline/v1
name: sequential
version: 1
rateLimits:
  ledger.post: { max: 5, per: 500ms }
steps:
  - forEach: \${ $input.customers }
    steps:
      - call: ledger.post
        with: { customer: '\${ $item }' }
`,
  { file: 'sequential.yaml' },
);

const customers = Array.from({ length: 30 }, (_, i) => `c${i}`);
/** Wall-clock start times of each call, by activity and customer, and which worker ran it. */
const calls = new Map<string, { at: number; worker: string }[]>();
const handlerOf = (worker: string, activity: string) => (input: unknown): string => {
  const key = `${activity}|${(input as { customer: string }).customer}`;
  calls.set(key, [...(calls.get(key) ?? []), { at: Date.now(), worker }]);
  return 'ok';
};
const activitiesOf = (worker: string): Record<string, (input: unknown) => string> => ({
  'partner.charge': handlerOf(worker, 'partner.charge'),
  'mail.send': handlerOf(worker, 'mail.send'),
  'ledger.post': handlerOf(worker, 'ledger.post'),
});

function startsOf(activity: string): number[] {
  return [...calls.entries()].filter(([key]) => key.startsWith(`${activity}|`)).flatMap(([, list]) => list.map((c) => c.at));
}

/** The most calls any window of `perMs` holds. */
function busiestWindow(starts: readonly number[], perMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  return Math.max(...sorted.map((start, i) => sorted.filter((other, j) => j >= i && other < start + perMs).length));
}

function expectEachRanOnceWithoutRetry(history: readonly HistoryEntry[], count: number): void {
  expect(history.filter((e) => ['ActivityFailed', 'StepRetried', 'StepFailed', 'TimerStarted'].includes(e.type))).toEqual([]);
  const started = history.filter((e) => e.type === 'ActivityStarted');
  expect(started).toHaveLength(count);
  expect(started.every((e) => e.attempt === 1)).toBe(true);
}

const prefix = uniquePrefix('fltest-ratelimit');
let raw: Redis;
let engine: RedisEngine;
const workers: WorkerHandle[] = [];

beforeAll(async () => {
  raw = rawClient();
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  await engine.deploy(FAN_OUT);
  await engine.deploy(QUEUED);
  await engine.deploy(SEQUENTIAL);
  const queueLimit = { 'queue:mail': { max: 5, per: '500ms' } };
  for (const name of ['one', 'two']) {
    workers.push(await startWorker({ url: TEST_REDIS_URL, prefix, activities: activitiesOf(name), taskQueues: ['default', 'mail'], concurrency: 20, maintenanceIntervalMs: 0, rateLimits: queueLimit }));
  }
});

afterAll(async () => {
  for (const worker of workers) await worker.close({ force: true });
  await engine.close();
  await deletePrefix(raw, prefix);
  await raw.quit();
});

describe('rate limits on Redis, shared by two workers', () => {
  it('30 calls at max 10 per 1s take at least 2 s; none fails, each runs once, both workers ran calls', async () => {
    const started = Date.now();
    const { runId } = await engine.start('fan-out', { input: { customers } });
    const result = await engine.result(runId, { wait: true, timeoutMs: 25_000 });
    expect(result.status).toBe('completed');
    const starts = startsOf('partner.charge');
    expect(starts).toHaveLength(30);
    expect(customers.every((c) => calls.get(`partner.charge|${c}`)?.length === 1)).toBe(true);
    expect(Math.max(...starts) - started).toBeGreaterThanOrEqual(2_000);
    // Admission is on Redis's clock; a handler starts a few ms after it (more for a job's first
    // attempt): check slightly shorter windows than the limit's.
    expect(busiestWindow(starts, 900)).toBeLessThanOrEqual(10);
    expect(new Set([...calls.values()].flat().map((c) => c.worker)).size).toBe(2);
    expectEachRanOnceWithoutRetry(await engine.history(runId), 30);
    // The window is one sorted set under the prefix, shared by both workers.
    expect(await raw.zcard(`${prefix}:{ratelimit}:activity:partner.charge`)).toBeGreaterThan(0);
  });

  it('a worker option limits a whole task queue: 12 calls at max 5 per 500ms take at least 1 s', async () => {
    const started = Date.now();
    const { runId } = await engine.start('queued', { input: { customers: customers.slice(0, 12) } });
    expect((await engine.result(runId, { wait: true, timeoutMs: 25_000 })).status).toBe('completed');
    const starts = startsOf('mail.send');
    expect(starts).toHaveLength(12);
    expect(Math.max(...starts) - started).toBeGreaterThanOrEqual(1_000);
    expect(busiestWindow(starts, 400)).toBeLessThanOrEqual(5);
    expectEachRanOnceWithoutRetry(await engine.history(runId), 12);
  });

  it('an attempt started eagerly in the slot its predecessor freed waits in that slot: 12 calls one after the other at max 5 per 500ms', async () => {
    const started = Date.now();
    const { runId } = await engine.start('sequential', { input: { customers: customers.slice(0, 12) } });
    expect((await engine.result(runId, { wait: true, timeoutMs: 25_000 })).status).toBe('completed');
    const starts = startsOf('ledger.post');
    expect(starts).toHaveLength(12);
    expect(Math.max(...starts) - started).toBeGreaterThanOrEqual(1_000);
    expect(busiestWindow(starts, 400)).toBeLessThanOrEqual(5);
    expectEachRanOnceWithoutRetry(await engine.history(runId), 12);
    // One item after the other, each next attempt claimed by the previous answer: one job carried
    // most of them (eager execution), so the waits happened inside a slot, not in the queue.
    const workersThatRan = new Set([...calls.entries()].filter(([key]) => key.startsWith('ledger.post|')).flatMap(([, list]) => list.map((c) => c.worker)));
    expect(workersThatRan.size).toBe(1);
  });

  it('the script admits max calls per window, then answers how long until the oldest leaves; a longer window on the same log is kept', async () => {
    const runtime = new RedisRuntime({ url: TEST_REDIS_URL, prefix }, { blocking: false });
    try {
      const { log, horizon } = runtime.keys.rateLimit('activity:script.check');
      const admit = async (member: string, ...limits: number[]): Promise<number> =>
        Number(await runtime.client.flRateLimit(2, log, horizon, member, 1, limits.length / 2, ...limits));
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await admit(`m${i}`, 3, 60_000));
      expect(answers.slice(0, 3)).toEqual([0, 0, 0]);
      // Nothing was recorded for the refused call; the wait is the rest of the oldest's minute.
      expect(answers[3]).toBeGreaterThan(55_000);
      expect(answers[3]).toBeLessThanOrEqual(60_000);
      expect(await raw.zcard(log)).toBe(3);
      // A 1 ms window on the same log admits at once, and does not trim what the minute still counts.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await admit('short', 1, 1)).toBe(0);
      expect(await raw.zcard(log)).toBe(4);
      expect(Number(await raw.get(horizon))).toBe(60_000);
    } finally {
      await runtime.close();
    }
  });

  it('refuses a malformed worker option before it serves anything', async () => {
    await expect(startWorker({ url: TEST_REDIS_URL, prefix, activities: {}, rateLimits: { 'partner.charge': { max: 10, per: '3d' } } })).rejects.toThrow(RateLimitInvalidError);
  });
});
