import { describe, expect, it } from 'vitest';
import { flow, Run, T0 } from './harness.js';

describe('waitSignal', () => {
  const def = flow([
    { kind: 'waitSignal', id: 'first', signal: 'approve' },
    { kind: 'waitSignal', id: 'second', signal: 'approve' },
    { kind: 'set', set: { got: '${ [$steps.first.by, $steps.second.by] }' } },
  ]);

  it('waits, then outputs the payload', async () => {
    const run = await Run.start(def);
    expect(run.commands).toEqual([]);
    await run.signal('approve', { by: 'ann' });
    expect(run.types().slice(-3)).toEqual(['SignalReceived', 'SignalConsumed', 'StepCompleted']);
    await run.signal('approve', { by: 'bob' });
    expect(run.state.vars).toEqual({ got: ['ann', 'bob'] });
  });

  it('buffers early signals in order; each waitSignal takes the oldest', async () => {
    const run = await Run.start(flow([{ kind: 'wait', durationMs: 10 }, ...def.steps.map((s) => ({ ...s }) as never)]));
    const timer = run.timers()[0]!;
    await run.signal('approve', { by: 'ann' });
    await run.signal('other', { x: 1 });
    await run.signal('approve', { by: 'bob' });
    expect(run.state.status).toBe('running');
    await run.fire(timer);
    expect(run.state.vars).toEqual({ got: ['ann', 'bob'] });
    expect(run.history.filter((h) => h.type === 'SignalConsumed')).toHaveLength(2);
  });

  it('a signal with an id already seen is ignored', async () => {
    const run = await Run.start(def);
    await run.signal('approve', { by: 'ann' }, 'sig-1');
    const dup = await run.signal('approve', { by: 'ann again' }, 'sig-1');
    expect(dup.accepted).toBe(false);
    expect(run.state.status).toBe('running');
    await run.signal('approve', { by: 'bob' }, 'sig-2');
    expect(run.state.vars).toEqual({ got: ['ann', 'bob'] });
  });

  it('timeout fails with SignalTimeout; a signal after it is buffered, not consumed', async () => {
    const run = await Run.start(flow([{ kind: 'waitSignal', id: 'w', signal: 'go', timeoutMs: 60_000, catch: [{ errors: ['SignalTimeout'], steps: [{ kind: 'set', set: { timedOut: true } }] }] }]));
    expect(run.timers()).toEqual([{ type: 'StartTimer', seq: 1, at: T0 + 60_000, purpose: 'step-timeout' }]);
    await run.fire(run.timers()[0]!);
    expect(run.state.vars).toEqual({ timedOut: true });
    expect(run.history.find((h) => h.type === 'StepFailed')?.details?.error).toMatchObject({ type: 'SignalTimeout', step: 'w' });
  });

  it('a signal in time cancels the timeout timer', async () => {
    const run = await Run.start(flow([{ kind: 'waitSignal', signal: 'go', timeoutMs: 60_000 }]));
    await run.signal('go', 42);
    expect(run.commands).toEqual([{ type: 'CancelTimer', seq: 1 }]);
    expect(run.state.output).toBe(42);
  });

  it('a signal to a finished run is not accepted', async () => {
    const run = await Run.start(flow([{ kind: 'set', set: { a: 1 } }]));
    expect((await run.signal('go', 1)).accepted).toBe(false);
  });
});
