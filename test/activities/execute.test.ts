import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ActivityError, nonRetryable } from '../../src/activities/errors.js';
import { executeActivity, type ExecuteParams } from '../../src/activities/execute.js';
import type { ActivityContext } from '../../src/activities/types.js';

const params: ExecuteParams = {
  runId: 'run-1',
  stepId: 'charge',
  stepPath: '/steps/0',
  activity: 'payments.charge',
  attempt: 2,
  idempotencyKey: 'run-1/charge/1',
  workflow: { name: 'order', version: 3 },
  logger: pino({ level: 'silent' }),
};

describe('executeActivity', () => {
  it('returns the handler output and gives it the context', async () => {
    let seen: ActivityContext | undefined;
    const outcome = await executeActivity(
      async (input: { n: number }, ctx) => {
        seen = ctx;
        return input.n * 2;
      },
      { n: 21 },
      params,
    );
    expect(outcome).toEqual({ ok: true, output: 42 });
    expect(seen).toMatchObject({
      runId: 'run-1',
      stepId: 'charge',
      stepPath: '/steps/0',
      activity: 'payments.charge',
      attempt: 2,
      idempotencyKey: 'run-1/charge/1',
      workflow: { name: 'order', version: 3 },
    });
    expect(seen?.signal.aborted).toBe(false);
    expect(typeof seen?.log.info).toBe('function');
  });

  it('turns undefined into null', async () => {
    expect(await executeActivity(() => undefined, null, params)).toEqual({ ok: true, output: null });
  });

  it.each([
    ['a plain Error', () => new Error('boom'), { type: 'Error', message: 'boom' }],
    ['a subclass by its name', () => Object.assign(new TypeError('bad'), {}), { type: 'TypeError', message: 'bad' }],
    [
      'an ActivityError',
      () => new ActivityError('CardDeclined', 'declined', { details: { code: 51 } }),
      { type: 'CardDeclined', message: 'declined', details: { code: 51 } },
    ],
    [
      'a non-retryable ActivityError',
      () => new ActivityError('Fatal', 'no', { nonRetryable: true }),
      { type: 'Fatal', message: 'no', nonRetryable: true },
    ],
    ['an object with a type field', () => ({ type: 'Custom', message: 'm' }), { type: 'Custom', message: 'm' }],
    ['a string', () => 'oops', { type: 'Error', message: 'oops' }],
    ['nonRetryable(plain error)', () => nonRetryable(new RangeError('r')), { type: 'RangeError', message: 'r', nonRetryable: true }],
  ])('turns %s into a typed failure', async (_label, make, expected) => {
    const outcome = await executeActivity(
      () => {
        throw make();
      },
      null,
      params,
    );
    expect(outcome).toEqual({ ok: false, error: expected });
  });

  it('fails with Timeout and raises the AbortSignal when timeoutMs elapses, even if the handler hangs', async () => {
    let signal: AbortSignal | undefined;
    const outcome = await executeActivity(
      (_input, ctx) => {
        signal = ctx.signal;
        return new Promise(() => undefined);
      },
      null,
      { ...params, timeoutMs: 20 },
    );
    expect(outcome).toMatchObject({ ok: false, error: { type: 'Timeout', message: expect.stringMatching(/timed out after 20ms$/) } });
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as { type?: string }).type).toBe('Timeout');
  });

  it('fails with Cancelled and raises the AbortSignal when cancelled', async () => {
    const cancel = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let signal: AbortSignal | undefined;
    const pending = executeActivity(
      (_input, ctx) => {
        signal = ctx.signal;
        started();
        return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))));
      },
      null,
      { ...params, cancelSignal: cancel.signal },
    );
    await running;
    cancel.abort();
    expect(await pending).toMatchObject({ ok: false, error: { type: 'Cancelled' } });
    expect(signal?.aborted).toBe(true);
  });

  it('never calls a handler that was cancelled before it began', async () => {
    const cancel = new AbortController();
    cancel.abort();
    let called = false;
    const outcome = await executeActivity(
      () => {
        called = true;
      },
      null,
      { ...params, cancelSignal: cancel.signal },
    );
    expect(outcome).toMatchObject({ ok: false, error: { type: 'Cancelled' } });
    expect(called).toBe(false);
  });

  it('passes heartbeats to the runtime', async () => {
    const beats: unknown[] = [];
    await executeActivity(
      (_input, ctx) => {
        ctx.heartbeat({ done: 1 });
        ctx.heartbeat();
      },
      null,
      { ...params, onHeartbeat: (d) => beats.push(d) },
    );
    expect(beats).toEqual([{ done: 1 }, undefined]);
  });
});
