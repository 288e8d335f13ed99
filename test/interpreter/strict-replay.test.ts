/**
 * Strict replay on the core's own runs: every decision must write what history recorded; a
 * history that says otherwise is a NonDeterminismError naming the entry and the step. Recorded
 * ExpressionTimeouts are taken from history, not evaluated again.
 */
import { describe, expect, it } from 'vitest';
import { decide, NonDeterminismError, replayStrict, type HistoryEntry } from '../../src/interpreter/index.js';
import { flow, retry, simulate, T0, TEST_LIMITS, Fail } from './harness.js';

const echo = (input: unknown) => input;

async function nonDeterminism(promise: Promise<unknown>): Promise<NonDeterminismError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(NonDeterminismError);
  return error as NonDeterminismError;
}

/** The history with entry `index` changed. */
function edited(history: readonly HistoryEntry[], index: number, change: (entry: HistoryEntry) => HistoryEntry): HistoryEntry[] {
  return history.map((entry) => (entry.index === index ? change(entry) : entry));
}

describe('strict replay', () => {
  const def = flow([
    { kind: 'call', id: 'a', call: 'flaky', retry: retry({ maxAttempts: 3 }) },
    { kind: 'parallel', branches: [{ kind: 'call', call: 'echo', with: 1 }, { kind: 'wait', durationMs: 100 }] },
    { kind: 'waitSignal', id: 's', signal: 'go' },
  ]);
  const activities = { echo, flaky: (_: unknown, attempt: number) => { if (attempt < 2) throw new Fail({ type: 'Flaky', message: 'again' }); return attempt; } };
  const recorded = async () => (await simulate(def, { activities, signals: [{ name: 'go', data: 1 }] })).run;

  it('replays an unchanged run and reaches its state', async () => {
    const run = await recorded();
    expect(run.state.status).toBe('completed');
    expect(await replayStrict(def, run.history, { limits: TEST_LIMITS })).toEqual(run.state);
  });

  it('an entry whose time differs is a difference: decisions use the event time', async () => {
    const run = await recorded();
    const scheduled = run.history.find((e) => e.type === 'StepScheduled' && e.stepId === 'a')!;
    const error = await nonDeterminism(replayStrict(def, edited(run.history, scheduled.index, (e) => ({ ...e, at: e.at + 1 }))));
    expect(error.details).toMatchObject({ entryIndex: scheduled.index, stepId: 'a', field: 'at' });
    expect(error.message).toContain('step a (/steps/0)');
  });

  it('an entry the decision no longer writes, and one it writes that history lacks, are named', async () => {
    const run = await recorded();
    const retried = run.history.find((e) => e.type === 'StepRetried')!;
    const missing = await nonDeterminism(replayStrict(def, run.history.filter((e) => e !== retried).map((e, i) => ({ ...e, index: i }))));
    expect(missing.details).toMatchObject({ stepId: 'a', expected: expect.stringMatching(/^TimerStarted/), got: 'StepRetried attempt 1' });
    const extra = [...run.history.slice(0, retried.index + 1), { ...retried, index: retried.index + 1, type: 'VariablesSet' as const }];
    const error = await nonDeterminism(replayStrict(def, extra.concat(run.history.slice(retried.index + 1).map((e) => ({ ...e, index: e.index + 1 })))));
    expect(error.details.entryIndex).toBe(retried.index + 1);
    expect(error.message).toContain('history recorded VariablesSet attempt 1');
  });

  it('an event the definition does not wait for (a stale answer in history) is a difference, not a silent skip', async () => {
    const run = await recorded();
    const completed = run.history.find((e) => e.type === 'ActivityCompleted' && e.stepId === 'a')!;
    const lastOfIt = run.history.findIndex((e, i) => i > completed.index && e.event !== undefined);
    const history = [...run.history.slice(0, lastOfIt), { ...completed, index: lastOfIt }, ...run.history.slice(lastOfIt).map((e) => ({ ...e, index: e.index + 1 }))];
    const error = await nonDeterminism(replayStrict(def, history));
    expect(error.details).toMatchObject({ entryIndex: lastOfIt, eventType: 'ActivityCompleted', stepId: 'a', got: null });
    expect(error.message).toContain('does not wait for that event');
  });

  it('a history that does not open with RunStarted is refused as misuse', async () => {
    const run = await recorded();
    await expect(replayStrict(def, run.history.slice(1))).rejects.toMatchObject({ type: 'CoreMisuse' });
  });
});

describe('recorded expression timeouts', () => {
  const SPIN = '($f := function($i){ $i > 1000000000 ? $i : $f($i + 1) }; $f(0))';
  const DEPTH = '($f := function($i){ $f($i + 1) + 1 }; $f(0))';
  const spinning = flow([{ kind: 'set', id: 'spin', set: { x: `\${ ${SPIN} }` } }]);
  const diving = flow([{ kind: 'set', id: 'dive', set: { x: `\${ ${DEPTH} }` } }]);

  /** The first decision of a run made under a 20 ms expression bound: the spin times out for real. */
  async function timedOut(): Promise<HistoryEntry[]> {
    const decision = await decide(spinning, undefined, { type: 'RunStarted', runId: 'r1', input: {}, at: T0 }, { limits: { ...TEST_LIMITS, timeoutMs: 20 } });
    expect(decision.state.error).toMatchObject({ type: 'ExpressionTimeout', step: 'spin' });
    return [...decision.history];
  }

  it('a timeout recorded live is taken from history: replay under a 10 s bound neither spins nor disagrees', async () => {
    const history = await timedOut();
    const state = await replayStrict(spinning, history, { limits: TEST_LIMITS });
    expect(state.error).toMatchObject({ type: 'ExpressionTimeout', step: 'spin' });
    expect(state.status).toBe('failed');
  });

  it('the expr-depth case: a recursion that timed out on a loaded machine replays as the timeout it recorded, not as the depth error it gives now', async () => {
    const live = await decide(diving, undefined, { type: 'RunStarted', runId: 'r1', input: {}, at: T0 }, { limits: TEST_LIMITS });
    expect(live.state.error?.type).toBe('ExpressionError');
    // What a loaded machine records for the same run: the recursion ran out of time first.
    const timeoutMessage = (await timedOut()).find((e) => e.type === 'StepFailed')!.details!['error'] as { message: string };
    const ranLonger = timeoutMessage.message.slice(timeoutMessage.message.indexOf('` ran longer than ') + 1);
    const asTimeout = { type: 'ExpressionTimeout', message: `expression \`${DEPTH}\`${ranLonger}`, nonRetryable: true, step: 'dive' };
    const loaded = live.history.map((e) => (e.details?.['error'] ? { ...e, details: { ...e.details, error: asTimeout } } : e));
    expect((await replayStrict(diving, loaded, { limits: TEST_LIMITS })).error).toEqual(asTimeout);
    // The depth error itself is deterministic and replays as recorded.
    expect((await replayStrict(diving, live.history, { limits: TEST_LIMITS })).error?.type).toBe('ExpressionError');
  });

  it('a recorded failure that is not a timeout is evaluated again and compared', async () => {
    const live = await decide(diving, undefined, { type: 'RunStarted', runId: 'r1', input: {}, at: T0 }, { limits: TEST_LIMITS });
    const forged = live.history.map((e) => (e.details?.['error'] ? { ...e, details: { ...e.details, error: { type: 'ExpressionError', message: 'other', nonRetryable: true, step: 'dive' } } } : e));
    const error = await nonDeterminism(replayStrict(diving, forged, { limits: TEST_LIMITS }));
    expect(error.details).toMatchObject({ stepId: 'dive', field: 'details.error.message' });
  });
});
