/** Run-time timeout messages print durations the way authors write them, not as milliseconds. */
import { describe, expect, it } from 'vitest';
import { flow, Run } from './harness.js';

function failure(run: Run): { type?: string; message?: string } | undefined {
  return run.history.find((h) => h.type === 'StepFailed')?.details?.error as { type?: string; message?: string } | undefined;
}

describe('timeout messages', () => {
  it('a waitSignal timeout of two days says 48h', async () => {
    const run = await Run.start(flow([{ kind: 'waitSignal', id: 'w', signal: 'approve', timeoutMs: 172_800_000 }]));
    await run.fire(run.timers('step-timeout')[0]!);
    expect(failure(run)).toMatchObject({ type: 'SignalTimeout', message: 'no signal "approve" arrived within 48h' });
  });

  it('a step timeout of 90 seconds says 1m30s', async () => {
    const run = await Run.start(flow([{ kind: 'call', id: 'charge', call: 'payments.charge', timeoutMs: 90_000 }]));
    await run.fire(run.timers('step-timeout')[0]!);
    expect(failure(run)).toMatchObject({ type: 'Timeout', message: 'step charge timed out after 1m30s' });
  });

  it('a run timeout of 30 seconds says 30s', async () => {
    const run = await Run.start(flow([{ kind: 'waitSignal', signal: 'approve' }], { timeoutMs: 30_000 }));
    await run.fire(run.timers()[0]!);
    expect(run.state.error).toMatchObject({ type: 'Timeout', message: 'the run did not finish within 30s' });
  });
});
