/**
 * The example flows run end to end on the embedded runtime with their real (in-memory) activities:
 * side effects land in the fakes' stores, queries answer while runs wait, timers and cancellation
 * behave, and replaying every run's history reproduces its final state.
 */
import { describe, expect, it } from 'vitest';
import { createEmbeddedEngine, ManualClock } from '../../src/runtime/memory/index.js';
import { createBatchActivities } from '../../workflows/activities/batch.js';
import { createPipelineActivities } from '../../workflows/activities/data-pipeline.js';
import { createApprovalActivities } from '../../workflows/activities/human-approval.js';
import { createOrderActivities } from '../../workflows/activities/order-fulfilment.js';
import { createReportActivities } from '../../workflows/activities/scheduled-report.js';
import { createOrchestrationActivities } from '../../workflows/activities/service-orchestration.js';
import { TEST_LIMITS, example, expectEveryRunReplays, until } from './helpers.js';

const HOUR = 3_600_000;

describe('order-fulfilment end to end', () => {
  it('ships an approved order and answers the status query', async () => {
    const { activities, stores } = createOrderActivities();
    const engine = createEmbeddedEngine({ activities, skipTimers: true, clock: new ManualClock(), limits: TEST_LIMITS });
    const result = await engine.run(await example('order-fulfilment'), {
      id: 'order-1',
      input: { orderId: 'o-1', sku: 'B2', qty: 2, customer: 'ann', address: '1 Main St' },
      signals: [{ name: 'approve', data: { by: 'bob' } }],
    });
    expect(result).toMatchObject({ status: 'completed', output: { orderId: 'o-1', approvedBy: 'bob', chargeId: 'ch-0002' } });
    expect(await engine.query('order-1', 'status')).toBe('shipped');
    expect(stores.stock.get('B2')).toBe(3);
    expect([...stores.charges.values()]).toEqual([{ chargeId: 'ch-0002', amount: 50, refunded: false }]);
    expect(stores.shipments.size).toBe(1);
    expect(await expectEveryRunReplays(engine)).toBe(1);
    await engine.close();
  });

  it('escalates after a day without approval, then ships when the lead approves', async () => {
    const { activities, stores } = createOrderActivities();
    const clock = new ManualClock();
    const engine = createEmbeddedEngine({ activities, clock, limits: TEST_LIMITS });
    const definition = await example('order-fulfilment');
    await engine.deploy(definition);
    await engine.start('order-fulfilment', { id: 'order-2', input: { orderId: 'o-2', sku: 'A1', qty: 1, customer: 'ann' } });
    await until(async () => (await engine.query('order-2', 'status')) === 'awaiting-approval', 'the approval wait');
    clock.advance(24 * HOUR);
    await until(async () => (await engine.query('order-2', 'status')) === 'escalated', 'the escalation');
    expect(stores.escalations).toEqual(['o-2']);
    await engine.signal('order-2', 'approve', { by: 'on-call lead' });
    const result = await engine.result('order-2', { wait: true });
    expect(result).toMatchObject({ status: 'completed', output: { approvedBy: 'on-call lead' } });
    await expectEveryRunReplays(engine);
    await engine.close();
  });

  it('refunds and releases, newest first, when the order is rejected', async () => {
    const { activities, stores } = createOrderActivities();
    const engine = createEmbeddedEngine({ activities, skipTimers: true, clock: new ManualClock(), limits: TEST_LIMITS });
    const result = await engine.run(await example('order-fulfilment'), {
      input: { orderId: 'o-3', sku: 'B2', qty: 5, customer: 'ann' },
      signals: [{ name: 'approve', data: { by: 'carol', approved: false } }],
    });
    expect(result.status).toBe('compensated');
    expect(result.error).toMatchObject({ type: 'OrderRejected' });
    expect(stores.stock.get('B2')).toBe(5);
    expect([...stores.charges.values()][0]?.refunded).toBe(true);
    const history = await engine.history(result.runId);
    const undone = history.filter((h) => h.type === 'CompensationStarted').map((h) => h.stepId);
    expect(undone).toEqual(['pay', 'reserve']);
    await expectEveryRunReplays(engine);
    await engine.close();
  });
});

describe('data-pipeline end to end', () => {
  it('loads the clean records and quarantines the rest', async () => {
    const { activities, stores } = createPipelineActivities();
    const engine = createEmbeddedEngine({ activities, skipTimers: true, clock: new ManualClock(), limits: TEST_LIMITS });
    const result = await engine.run(await example('data-pipeline'), { input: { source: 'customers-2024' } });
    expect(result).toMatchObject({ status: 'completed', output: { loaded: 4, quarantined: ['c3', 'c5'] } });
    expect([...stores.warehouse.keys()].sort()).toEqual(['c1', 'c2', 'c4', 'c6']);
    expect(stores.warehouse.get('c1')).toEqual({ id: 'c1', name: 'Ada Lovelace', email: 'ada@example.com', country: 'GB', status: 'ok' });
    expect(stores.quarantine.map((q) => q.id).sort()).toEqual(['c3', 'c5']);
    await expectEveryRunReplays(engine);
    await engine.close();
  });
});

