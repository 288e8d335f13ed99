import { describe, expect, it } from 'vitest';
import { replay } from '../../src/interpreter/index.js';
import { Fail, flow, retry, Run, simulate, T0, TEST_LIMITS, type SimOptions } from './harness.js';
import type { WorkflowDefinition } from '../../src/definition/types.js';

const echo = (input: unknown) => input;
const flaky = (_: unknown, attempt: number) => {
  if (attempt < 2) throw new Fail({ type: 'Flaky', message: 'try again' });
  return attempt;
};

const cases: Array<{ name: string; def: WorkflowDefinition; options?: SimOptions; status: string }> = [
  {
    name: 'call + retry + assign + if',
    def: flow([
      { kind: 'call', id: 'a', call: 'flaky', retry: retry({ maxAttempts: 3, jitter: 0.3 }), assign: { a: '${ $output }' } },
      { kind: 'call', call: 'echo', if: '${ false }' },
    ]),
    status: 'completed',
  },
  {
    name: 'group, switch, repeat, set',
    def: flow([
      { kind: 'set', set: { n: 0 } },
      { kind: 'repeat', max: 3, until: '${ $vars.n >= 2 }', steps: [{ kind: 'set', set: { n: '${ $vars.n + 1 }' } }] },
      { kind: 'switch', cases: [{ when: '${ $vars.n = 2 }', steps: [{ kind: 'steps', steps: [{ kind: 'call', call: 'echo', with: 'two' }] }] }, { steps: [] }] },
    ]),
    status: 'completed',
  },
  {
    name: 'parallel all/any and forEach with concurrency',
    def: flow([
      { kind: 'parallel', branches: [{ kind: 'call', id: 'x', call: 'echo', with: 1 }, { kind: 'wait', durationMs: 100 }] },
      { kind: 'parallel', completion: 'any', branches: [{ kind: 'wait', durationMs: 1000 }, { kind: 'call', call: 'echo', with: 2 }] },
      { kind: 'forEach', forEach: '${ [1,2,3,4,5] }', concurrency: 2, steps: [{ kind: 'call', call: 'echo', with: '${ $item * 10 }' }] },
    ]),
    status: 'completed',
  },
  {
    name: 'signals, wait until, child workflow, try/catch/fail',
    def: flow([
      { kind: 'waitSignal', id: 's1', signal: 'go' },
      { kind: 'waitSignal', id: 's2', signal: 'go', timeoutMs: 1000, catch: [{ steps: [{ kind: 'set', set: { timedOut: true } }] }] },
      { kind: 'wait', until: '${ $fromMillis($millis() + 5000) }' },
      { kind: 'workflow', id: 'kid', workflow: 'child' },
      { kind: 'try', steps: [{ kind: 'fail', error: 'X' }], catch: [{ errors: ['X'], steps: [{ kind: 'set', set: { caught: '${ $error.type }' } }] }] },
    ]),
    options: { signals: [{ name: 'go', data: { by: 'ann' }, signalId: 'g1' }, { name: 'go', data: { dup: true }, signalId: 'g1' }], children: { child: { output: 'kid!' } } },
    status: 'completed',
  },
  {
    name: 'saga with a failing compensation (compensation_failed)',
    def: flow([
      { kind: 'call', id: 'a', call: 'echo', compensate: { kind: 'call', call: 'bad', retry: retry({ maxAttempts: 2 }) } },
      { kind: 'forEach', forEach: '${ [1,2] }', steps: [{ kind: 'call', call: 'echo', with: '${ $item }', compensate: { kind: 'call', call: 'echo', with: '${ $output }' } }] },
      { kind: 'fail', error: 'Stop' },
    ]),
    status: 'compensation_failed',
  },
  {
    name: 'explicit compensate and return',
    def: flow([
      { kind: 'call', id: 'a', call: 'echo', with: 'A', compensate: { kind: 'call', call: 'echo', with: 'undo' } },
      { kind: 'compensate', targets: ['a'] },
      { kind: 'return', value: '${ $steps.a }' },
    ]),
    status: 'completed',
  },
  {
    name: 'cancel while waiting',
    def: flow([{ kind: 'call', call: 'echo', compensate: { kind: 'call', call: 'echo' } }, { kind: 'waitSignal', signal: 'never' }]),
    options: { whenIdle: [{ type: 'CancelRequested', reason: 'stop' }] },
    status: 'cancelled',
  },
  {
    name: 'run timeout',
    def: flow([{ kind: 'waitSignal', signal: 'never' }], { timeoutMs: 1000 }),
    status: 'timed_out',
  },
];

describe('replay: folding the history reproduces the saved state', () => {
  it.each(cases)('$name', async ({ def, options, status }) => {
    const { run } = await simulate(def, { ...options, activities: { echo, flaky, bad: () => { throw new Fail({ type: 'Bad', message: 'no' }); }, ...options?.activities } });
    expect(run.state.status).toBe(status);
    const replayed = await replay(def, run.history, { limits: TEST_LIMITS });
    expect(replayed).toEqual(run.state);
    expect(JSON.parse(JSON.stringify(run.state))).toEqual(run.state);
  });

  it.each(cases)('$name: the same run with state stored as JSON between decisions ends the same', async ({ def, options }) => {
    const activities = { echo, flaky, bad: () => { throw new Fail({ type: 'Bad', message: 'no' }); } };
    const inMemory = await simulate(def, { ...options, activities });
    const viaJson = await simulate(def, { ...options, activities, jsonRoundTrip: true });
    expect(viaJson.run.history).toEqual(inMemory.run.history);
    expect(viaJson.run.state).toEqual(JSON.parse(JSON.stringify(inMemory.run.state)));
  });

  it('replays a retried run', async () => {
    const def = flow([{ kind: 'call', call: 'echo' }, { kind: 'call', call: 'down' }]);
    const run = await Run.start(def);
    await run.complete(1, 1);
    await run.fail(2, { type: 'Down', message: 'x' });
    await run.send({ type: 'RetryRequested' });
    await run.complete(run.schedules()[0]!.seq, 2);
    expect(run.state.status).toBe('completed');
    expect(await replay(def, run.history, { limits: TEST_LIMITS })).toEqual(run.state);
  });
});

describe('determinism', () => {
  it('$now, $millis and $uuid come from the event and the run: same values on replay', async () => {
    const def = flow([{ kind: 'set', set: { now: '${ $now() }', ms: '${ $millis() }', u1: '${ $uuid() }', u2: '${ $uuid() }' } }]);
    const run = await Run.start(def, {}, 'run-42');
    const vars = run.state.vars as { now: string; ms: number; u1: string; u2: string };
    expect(vars.now).toBe(new Date(T0).toISOString());
    expect(vars.ms).toBe(T0);
    expect(vars.u1).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(vars.u1).not.toBe(vars.u2);
    const again = await Run.start(def, {}, 'run-42');
    expect(again.state.vars).toEqual(vars);
    const other = await Run.start(def, {}, 'run-43');
    expect((other.state.vars as { u1: string }).u1).not.toBe(vars.u1);
    expect((await replay(def, run.history, { limits: TEST_LIMITS })).vars).toEqual(vars);
  });

  it('the same events give the same commands and history', async () => {
    const def = cases[2]!.def;
    const a = await simulate(def, { activities: { echo } });
    const b = await simulate(def, { activities: { echo } });
    expect(b.run.history).toEqual(a.run.history);
  });
});
