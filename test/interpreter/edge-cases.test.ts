import { describe, expect, it } from 'vitest';
import type { CoreState } from '../../src/interpreter/core-state.js';
import { flow, retry, Run, simulate, T0 } from './harness.js';

const core = (run: Run) => run.state.core as CoreState;

describe('edge cases', () => {
  it('a finished run keeps no nodes, scopes or awaited seqs', async () => {
    const def = flow([
      { kind: 'forEach', forEach: '${ [1,2,3] }', concurrency: 2, steps: [{ kind: 'call', id: 'w', call: 'echo', with: '${ $item }' }] },
      { kind: 'parallel', branches: [{ kind: 'wait', durationMs: 5 }, { kind: 'call', call: 'echo' }] },
    ], { timeoutMs: 100_000 });
    const { run } = await simulate(def, { activities: { echo: (i) => i } });
    expect(run.state.status).toBe('completed');
    expect(core(run).nodes.n).toBe(0);
    expect(core(run).scopes.n).toBe(1);
    expect(core(run).awaiting.n).toBe(0);
    expect(core(run).runTimer).toBeNull();
  });

  it('$steps used as a whole sees every completed id', async () => {
    const def = flow([{ kind: 'set', id: 'a', set: { x: 1 } }, { kind: 'set', id: 'b', set: { y: 2 } }, { kind: 'return', value: '${ $sort($keys($steps)) }' }]);
    expect((await simulate(def)).run.state.output).toEqual(['a', 'b']);
  });

  it('two waitSignals of the same name in parallel are served in the order they started', async () => {
    const def = flow([{ kind: 'parallel', branches: [{ kind: 'waitSignal', id: 'first', signal: 's' }, { kind: 'waitSignal', id: 'second', signal: 's' }] }]);
    const run = await Run.start(def);
    await run.signal('s', 1);
    await run.signal('s', 2);
    expect(run.state.output).toEqual({ first: 1, second: 2 });
  });

  it('cancel during a retry backoff cancels the backoff timer', async () => {
    const run = await Run.start(flow([{ kind: 'call', call: 'a', retry: retry({ maxAttempts: 3 }) }]));
    await run.fail(1, { type: 'E', message: 'x' });
    const backoff = run.timers('retry')[0]!;
    await run.send({ type: 'CancelRequested' });
    expect(run.commands).toEqual([{ type: 'CancelTimer', seq: backoff.seq }]);
    expect(run.state.status).toBe('cancelled');
    expect((await run.fire(backoff)).accepted).toBe(false);
  });

  it('terminate during a saga stops the compensations at once', async () => {
    const def = flow([{ kind: 'call', id: 'a', call: 'a', compensate: { kind: 'call', call: 'undo' } }, { kind: 'fail', error: 'Stop' }]);
    const run = await Run.start(def);
    await run.complete(1, 'A');
    const undo = run.schedules()[0]!;
    expect(undo.activity).toBe('undo');
    await run.send({ type: 'TerminateRequested', reason: 'now' });
    expect(run.commands).toEqual([{ type: 'CancelActivity', seq: undo.seq }]);
    expect(run.state.status).toBe('terminated');
  });

  it('$error in compensations is Timeout after a run timeout, and the run can be retried from the step that was running', async () => {
    const def = flow([
      { kind: 'call', id: 'a', call: 'a', compensate: { kind: 'call', call: 'undo', with: '${ $error.type }' } },
      { kind: 'call', id: 'b', call: 'b' },
    ], { timeoutMs: 1000 });
    const run = await Run.start(def);
    const runTimer = run.timers('run-timeout')[0]!;
    await run.complete(2, 'A');
    await run.fire(runTimer);
    expect(run.commands).toContainEqual({ type: 'CancelActivity', seq: 3 });
    const undo = run.schedules()[0]!;
    expect(undo.input).toBe('Timeout');
    await run.complete(undo.seq, null);
    expect(run.state.status).toBe('timed_out');
    await run.send({ type: 'RetryRequested', at: T0 + 5000 });
    expect(run.timers('run-timeout')[0]!.at).toBe(T0 + 6000);
    expect(run.schedules().map((c) => c.activity)).toEqual(['b']);
  });

  it('a retried workflow step starts a new child run id per attempt', async () => {
    const def = flow([{ kind: 'workflow', workflow: 'kid', retry: retry({ maxAttempts: 2, initialIntervalMs: 10 }) }]);
    const run = await Run.start(def);
    await run.send({ type: 'ChildFailed', seq: 1, status: 'failed', error: { type: 'E', message: 'x' } });
    await run.fire(run.timers('retry')[0]!);
    expect(run.commands).toEqual([{ type: 'StartChild', seq: 3, childRunId: 'r1:n1:2', workflow: 'kid', input: null }]);
  });

  it('a nested catch handles first; an outer try sees only what escapes', async () => {
    const def = flow([
      {
        kind: 'try',
        steps: [
          { kind: 'fail', error: 'Inner', catch: [{ errors: ['Inner'], steps: [{ kind: 'set', set: { inner: true } }] }] },
          { kind: 'fail', error: 'Outer' },
        ],
        catch: [{ steps: [{ kind: 'set', set: { outer: '${ $error.type }' } }] }],
      },
    ]);
    expect((await simulate(def)).run.state.vars).toEqual({ inner: true, outer: 'Outer' });
  });

  it('catch handler steps have their own $steps scope; $error is null outside handlers', async () => {
    const def = flow([
      { kind: 'set', id: 'before', set: { e: '${ $error }' } },
      { kind: 'fail', error: 'X', catch: [{ steps: [{ kind: 'set', id: 'inHandler', set: { h: 1 } }] }] },
      { kind: 'return', value: '${ [$exists($steps.inHandler), $vars.e = null] }' },
    ]);
    expect((await simulate(def)).run.state.output).toEqual([false, true]);
  });

  it('step outputs keep their type through expressions (numbers, arrays, objects)', async () => {
    const def = flow([{ kind: 'call', id: 'c', call: 'echo', with: { n: '${ 1 + 1 }', a: '${ [1,2] }', t: 'id-${ 40 + 2 }' } }]);
    const { calls } = await simulate(def, { activities: { echo: (i) => i } });
    expect(calls[0]!.input).toEqual({ n: 2, a: [1, 2], t: 'id-42' });
  });

  it('a late ActivityCompleted after the run ended is not accepted', async () => {
    const run = await Run.start(flow([{ kind: 'parallel', completion: 'any', branches: [{ kind: 'call', call: 'a' }, { kind: 'call', call: 'b' }] }]));
    await run.complete(1, 'A');
    expect(run.state.status).toBe('completed');
    expect((await run.complete(2, 'B')).accepted).toBe(false);
  });

  it('history entries that answer a step carry its path, id and attempt', async () => {
    const run = await Run.start(flow([{ kind: 'call', id: 'x', call: 'a', retry: retry({ maxAttempts: 2 }) }]));
    await run.fail(1, { type: 'E', message: 'm' });
    const failed = run.history.filter((h) => h.type === 'ActivityFailed' || h.type === 'StepFailed' || h.type === 'StepRetried');
    expect(failed.map((h) => [h.type, h.path, h.stepId, h.attempt])).toEqual([
      ['ActivityFailed', '/steps/0', 'x', 1],
      ['StepFailed', '/steps/0', 'x', 1],
      ['StepRetried', '/steps/0', 'x', 1],
    ]);
    expect(run.history.every((h) => typeof h.at === 'number')).toBe(true);
  });
});
