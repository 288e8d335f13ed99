import { describe, expect, it } from 'vitest';
import { Fail, flow, retry, Run, simulate, T0 } from './harness.js';

describe('sequence-like kinds, set/assign, if, fail, return, wait', () => {
  it('a group outputs its last inner step; an empty group outputs null', async () => {
    const def = flow([
      { kind: 'steps', id: 'g', steps: [{ kind: 'set', set: { a: 1 } }, { kind: 'set', set: { b: 2 } }] },
      { kind: 'steps', id: 'empty', steps: [] },
      { kind: 'set', set: { g: '${ $steps.g }', e: '${ $steps.empty }' } },
    ]);
    const { run } = await simulate(def);
    expect(run.state.vars).toEqual({ a: 1, b: 2, g: { b: 2 }, e: null });
  });

  it('set evaluates every value against the vars as they were, then writes them all', async () => {
    const def = flow([{ kind: 'set', set: { n: 1 } }, { kind: 'set', set: { n: '${ $vars.n + 1 }', m: '${ $vars.n }' } }]);
    const { run } = await simulate(def);
    expect(run.state.vars).toEqual({ n: 2, m: 1 });
    expect(run.state.output).toEqual({ n: 2, m: 1 });
    expect(run.history.filter((h) => h.type === 'VariablesSet')).toHaveLength(2);
  });

  it('assign sees $output and writes vars after the step succeeds', async () => {
    const def = flow([{ kind: 'call', call: 'a', assign: { total: '${ $output.n * 2 }' } }]);
    const { run } = await simulate(def, { activities: { a: () => ({ n: 21 }) } });
    expect(run.state.vars).toEqual({ total: 42 });
  });

  it('if falsy skips the step with output null (and records it in $steps); truthy runs it', async () => {
    const def = flow([
      { kind: 'call', id: 'skipped', call: 'a', if: '${ $input.go = "no" }' },
      { kind: 'set', id: 'ran', set: { x: 1 }, if: '${ $input.go }' },
      { kind: 'set', set: { skipped: '${ $steps.skipped }' } },
    ]);
    const { run, calls } = await simulate(def, { input: { go: 'yes' } });
    expect(calls).toEqual([]);
    expect(run.state.vars).toEqual({ x: 1, skipped: null });
    expect(run.types()).toContain('StepSkipped');
  });

  it('switch runs the first truthy case, else default, else outputs null', async () => {
    const mk = (withDefault: boolean) =>
      flow([
        {
          kind: 'switch',
          id: 's',
          cases: [
            { when: '${ $input.n > 10 }', steps: [{ kind: 'set', set: { c: 'big' } }] },
            { when: '${ $input.n > 5 }', steps: [{ kind: 'set', set: { c: 'medium' } }] },
            { when: '${ $input.n > 0 }', steps: [{ kind: 'set', set: { c: 'small' } }] },
            ...(withDefault ? [{ steps: [{ kind: 'set', set: { c: 'none' } }] }] : []),
          ],
        },
      ]);
    const outputs = [];
    for (const [n, withDefault] of [[20, true], [7, true], [1, true], [-1, true], [-1, false]] as const) {
      outputs.push((await simulate(mk(withDefault), { input: { n } })).run.state.output);
    }
    expect(outputs).toEqual([{ c: 'big' }, { c: 'medium' }, { c: 'small' }, { c: 'none' }, null]);
  });

  it('repeat loops until `until` is truthy (seeing the pass $steps), with fresh nodes per pass', async () => {
    const def = flow([
      { kind: 'set', set: { i: 0 } },
      { kind: 'repeat', id: 'loop', until: '${ $steps.poll.done }', steps: [{ kind: 'call', id: 'poll', call: 'poll' }] },
    ]);
    const { run, calls } = await simulate(def, { activities: { poll: (_i, attempt) => ({ done: false, attempt }) } , maxEvents: 50 });
    // never done: bounded by the simulation, still running
    expect(run.state.status).toBe('running');
    const keys = new Set(calls.map((c) => c.key));
    expect(keys.size).toBe(calls.length);
    let n = 0;
    const done = await simulate(def, { activities: { poll: () => ({ done: ++n === 3, n }) } });
    expect(done.run.state.status).toBe('completed');
    expect(done.run.state.output).toEqual({ done: true, n: 3 });
  });

  it('repeat stops after max passes without error, output = last pass', async () => {
    const def = flow([{ kind: 'set', set: { i: 0 } }, { kind: 'repeat', max: 4, until: '${ false }', steps: [{ kind: 'set', set: { i: '${ $vars.i + 1 }' } }] }]);
    const { run } = await simulate(def);
    expect(run.state.status).toBe('completed');
    expect(run.state.vars).toEqual({ i: 4 });
    expect(run.state.output).toEqual({ i: 4 });
  });

  it('fail raises an evaluated error; a matching catch handles it with $error bound', async () => {
    const def = flow([
      {
        kind: 'try',
        id: 't',
        steps: [{ kind: 'fail', id: 'boom', error: '${ "Out" & "OfStock" }', message: 'sku ${ $input.sku }', details: { sku: '${ $input.sku }' } }],
        catch: [
          { errors: ['Other'], steps: [{ kind: 'set', set: { wrong: true } }] },
          { errors: ['OutOfStock'], steps: [{ kind: 'set', set: { caught: '${ $error }' } }] },
        ],
      },
      { kind: 'set', set: { after: '${ $steps.t }' } },
    ]);
    const { run } = await simulate(def, { input: { sku: 'A1' } });
    expect(run.state.status).toBe('completed');
    const caught = { type: 'OutOfStock', message: 'sku A1', step: 'boom', details: { sku: 'A1' } };
    expect(run.state.vars).toEqual({ caught, after: { caught } });
  });

  it('a catch without errors handles any type; an unmatched error propagates and fails the run', async () => {
    const handled = flow([{ kind: 'call', id: 'c', call: 'x', catch: [{ steps: [{ kind: 'set', set: { t: '${ $error.type }' } }] }] }]);
    expect((await simulate(handled)).run.state.vars).toEqual({ t: 'ActivityNotFound' });
    const unhandled = flow([{ kind: 'call', id: 'c', call: 'x', catch: [{ errors: ['Nope'], steps: [] }] }]);
    const { run } = await simulate(unhandled);
    expect(run.state).toMatchObject({ status: 'failed', error: { type: 'ActivityNotFound', step: 'c' } });
  });

  it('retries happen before catch; catch sees the last attempt error', async () => {
    const def = flow([{ kind: 'call', id: 'c', call: 'x', retry: retry({ maxAttempts: 3, initialIntervalMs: 10 }), catch: [{ steps: [{ kind: 'set', set: { m: '${ $error.message }' } }] }] }]);
    const { run, calls } = await simulate(def, { activities: { x: (_i, a) => { throw new Fail({ type: 'E', message: `attempt ${a}` }); } } });
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(run.state.vars).toEqual({ m: 'attempt 3' });
  });

  it('a failing handler propagates its own error', async () => {
    const def = flow([{ kind: 'fail', error: 'A', catch: [{ steps: [{ kind: 'fail', error: 'B' }] }] }]);
    const { run } = await simulate(def);
    expect(run.state.error).toMatchObject({ type: 'B' });
  });

  it('return ends the run completed at once, cancelling what is active and skipping output', async () => {
    const def = flow(
      [
        { kind: 'parallel', branches: [{ kind: 'call', call: 'slow' }, { kind: 'return', value: '${ {"early": true} }' }] },
        { kind: 'set', set: { never: true } },
      ],
      { output: 'ignored' },
    );
    const run = await Run.start(def);
    expect(run.state.status).toBe('completed');
    expect(run.state.output).toEqual({ early: true });
    expect(run.commands).toEqual([
      { type: 'ScheduleActivity', seq: 1, activity: 'slow', input: null, attempt: 1, idempotencyKey: 'r1:n2', stepPath: '/steps/0/parallel/0' },
      { type: 'CancelActivity', seq: 1 },
    ]);
    expect(run.state.vars).toEqual({});
  });

  it('wait starts a timer for a duration or an instant (a past instant still emits the timer)', async () => {
    const def = flow([{ kind: 'wait', durationMs: 30_000 }, { kind: 'wait', until: '${ $input.at }' }, { kind: 'wait', until: '${ $input.past }' }]);
    const run = await Run.start(def, { at: new Date(T0 + 3_600_000).toISOString(), past: '2000-01-01T00:00:00Z' });
    expect(run.timers()).toEqual([{ type: 'StartTimer', seq: 1, at: T0 + 30_000, purpose: 'wait' }]);
    await run.fire(run.timers()[0]!);
    expect(run.timers()).toEqual([{ type: 'StartTimer', seq: 2, at: T0 + 3_600_000, purpose: 'wait' }]);
    await run.fire(run.timers()[0]!);
    expect(run.timers()[0]!.at).toBe(Date.parse('2000-01-01T00:00:00Z'));
    await run.fire(run.timers()[0]!);
    expect(run.state).toMatchObject({ status: 'completed', output: null });
  });

  it('wait.until that is not an instant fails with ExpressionError', async () => {
    const { run } = await simulate(flow([{ kind: 'wait', until: '${ "soon" }' }]));
    expect(run.state.error).toMatchObject({ type: 'ExpressionError' });
  });

  it('a step timeout on a composite step fails it with Timeout and cancels its work', async () => {
    const def = flow([{ kind: 'steps', id: 'g', timeoutMs: 1000, steps: [{ kind: 'call', call: 'slow' }] }]);
    const run = await Run.start(def);
    expect(run.timers('step-timeout')[0]!.at).toBe(T0 + 1000);
    await run.fire(run.timers('step-timeout')[0]!);
    expect(run.commands).toContainEqual({ type: 'CancelActivity', seq: 1 });
    expect(run.state.error).toMatchObject({ type: 'Timeout', step: 'g' });
    expect(run.types()).toContain('StepCancelled');
  });

  it('expression errors fail the step (non-retryable, catchable) and name the step', async () => {
    const def = flow([{ kind: 'call', id: 'c', call: 'a', with: '${ $undefinedFn() }', retry: retry({ maxAttempts: 5 }) }]);
    const { run, calls } = await simulate(def);
    expect(calls).toEqual([]);
    expect(run.state.error).toMatchObject({ type: 'ExpressionError', step: 'c' });
  });

  it('the run output is evaluated at the end; absent, it is the last top-level output; an error fails the run', async () => {
    expect((await simulate(flow([{ kind: 'set', set: { a: 1 } }], { output: '${ $vars.a + 1 }' }))).run.state.output).toBe(2);
    expect((await simulate(flow([{ kind: 'set', set: { a: 1 } }], { output: '${ $output.a * 10 }' }))).run.state.output).toBe(10);
    expect((await simulate(flow([{ kind: 'set', set: { a: 1 } }]))).run.state.output).toEqual({ a: 1 });
    expect((await simulate(flow([]))).run.state.output).toBeNull();
    const bad = await simulate(flow([{ kind: 'set', set: { a: 1 } }], { output: '${ $nope() }' }));
    expect(bad.run.state).toMatchObject({ status: 'failed', error: { type: 'ExpressionError' } });
  });
});

