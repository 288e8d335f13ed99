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
    // Redis's clock and this process's agree to within a few ms: allow that much at the window's edge.
    expect(busiestWindow(starts, 990)).toBeLessThanOrEqual(10);
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
    expect(busiestWindow(starts, 490)).toBeLessThanOrEqual(5);
    expectEachRanOnceWithoutRetry(await engine.history(runId), 12);
  });

  it('refuses a malformed worker option before it serves anything', async () => {
    await expect(startWorker({ url: TEST_REDIS_URL, prefix, activities: {}, rateLimits: { 'partner.charge': { max: 10, per: '3d' } } })).rejects.toThrow(RateLimitInvalidError);
  });
});
