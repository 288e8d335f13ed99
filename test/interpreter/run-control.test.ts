import { describe, expect, it } from 'vitest';
import { decide, evaluateQuery, CoreMisuseError } from '../../src/interpreter/index.js';
import { QueryNotFoundError } from '../../src/errors.js';
import { flow, Run, simulate, T0 } from './harness.js';

describe('terminate, retry, child runs, misuse, queries', () => {
  it('terminate cancels all work at once: no compensation, status terminated', async () => {
    const def = flow([
      { kind: 'call', id: 'a', call: 'a', compensate: { kind: 'call', call: 'undo' } },
      { kind: 'parallel', branches: [{ kind: 'call', call: 'b' }, { kind: 'wait', durationMs: 5000 }] },
    ], { timeoutMs: 60_000 });
    const run = await Run.start(def);
    await run.complete(2, 'A');
    await run.send({ type: 'TerminateRequested', reason: 'ops' });
    expect(run.commands).toEqual(expect.arrayContaining([{ type: 'CancelActivity', seq: 3 }, { type: 'CancelTimer', seq: 4 }, { type: 'CancelTimer', seq: 1 }]));
    expect(run.schedules()).toEqual([]);
    expect(run.state).toMatchObject({ status: 'terminated', error: { type: 'Terminated', message: 'ops' } });
  });

  it('retry re-runs from the failed top-level step, keeping earlier outputs and vars', async () => {
    const def = flow([
      { kind: 'call', id: 'a', call: 'a' },
      { kind: 'set', set: { kept: true } },
      { kind: 'call', id: 'b', call: 'b' },
      { kind: 'set', set: { result: '${ [$steps.a, $steps.b] }' } },
    ]);
    const run = await Run.start(def);
    await run.complete(1, 'A');
    await run.fail(2, { type: 'Down', message: 'b down' });
    expect(run.state).toMatchObject({ status: 'failed', retries: 0 });
    await run.send({ type: 'RetryRequested', at: T0 + 1000 });
    expect(run.state).toMatchObject({ status: 'running', retries: 1, error: null, endedAt: null });
    const [again] = run.schedules();
    expect(again).toMatchObject({ activity: 'b', attempt: 1 });
    await run.complete(again!.seq, 'B');
    expect(run.state).toMatchObject({ status: 'completed', vars: { kept: true, result: ['A', 'B'] } });
    expect(await run.replayed()).toEqual(run.state);
  });

  it('$workflow.attempt counts run retries', async () => {
    const def = flow([{ kind: 'call', id: 'a', call: 'a', with: '${ $workflow }' }]);
    const run = await Run.start(def);
    expect(run.schedules()[0]!.input).toEqual({ id: 'r1', name: 'test-flow', version: 1, startedAt: new Date(T0).toISOString(), attempt: 1 });
    await run.fail(1, { type: 'E', message: 'x' });
    await run.send({ type: 'RetryRequested' });
    expect((run.schedules()[0]!.input as { attempt: number }).attempt).toBe(2);
  });

  it('retry is not accepted for running, completed, cancelled or terminated runs', async () => {
    const running = await Run.start(flow([{ kind: 'call', call: 'a' }]));
    expect((await running.send({ type: 'RetryRequested' })).accepted).toBe(false);
    const completed = (await simulate(flow([{ kind: 'set', set: { a: 1 } }]))).run;
    expect((await completed.send({ type: 'RetryRequested' })).accepted).toBe(false);
    await running.send({ type: 'TerminateRequested' });
    expect((await running.send({ type: 'RetryRequested' })).accepted).toBe(false);
  });

  it('retry of a compensated run resumes from the failed step (compensations that ran stay run)', async () => {
    const def = flow([
      { kind: 'call', id: 'a', call: 'a', compensate: { kind: 'call', call: 'undo' } },
      { kind: 'call', id: 'b', call: 'b' },
    ]);
    const run = await Run.start(def);
    await run.complete(1, 'A');
    await run.fail(2, { type: 'E', message: 'x' });
    await run.complete(run.schedules()[0]!.seq, null);
    expect(run.state.status).toBe('compensated');
    await run.send({ type: 'RetryRequested' });
    expect(run.schedules().map((c) => c.activity)).toEqual(['b']);
  });

  it('child workflow: StartChild with a deterministic id, output on ChildCompleted', async () => {
    const def = flow([{ kind: 'workflow', id: 'kid', workflow: 'child-flow', version: 2, with: { n: '${ $input.n }' } }]);
    const run = await Run.start(def, { n: 3 });
    expect(run.commands).toEqual([{ type: 'StartChild', seq: 1, childRunId: 'r1:n1', workflow: 'child-flow', version: 2, input: { n: 3 } }]);
    expect((await run.send({ type: 'ChildStarted', seq: 1, version: 2 })).accepted).toBe(true);
    await run.send({ type: 'ChildCompleted', seq: 1, output: { ok: 1 } });
    expect(run.state.output).toEqual({ ok: 1 });
  });

  it('child workflow failure fails the step with ChildFailed and the child error in details; cancel emits CancelChild', async () => {
    const def = flow([{ kind: 'workflow', id: 'kid', workflow: 'child-flow' }]);
    const run = await Run.start(def);
    await run.send({ type: 'ChildFailed', seq: 1, status: 'compensated', error: { type: 'NoStock', message: 'none' } });
    expect(run.state.error).toMatchObject({ type: 'ChildFailed', step: 'kid', details: { childRunId: 'r1:n1', status: 'compensated', error: { type: 'NoStock' } } });
    const other = await Run.start(def);
    await other.send({ type: 'CancelRequested' });
    expect(other.commands).toEqual([{ type: 'CancelChild', seq: 1, childRunId: 'r1:n1' }]);
    expect(other.state.status).toBe('cancelled');
  });

  it('a child run notifies its parent when it ends', async () => {
    const run = await Run.start(flow([{ kind: 'call', call: 'a' }]), {}, 'parent:n1', { runId: 'parent', seq: 7 });
    expect(run.state.parent).toEqual({ runId: 'parent', seq: 7 });
    await run.fail(1, { type: 'E', message: 'x' });
    expect(run.commands).toEqual([{ type: 'NotifyParent', parentRunId: 'parent', seq: 7, status: 'failed', output: null, error: { type: 'E', message: 'x', step: '/steps/0' } }]);
  });

  it('throws CoreMisuseError for events that do not belong (wrong definition, no state, double start)', async () => {
    const def = flow([{ kind: 'call', call: 'a' }]);
    const run = await Run.start(def);
    await expect(decide({ ...def, digest: 'other' }, run.state, { type: 'TimerFired', seq: 1, at: T0 })).rejects.toBeInstanceOf(CoreMisuseError);
    await expect(decide(def, undefined, { type: 'TimerFired', seq: 1, at: T0 })).rejects.toBeInstanceOf(CoreMisuseError);
    await expect(decide(def, run.state, { type: 'RunStarted', runId: 'r1', input: {}, at: T0 })).rejects.toBeInstanceOf(CoreMisuseError);
  });

  it('queries read the current state without changing it, in any status', async () => {
    const def = flow([{ kind: 'call', id: 'a', call: 'a' }, { kind: 'set', set: { status: 'done' } }], {
      queries: { status: '${ $vars.status }', first: '${ $steps.a }', all: '${ $steps }', who: '${ $workflow.id & "/" & $input.user }' },
    });
    const run = await Run.start(def, { user: 'ann' });
    expect(await evaluateQuery(def, run.state, 'status')).toBeNull();
    const before = JSON.stringify(run.state);
    await run.complete(1, { x: 1 });
    expect(await evaluateQuery(def, run.state, 'status')).toBe('done');
    expect(await evaluateQuery(def, run.state, 'first')).toEqual({ x: 1 });
    expect(await evaluateQuery(def, run.state, 'all')).toEqual({ a: { x: 1 } });
    expect(await evaluateQuery(def, run.state, 'who')).toBe('r1/ann');
    expect(before).not.toBe(JSON.stringify(run.state));
    await expect(evaluateQuery(def, run.state, 'nope')).rejects.toBeInstanceOf(QueryNotFoundError);
  });
});
