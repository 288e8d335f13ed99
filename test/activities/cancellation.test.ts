/** The cheap paths of an attempt: AttemptCancellation, the lazily made AbortSignal, synchronous handlers, and one-pass output checks. */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { AttemptAborted, AttemptCancellation, executeActivity, type ExecuteParams } from '../../src/activities/execute.js';
import { answerOf } from '../../src/runtime/common/activity-outcome.js';
import { storedJson } from '../../src/runtime/common/payload-limits.js';

const params: ExecuteParams = {
  runId: 'run-1',
  stepId: 'ship',
  stepPath: '/steps/1',
  activity: 'shipping.book',
  attempt: 1,
  idempotencyKey: 'run-1:n2',
  workflow: { name: 'order', version: 1 },
  logger: pino({ level: 'silent' }),
};

describe('AttemptCancellation', () => {
  it('fails an attempt in flight with Cancelled and raises the AbortSignal the handler read', async () => {
    const cancellation = new AttemptCancellation();
    let signal: AbortSignal | undefined;
    const outcome = executeActivity(
      (_input, ctx) => {
        signal = ctx.signal;
        return new Promise(() => {});
      },
      null,
      { ...params, cancellation },
    );
    cancellation.cancel();
    expect(await outcome).toEqual({ ok: false, error: { type: 'Cancelled', message: 'activity shipping.book was cancelled' } });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(AttemptAborted);
  });

  it('never calls the handler when cancelled before the attempt begins', async () => {
    const cancellation = new AttemptCancellation();
    cancellation.cancel();
    let called = false;
    const outcome = await executeActivity(() => {
      called = true;
      return 1;
    }, null, { ...params, cancellation });
    expect(called).toBe(false);
    expect(outcome).toMatchObject({ ok: false, error: { type: 'Cancelled' } });
  });

  it('gives an already raised signal to a handler that reads it after the cancel', async () => {
    const cancellation = new AttemptCancellation();
    let read: (() => AbortSignal) | undefined;
    const outcome = executeActivity(
      (_input, ctx) => {
        read = () => ctx.signal;
        return new Promise(() => {});
      },
      null,
      { ...params, cancellation },
    );
    cancellation.cancel();
    await outcome;
    expect(read?.().aborted).toBe(true);
  });

  it('does not touch a finished attempt', async () => {
    const cancellation = new AttemptCancellation();
    const outcome = await executeActivity(async () => 'done', null, { ...params, cancellation });
    cancellation.cancel();
    expect(outcome).toEqual({ ok: true, output: 'done' });
    expect(cancellation.cancelled).toBe(true);
  });
});

describe('synchronous handlers', () => {
  it('turns a returned value and a thrown error into outcomes', async () => {
    expect(await executeActivity(() => undefined, null, params)).toEqual({ ok: true, output: null });
    const failed = await executeActivity(() => {
      throw Object.assign(new Error('no stock'), { type: 'OutOfStock' });
    }, null, params);
    expect(failed).toMatchObject({ ok: false, error: { type: 'OutOfStock', message: 'no stock' } });
  });

  it('still times out an async handler that ignores its signal', async () => {
    const outcome = await executeActivity(() => new Promise(() => {}), null, { ...params, timeoutMs: 5 });
    expect(outcome).toMatchObject({ ok: false, error: { type: 'Timeout' } });
  });
});

describe('output checks in one serialisation', () => {
  it('keeps JSON primitives as they are and copies objects as plain JSON', () => {
    expect(storedJson(null)).toEqual({ value: null, size: 4 });
    expect(storedJson(undefined)).toEqual({ value: null, size: 4 });
    expect(storedJson(false)).toEqual({ value: false, size: 5 });
    expect(storedJson(12.5)).toEqual({ value: 12.5, size: 4 });
    expect(storedJson(-0)).toEqual({ value: 0, size: 1 });
    expect(storedJson(Number.NaN)).toEqual({ value: null, size: 4 });
    const date = new Date(0);
    expect(storedJson({ at: date, skip: undefined, é: 'ü' })).toEqual({ value: { at: '1970-01-01T00:00:00.000Z', é: 'ü' }, size: 43 });
  });

  it('fails an output above the limit, and one that is not JSON', () => {
    expect(answerOf(3, 'ship', { ok: true, output: 'x'.repeat(20) }, 10)).toMatchObject({ type: 'ActivityFailed', error: { type: 'PayloadTooLarge', details: { sizeBytes: 22, limitBytes: 10 } } });
    expect(answerOf(3, 'ship', { ok: true, output: 'x'.repeat(20) }, 1000)).toEqual({ type: 'ActivityCompleted', seq: 3, output: 'x'.repeat(20) });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(answerOf(3, 'ship', { ok: true, output: cyclic }, 1000)).toMatchObject({ type: 'ActivityFailed', error: { type: 'OutputInvalid', nonRetryable: true } });
  });
});
