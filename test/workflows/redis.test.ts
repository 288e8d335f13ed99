/**
 * The example flows end to end on the Redis runtime (a real Redis on 127.0.0.1:6379, a key prefix
 * of its own, an in-process worker with the examples' activities): the same outcomes as on the
 * embedded runtime, a child workflow across runs, cancellation, the report started by a schedule,
 * and every run's history replaying to its stored state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../src/interpreter/index.js';
import { createRedisEngine, startWorker, type RedisEngine, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { createActivities } from '../../workflows/activities/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from '../redis/helpers.js';
import { REPLAY_OPTIONS, TEST_LIMITS, example } from './helpers.js';

const EXAMPLES = ['hello-world', 'order-fulfilment', 'data-pipeline', 'batch', 'service-orchestration', 'credit-check', 'scheduled-report', 'human-approval'];
const prefix = uniquePrefix('fltest-examples');
let engine: RedisEngine;
let worker: WorkerHandle;

/** Poll `check` every 50 ms until it returns a value, failing after `limitMs` (waiting on Redis, not a sleep for ordering). */
async function eventually<T>(check: () => Promise<T | undefined>, what: string, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function expectReplays(runId: string): Promise<void> {
  const { definition, state, history } = await engine.inspect(runId);
  expect(await replay(definition, history, REPLAY_OPTIONS), `replay of ${state.workflow.name} run ${runId}`).toEqual(state);
}

async function runToEnd(name: string, input: unknown, signals: { name: string; data: unknown }[] = [], id?: string) {
  const { runId } = await engine.start(name, { input, ...(id ? { id } : {}) });
  for (const signal of signals) await engine.signal(runId, signal.name, signal.data);
  const result = await engine.result(runId, { wait: true, timeoutMs: 30_000 });
  await expectReplays(runId);
  return result;
}

beforeAll(async () => {
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix, limits: TEST_LIMITS });
  worker = await startWorker({ url: TEST_REDIS_URL, prefix, activities: createActivities(), concurrency: 20, maintenanceIntervalMs: 0, limits: TEST_LIMITS });
  for (const name of EXAMPLES) await engine.deploy(await example(name));
});

afterAll(async () => {
  await worker?.close({ force: true });
  await engine?.close();
  const client = rawClient();
  await deletePrefix(client, prefix);
  await client.quit();
});

describe('example flows on Redis', () => {
  it('hello-world', async () => {
    expect(await runToEnd('hello-world', { name: 'Ada' })).toMatchObject({ status: 'completed', output: { greeting: 'Hello, Ada!' } });
  });

  it('order-fulfilment ships an approved order and answers its status query', async () => {
    const result = await runToEnd(
      'order-fulfilment',
      { orderId: 'r-1', sku: 'A1', qty: 2, customer: 'ann' },
      [{ name: 'approve', data: { by: 'bob' } }],
      'redis-order-1',
    );
    expect(result).toMatchObject({ status: 'completed', output: { orderId: 'r-1', approvedBy: 'bob' } });
    expect(await engine.query('redis-order-1', 'status')).toBe('shipped');
  });

  it('order-fulfilment compensates a declined card', async () => {
    // No approval is sent: the card is declined before the approval wait, and the run may end
    // (compensated) before a signal would arrive, which would then be refused as RunNotActive.
    const result = await runToEnd('order-fulfilment', { orderId: 'r-2', sku: 'A1', qty: 1, customer: 'mallory' });
    expect(result).toMatchObject({ status: 'compensated', error: { type: 'CardDeclined' } });
    const history = await engine.history(result.runId);
    expect(history.filter((h) => h.type === 'CompensationStarted').map((h) => h.stepId)).toEqual(['reserve']);
  });

  it('data-pipeline quarantines bad records and loads the rest', async () => {
    expect(await runToEnd('data-pipeline', { source: 'customers-2024' })).toMatchObject({
      status: 'completed',
      output: { extracted: 6, loaded: 4, quarantined: ['c3', 'c5'] },
    });
  });

  it('batch re-prices a small catalogue', async () => {
    expect(await runToEnd('batch', { catalogue: 'small' })).toMatchObject({
      status: 'completed',
      output: { chunks: 1, updated: 3, skipped: [], retriedChunks: [] },
    });
  });

  it('service-orchestration races the fallback and runs the credit check as a child run', async () => {
    const result = await runToEnd('service-orchestration', { customerId: 'cust-2' }, [], 'redis-overview-2');
    expect(result).toMatchObject({ status: 'completed', output: { recommendationSource: 'popular', creditBand: 'fair' } });
    const child = (await engine.list({ name: 'credit-check' })).find((r) => r.status === 'completed');
    expect(child).toBeDefined();
    expect((await engine.describe(child?.runId ?? '')).parentRunId).toBe('redis-overview-2');
    await expectReplays(child?.runId ?? '');
  });

  it('human-approval completes with two decisions and withdraws a cancelled request', async () => {
    const approved = await runToEnd('human-approval', { requester: 'sam', amount: 2000, purpose: 'trip' }, [
      { name: 'decision', data: { approved: true, by: 'mia' } },
      { name: 'decision', data: { approved: true, by: 'dan' } },
    ]);
    expect(approved).toMatchObject({ status: 'completed', output: { approvedBy: ['mia', 'dan'] } });

    const { runId } = await engine.start('human-approval', { input: { requester: 'sam', amount: 50, purpose: 'books' } });
    await eventually(async () => ((await engine.query(runId, 'status')) === 'awaiting-manager' ? true : undefined), 'the manager wait');
    await engine.cancel(runId, 'changed my mind');
    const cancelled = await engine.result(runId, { wait: true, timeoutMs: 30_000 });
    expect(cancelled.status).toBe('cancelled');
    const history = await engine.history(runId);
    expect(history.some((h) => h.type === 'CompensationCompleted' && h.stepId === 'request')).toBe(true);
    await expectReplays(runId);
  });

  it('scheduled-report is started by a schedule', async () => {
    await engine.schedules.create({ id: 'daily-report', workflow: 'scheduled-report', input: { date: '2026-03-01' }, every: 1000 });
    try {
      const run = await eventually(
        async () => (await engine.list({ name: 'scheduled-report' })).find((r) => r.status === 'completed'),
        'a scheduled run to complete',
      );
      const result = await engine.result(run.runId);
      expect(result.output).toEqual({ day: '2026-03-01', delivery: 'sent', headline: '42 orders, 12 tickets' });
      await expectReplays(run.runId);
    } finally {
      await engine.schedules.delete('daily-report');
    }
  });
});