describe('batch end to end', () => {
  it('re-prices every active product once, retrying the chunks the pricing service dropped', async () => {
    const { activities, stores } = createBatchActivities();
    const engine = createEmbeddedEngine({ activities, skipTimers: true, clock: new ManualClock(), limits: TEST_LIMITS });
    const before = (stores.catalogues.get('spring') ?? []).map((p) => p.price);
    const result = await engine.run(await example('batch'), { input: { catalogue: 'spring', chunkSize: 10, increasePercent: 10 } });
    expect(result).toMatchObject({ status: 'completed', output: { chunks: 12, updated: 113, retriedChunks: [1, 4, 7, 10] } });
    const after = stores.catalogues.get('spring') ?? [];
    after.forEach((product, i) => {
      const expected = product.discontinued ? before[i] : Math.round((before[i] ?? 0) * 110) / 100;
      expect(product.price, product.sku).toBe(expected);
    });
    expect(stores.attempts.filter((a) => a.endsWith('/2')).sort()).toEqual(['1/2', '10/2', '4/2', '7/2']);
    await expectEveryRunReplays(engine);
    await engine.close();
  });
});

describe('service-orchestration end to end', () => {
  it('runs the services in parallel and the credit check as a child run', async () => {
    const { activities, calls } = createOrchestrationActivities();
    const engine = createEmbeddedEngine({ activities, skipTimers: true, clock: new ManualClock(), limits: TEST_LIMITS });
    await engine.deploy(await example('credit-check'));
    const result = await engine.run(await example('service-orchestration'), { id: 'overview-1', input: { customerId: 'cust-2' } });
    expect(result).toMatchObject({ status: 'completed', output: { recommendationSource: 'popular', creditBand: 'fair' } });
    const runs = await engine.list();
    const child = runs.find((r) => r.name === 'credit-check');
    expect(child?.status).toBe('completed');
    expect((await engine.describe(child?.runId ?? '')).parentRunId).toBe('overview-1');
    expect(calls.get('recs.personalised')).toBe(1);
    expect(await expectEveryRunReplays(engine)).toBe(2);
    await engine.close();
  });
});

describe('scheduled-report end to end', () => {
  it('reports on the day before the run when no date is given', async () => {
    const { activities, outbox } = createReportActivities();
    const clock = new ManualClock(Date.UTC(2026, 2, 2, 7, 0, 0));
    const engine = createEmbeddedEngine({ activities, clock, limits: TEST_LIMITS });
    const result = await engine.run(await example('scheduled-report'), { input: {} });
    expect(result).toMatchObject({ status: 'completed', output: { day: '2026-03-01', delivery: 'sent', headline: '42 orders, 12 tickets' } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ to: ['team@example.com'], subject: 'Daily report for 2026-03-01' });
    await expectEveryRunReplays(engine);
    await engine.close();
  });
});

describe('human-approval end to end', () => {
  it('reminds the manager daily while the decision is pending, then completes', async () => {
    const { activities, stores } = createApprovalActivities();
    const clock = new ManualClock();
    const engine = createEmbeddedEngine({ activities, clock, limits: TEST_LIMITS });
    await engine.deploy(await example('human-approval'));
    await engine.start('human-approval', { id: 'exp-1', input: { requester: 'sam', amount: 300, purpose: 'course' } });
    await until(async () => (await engine.query('exp-1', 'status')) === 'awaiting-manager', 'the manager wait');
    clock.advance(24 * HOUR);
    await until(() => stores.notifications.length === 1, 'the first reminder');
    clock.advance(24 * HOUR);
    await until(() => stores.notifications.length === 2, 'the second reminder');
    expect(stores.notifications).toEqual(['reminder manager REQ-0001', 'reminder manager REQ-0001']);
    await engine.signal('exp-1', 'decision', { approved: true, by: 'mia' });
    expect(await engine.result('exp-1', { wait: true })).toMatchObject({ status: 'completed', output: { approvedBy: ['mia'] } });
    expect(await engine.query('exp-1', 'approvedBy')).toEqual(['mia']);
    expect(stores.requests.get('REQ-0001')?.state).toBe('approved');
    await expectEveryRunReplays(engine);
    await engine.close();
  });

  it('withdraws the request when the run is cancelled', async () => {
    const { activities, stores } = createApprovalActivities();
    const clock = new ManualClock();
    const engine = createEmbeddedEngine({ activities, clock, limits: TEST_LIMITS });
    await engine.deploy(await example('human-approval'));
    await engine.start('human-approval', { id: 'exp-2', input: { requester: 'sam', amount: 5000, purpose: 'laptop' } });
    await until(async () => (await engine.query('exp-2', 'status')) === 'awaiting-manager', 'the manager wait');
    await engine.cancel('exp-2', 'requester changed their mind');
    const result = await engine.result('exp-2', { wait: true });
    expect(result.status).toBe('cancelled');
    expect(stores.requests.get('REQ-0001')).toMatchObject({ state: 'withdrawn', withdrawnBecause: 'Cancelled' });
    await expectEveryRunReplays(engine);
    await engine.close();
  });
});