describe('simple paths read without JSONata give what JSONata gives', () => {
  const exprs = ['${ $input.a }', '${ $input.a.b }', '${ $input.missing.x }', '${ $input.n }', '${ $input.s }', '${ $input.t }', '${ $input.list.x }', '${ $input.obj }', '${ $nothing }', '${ $input.z }'];
  it.each(exprs)('%s', async (expr) => {
    const input = { a: { b: 'deep' }, n: 4.5, s: 'str', t: false, list: [{ x: 1 }, { x: 2 }], obj: { k: [1] }, z: null };
    const shortcut = await simulate(flow([{ kind: 'return', value: expr }]), { input });
    const viaJsonata = await simulate(flow([{ kind: 'return', value: expr.replace('${ ', '${ ( ').replace(' }', ' ) }') }]), { input });
    expect(shortcut.run.state.status).toBe('completed');
    expect(shortcut.run.state.output).toEqual(viaJsonata.run.state.output);
    const inObject = await simulate(flow([{ kind: 'return', value: { v: [expr] } }]), { input });
    expect(inObject.run.state.output).toEqual({ v: [viaJsonata.run.state.output] });
  });
});

describe('guards', () => {
  it('a repeat whose body never waits is stopped with LoopLimit instead of hanging', async () => {
    const def = flow([{ kind: 'repeat', until: '${ false }', steps: [{ kind: 'set', set: { x: 1 } }] }]);
    const run = await Run.start(def);
    expect(run.state).toMatchObject({ status: 'failed', error: { type: 'LoopLimit' } });
    expect(run.state.error?.message).toMatch(/has no `max`: add `max:` \(at most 10000\)/);
  });

  it('a repeat whose max is above the limit is told to lower its max, not to add one', async () => {
    const def = flow([{ kind: 'repeat', until: '${ false }', max: 50_000, steps: [{ kind: 'set', set: { x: 1 } }] }]);
    const run = await Run.start(def);
    expect(run.state).toMatchObject({ status: 'failed', error: { type: 'LoopLimit' } });
    expect(run.state.error?.message).toMatch(/its `max: 50000` is above the 10000 passes .*: lower `max` to at most 10000/);
    expect(run.state.error?.message).not.toMatch(/add `max:`/);
  });

  it('activity input without expressions is a copy, not the definition object', async () => {
    const def = flow([{ kind: 'call', call: 'a', with: Object.freeze({ list: Object.freeze([1]) }) }]);
    const run = await Run.start(def);
    const input = run.schedules()[0]!.input as { list: number[] };
    expect(input).toEqual({ list: [1] });
    expect(Object.isFrozen(input)).toBe(false);
  });
});
