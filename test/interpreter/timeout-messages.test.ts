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

describe('messages name a step without an id by where it sits', () => {
  it('a timed-out step inside a catch reads `step 1 (call payments.charge) › catch 1 › step 2 (call mail.send)`', async () => {
    const run = await Run.start(
      flow([
        {
          kind: 'call',
          call: 'payments.charge',
          catch: [{ steps: [{ kind: 'set', set: { declined: true } }, { kind: 'call', call: 'mail.send', timeoutMs: 30_000 }] }],
        },
      ]),
    );
    await run.fail(run.schedules('payments.charge')[0]!.seq, { type: 'CardDeclined', message: 'declined' });
    await run.fire(run.timers('step-timeout')[0]!);
    const timeout = run.history.filter((h) => h.type === 'StepFailed').map((h) => h.details?.error as { type?: string; message?: string; step?: string });
    expect(timeout).toContainEqual(
      expect.objectContaining({ type: 'Timeout', message: 'step 1 (call payments.charge) › catch 1 › step 2 (call mail.send) timed out after 30s', step: '/steps/0/catch/0/steps/1' }),
    );
  });

  it('a fail step without a message names its place', async () => {
    const run = await Run.start(flow([{ kind: 'steps', id: 'checks', steps: [{ kind: 'set', set: { a: 1 } }, { kind: 'fail', error: 'Invalid' }] }]));
    expect(run.state.error).toMatchObject({ type: 'Invalid', message: 'checks › step 2 (fail) raised Invalid' });
  });
});
