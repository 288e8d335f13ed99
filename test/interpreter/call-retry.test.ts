import { describe, expect, it } from 'vitest';
import { flow, retry, Run, T0 } from './harness.js';

describe('call: scheduling, results, retries, timeouts', () => {
  it('schedules with the evaluated input, attempt, idempotency key, path, id, timeout and queue', async () => {
    const def = flow([{ kind: 'call', id: 'charge', call: 'pay.charge', with: { amount: '${ $input.qty * 10 }' }, timeoutMs: 5000, taskQueue: 'payments' }]);
    const run = await Run.start(def, { qty: 3 });
    expect(run.commands).toEqual([
      { type: 'ScheduleActivity', seq: 1, activity: 'pay.charge', input: { amount: 30 }, attempt: 1, idempotencyKey: 'r1:n1', stepPath: '/steps/0', stepId: 'charge', timeoutMs: 5000, taskQueue: 'payments' },
      { type: 'StartTimer', seq: 2, at: T0 + 5000, purpose: 'step-timeout' },
    ]);
    expect(run.types()).toEqual(['RunStarted', 'StepScheduled', 'TimerStarted']);
    await run.complete(1, { chargeId: 'c1' }, T0 + 10);
    expect(run.commands).toEqual([{ type: 'CancelTimer', seq: 2 }]);
    expect(run.state).toMatchObject({ status: 'completed', output: { chargeId: 'c1' }, endedAt: T0 + 10, updatedAt: T0 + 10 });
  });

  it('absent `with` gives the activity a null input', async () => {
    const run = await Run.start(flow([{ kind: 'call', call: 'a' }]));
    expect(run.schedules()[0]!.input).toBeNull();
  });

  it('applies defaults.retry and defaults.timeout to calls without their own', async () => {
    const def = flow([{ kind: 'call', call: 'a' }], { defaults: { timeoutMs: 100, retry: retry({ maxAttempts: 2 }) } });
    const run = await Run.start(def);
    expect(run.schedules()[0]!.timeoutMs).toBe(100);
    await run.fail(1, { type: 'Boom', message: 'x' });
    expect(run.timers('retry')).toHaveLength(1);
  });

  it('carries heartbeatTimeout in every attempt\'s command and starts no timer for it (the executor measures heartbeats)', async () => {
    const def = flow([{ kind: 'call', call: 'a', heartbeatTimeoutMs: 200, retry: retry({ maxAttempts: 2 }) }, { kind: 'call', call: 'b' }], {
      defaults: { heartbeatTimeoutMs: 30_000 },
    });
    const run = await Run.start(def);
    expect(run.commands).toEqual([expect.objectContaining({ type: 'ScheduleActivity', attempt: 1, heartbeatTimeoutMs: 200 })]);
    await run.fail(1, { type: 'HeartbeatTimeout', message: 'no heartbeat' });
    expect(run.timers('retry')).toHaveLength(1);
    await run.fire(run.timers('retry')[0]!);
    expect(run.schedules()).toEqual([expect.objectContaining({ activity: 'a', attempt: 2, heartbeatTimeoutMs: 200 })]);
    await run.complete(run.schedules()[0]!.seq, 'ok');
    // A hand-built definition without the loader's fill: the core falls back to defaults.
    expect(run.commands).toEqual([expect.objectContaining({ type: 'ScheduleActivity', activity: 'b', heartbeatTimeoutMs: 30_000 })]);
  });

  type Case = { name: string; policy: ReturnType<typeof retry>; errors: Array<{ type: string; message: string; nonRetryable?: boolean }>; delays: number[]; status: string };
  const cases: Case[] = [
    { name: 'exponential backoff', policy: retry({ maxAttempts: 4 }), errors: [1, 2, 3, 4].map(() => ({ type: 'Boom', message: 'x' })), delays: [1000, 2000, 4000], status: 'failed' },
    { name: 'capped by maxInterval', policy: retry({ maxAttempts: 4, initialIntervalMs: 1000, backoffCoefficient: 10, maxIntervalMs: 5000 }), errors: [1, 2, 3, 4].map(() => ({ type: 'Boom', message: 'x' })), delays: [1000, 5000, 5000], status: 'failed' },
    { name: 'nonRetryable list stops at once', policy: retry({ maxAttempts: 5, nonRetryable: ['CardDeclined'] }), errors: [{ type: 'CardDeclined', message: 'no' }], delays: [], status: 'failed' },
    { name: 'error.nonRetryable stops at once', policy: retry({ maxAttempts: 5 }), errors: [{ type: 'Boom', message: 'no', nonRetryable: true }], delays: [], status: 'failed' },
    { name: 'ActivityNotFound is never retried', policy: retry({ maxAttempts: 5 }), errors: [{ type: 'ActivityNotFound', message: 'no' }], delays: [], status: 'failed' },
    { name: 'success on a later attempt', policy: retry({ maxAttempts: 3 }), errors: [{ type: 'Boom', message: 'x' }], delays: [1000], status: 'completed' },
  ];
  it.each(cases)('$name', async ({ policy, errors, delays, status }) => {
    const run = await Run.start(flow([{ kind: 'call', id: 'a', call: 'a', retry: policy }]));
    const seen: number[] = [];
    let schedule = run.schedules()[0]!;
    for (let i = 0; ; i++) {
      expect(schedule.attempt).toBe(i + 1);
      expect(schedule.idempotencyKey).toBe('r1:n1');
      const error = errors[i];
      if (!error) {
        await run.complete(schedule.seq, 'ok');
        break;
      }
      await run.fail(schedule.seq, error);
      const [timer] = run.timers('retry');
      if (!timer) break;
      seen.push(timer.at - run.now);
      await run.fire(timer);
      schedule = run.schedules()[0]!;
    }
    expect(seen).toEqual(delays);
    expect(run.state.status).toBe(status);
    if (status === 'failed') expect(run.state.error).toMatchObject({ type: errors[errors.length - 1]!.type, step: 'a' });
    expect(run.history.filter((h) => h.type === 'StepRetried').map((h) => h.details?.delayMs)).toEqual(delays);
  });

  it('jitter shortens the delay deterministically (same run id and seq → same delay)', async () => {
    const def = flow([{ kind: 'call', call: 'a', retry: retry({ maxAttempts: 2, initialIntervalMs: 10_000, jitter: 0.5 }) }]);
    const delays: number[] = [];
    for (const runId of ['r1', 'r1', 'r2']) {
      const run = await Run.start(def, {}, runId);
      await run.fail(1, { type: 'Boom', message: 'x' });
      delays.push(run.timers('retry')[0]!.at - run.now);
    }
    expect(delays[0]).toBe(delays[1]);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(5000);
      expect(d).toBeLessThanOrEqual(10_000);
    }
  });

  it('a timed-out attempt fails with Timeout, cancels the activity and is retried; its late result is ignored', async () => {
    const def = flow([{ kind: 'call', id: 'slow', call: 'slow', timeoutMs: 500, retry: retry({ maxAttempts: 2, initialIntervalMs: 100 }) }]);
    const run = await Run.start(def);
    const timeout = run.timers('step-timeout')[0]!;
    await run.fire(timeout);
    expect(run.commands).toEqual([
      { type: 'CancelActivity', seq: 1 },
      { type: 'StartTimer', seq: 3, at: T0 + 600, purpose: 'retry' },
    ]);
    expect(run.history.find((h) => h.type === 'StepFailed')?.details?.error).toMatchObject({ type: 'Timeout', step: 'slow' });
    const backoff = run.timers('retry')[0]!;
    const stale = await run.complete(1, 'late');
    expect(stale.accepted).toBe(false);
    expect(stale.history).toEqual([]);
    expect(stale.state).toBe(run.state);
    await run.fire(backoff);
    const [again] = run.schedules();
    expect(again).toMatchObject({ seq: 4, attempt: 2, idempotencyKey: 'r1:n1' });
    await run.complete(4, 'done');
    expect(run.state.output).toBe('done');
  });

  it('ignores results for unknown seqs and duplicate results', async () => {
    const run = await Run.start(flow([{ kind: 'call', call: 'a' }, { kind: 'call', call: 'b' }]));
    expect((await run.complete(99, 'x')).accepted).toBe(false);
    await run.complete(1, 'x');
    const rev = run.state.revision;
    expect((await run.complete(1, 'again')).accepted).toBe(false);
    expect((await run.fail(1, { type: 'E', message: 'm' })).accepted).toBe(false);
    expect(run.state.revision).toBe(rev);
  });

  it('records ActivityStarted for an awaited attempt only', async () => {
    const run = await Run.start(flow([{ kind: 'call', id: 'a', call: 'a' }]));
    const d = await run.send({ type: 'ActivityStarted', seq: 1, attempt: 1 });
    expect(d.accepted).toBe(true);
    expect(d.history).toMatchObject([{ type: 'ActivityStarted', seq: 1, attempt: 1, path: '/steps/0', stepId: 'a' }]);
    expect((await run.send({ type: 'ActivityStarted', seq: 7, attempt: 1 })).accepted).toBe(false);
  });

  it('numbers history entries without gaps and keeps revision/historyLength up to date', async () => {
    const run = await Run.start(flow([{ kind: 'call', call: 'a' }, { kind: 'call', call: 'b' }]));
    await run.complete(1, 1);
    await run.complete(2, 2);
    expect(run.history.map((h) => h.index)).toEqual(run.history.map((_, i) => i));
    expect(run.state.historyLength).toBe(run.history.length);
    expect(run.state.revision).toBe(3);
  });
});
