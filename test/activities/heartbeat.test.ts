/** Heartbeats in the executor: the heartbeatTimeout, its restart on each heartbeat, the AbortSignal, lastHeartbeat. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { executeActivity, type ActivityOutcome, type ExecuteParams } from '../../src/activities/execute.js';
import type { ActivityContext } from '../../src/activities/types.js';
import { heartbeatDetails } from '../../src/runtime/common/heartbeat-details.js';
import { heartbeatWriteIntervalMs } from '../../src/runtime/redis/heartbeats.js';

const params: ExecuteParams = {
  runId: 'run-1',
  stepId: 'import',
  stepPath: '/steps/0',
  activity: 'files.import',
  attempt: 1,
  idempotencyKey: 'run-1:n1',
  workflow: { name: 'imports', version: 1 },
  logger: pino({ level: 'silent' }),
};

/** Starts a handler that never returns on its own; gives back its context and its settled outcome (if any). */
function startHanging(overrides: Partial<ExecuteParams>): { ctx: () => ActivityContext; outcome: () => ActivityOutcome | undefined; done: Promise<ActivityOutcome> } {
  let seen: ActivityContext | undefined;
  let settled: ActivityOutcome | undefined;
  const done = executeActivity(
    (_input, ctx) => {
      seen = ctx;
      return new Promise(() => undefined);
    },
    null,
    { ...params, ...overrides },
  ).then((outcome) => (settled = outcome));
  return { ctx: () => seen as ActivityContext, outcome: () => settled, done };
}

describe('executeActivity with a heartbeatTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails an attempt that never heartbeats with HeartbeatTimeout, measured from its start, and raises its AbortSignal', async () => {
    const attempt = startHanging({ heartbeatTimeoutMs: 200 });
    const signal = attempt.ctx().signal;
    await vi.advanceTimersByTimeAsync(199);
    expect(attempt.outcome()).toBeUndefined();
    expect(signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt.outcome()).toMatchObject({ ok: false, error: { type: 'HeartbeatTimeout', message: expect.stringContaining('200 ms') } });
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('HeartbeatTimeout');
  });

  it('each heartbeat restarts the bound: an attempt that heartbeats keeps running past it', async () => {
    const attempt = startHanging({ heartbeatTimeoutMs: 200 });
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(150);
      attempt.ctx().heartbeat({ progress: i });
    }
    // 1,500 ms in, far past 200 ms from the start: still running.
    expect(attempt.outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(199);
    expect(attempt.outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt.outcome()).toMatchObject({ ok: false, error: { type: 'HeartbeatTimeout' } });
  });

  it('a heartbeat without details counts as liveness too', async () => {
    const attempt = startHanging({ heartbeatTimeoutMs: 100 });
    await vi.advanceTimersByTimeAsync(90);
    attempt.ctx().heartbeat();
    await vi.advanceTimersByTimeAsync(90);
    expect(attempt.outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10);
    expect(attempt.outcome()).toMatchObject({ ok: false, error: { type: 'HeartbeatTimeout' } });
  });

  it('the overall timeout still applies to an attempt that heartbeats', async () => {
    const attempt = startHanging({ heartbeatTimeoutMs: 100, timeoutMs: 250 });
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(50);
      attempt.ctx().heartbeat();
    }
    expect(attempt.outcome()).toMatchObject({ ok: false, error: { type: 'Timeout' } });
  });

  it('passes details to the runtime while the attempt runs, and ignores heartbeats after it ended', async () => {
    const beats: unknown[] = [];
    const attempt = startHanging({ heartbeatTimeoutMs: 100, onHeartbeat: (details) => beats.push(details) });
    attempt.ctx().heartbeat({ progress: 1 });
    await vi.advanceTimersByTimeAsync(100);
    expect(attempt.outcome()).toMatchObject({ ok: false, error: { type: 'HeartbeatTimeout' } });
    // A handler that ignores its AbortSignal must not overwrite what the next attempt reads.
    attempt.ctx().heartbeat({ progress: 2 });
    expect(beats).toEqual([{ progress: 1 }]);
  });

  it('details the runtime refuses throw into the handler and do not count as a heartbeat', async () => {
    let thrown: unknown;
    const attempt = startHanging({
      heartbeatTimeoutMs: 100,
      onHeartbeat: () => {
        throw new Error('refused');
      },
    });
    await vi.advanceTimersByTimeAsync(90);
    try {
      attempt.ctx().heartbeat({ huge: true });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).message).toBe('refused');
    await vi.advanceTimersByTimeAsync(10);
    expect(attempt.outcome()).toMatchObject({ ok: false, error: { type: 'HeartbeatTimeout' } });
  });
});

describe('ctx.lastHeartbeat', () => {
  it('is what the runtime hands over, and undefined when there is none', async () => {
    const seen: unknown[] = [];
    await executeActivity((_input, ctx) => void seen.push(ctx.lastHeartbeat), null, params);
    await executeActivity((_input, ctx) => void seen.push(ctx.lastHeartbeat), null, { ...params, attempt: 2, lastHeartbeat: { progress: 7 } });
    expect(seen).toEqual([undefined, { progress: 7 }]);
  });

  it('a handler without heartbeatTimeout or recorder may still call heartbeat', async () => {
    expect(await executeActivity((_input, ctx) => (ctx.heartbeat({ a: 1 }), 'ok'), null, params)).toEqual({ ok: true, output: 'ok' });
  });
});

describe('heartbeat details and their writes', () => {
  it('details are stored as a JSON copy; too large or non-JSON details are refused with a typed error', () => {
    const details = { progress: 3, at: new Date(0) };
    expect(heartbeatDetails(details, 'import', 1000)).toEqual({ progress: 3, at: '1970-01-01T00:00:00.000Z' });
    expect(() => heartbeatDetails({ blob: 'x'.repeat(2000) }, 'import', 1000)).toThrow(
      expect.objectContaining({ type: 'PayloadTooLarge', message: expect.stringContaining('heartbeat details of step "import"') }),
    );
    expect(() => heartbeatDetails({ big: 1n }, 'import', 1000)).toThrow(expect.objectContaining({ type: 'HeartbeatDetailsInvalid' }));
  });

  it('the Redis write interval is 80% of the heartbeatTimeout, within 1 s and 30 s', () => {
    expect(heartbeatWriteIntervalMs(200)).toBe(1000);
    expect(heartbeatWriteIntervalMs(10_000)).toBe(8000);
    expect(heartbeatWriteIntervalMs(600_000)).toBe(30_000);
    expect(heartbeatWriteIntervalMs(undefined)).toBe(30_000);
  });
});
