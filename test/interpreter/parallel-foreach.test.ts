import { describe, expect, it } from 'vitest';
import { flow, Run, simulate } from './harness.js';
import type { CancelActivityCommand } from '../../src/interpreter/types.js';

describe('parallel', () => {
  const branches = [
    { kind: 'call', id: 'a', call: 'a' },
    { kind: 'call', call: 'b' },
    { kind: 'call', id: 'c', call: 'c' },
  ];

  it('all: starts every branch at once and outputs an object keyed by id (index when none), in branch order', async () => {
    const run = await Run.start(flow([{ kind: 'parallel', id: 'p', branches }]));
    const s = run.schedules();
    expect(s.map((c) => c.activity)).toEqual(['a', 'b', 'c']);
    await run.complete(s[2]!.seq, 'C');
    await run.complete(s[0]!.seq, 'A');
    expect(run.state.status).toBe('running');
    await run.complete(s[1]!.seq, 'B');
    expect(run.state.output).toEqual({ a: 'A', 1: 'B', c: 'C' });
    expect(Object.keys(run.state.output as object)).toEqual(['1', 'a', 'c']);
  });

  it('all: a failing branch cancels the others, then the error propagates', async () => {
    const run = await Run.start(flow([{ kind: 'parallel', branches: [...branches, { kind: 'wait', durationMs: 1000 }] }]));
    const s = run.schedules();
    await run.complete(s[0]!.seq, 'A');
    await run.fail(s[1]!.seq, { type: 'Boom', message: 'b failed' });
    expect(run.commands).toEqual(expect.arrayContaining([{ type: 'CancelActivity', seq: s[2]!.seq }, { type: 'CancelTimer', seq: 4 }]));
    expect(run.state).toMatchObject({ status: 'failed', error: { type: 'Boom', step: '/steps/0/parallel/1' } });
    expect(run.history.filter((h) => h.type === 'StepCancelled').map((h) => h.path)).toEqual(['/steps/0/parallel/2', '/steps/0/parallel/3']);
  });

  it('any: the first branch to succeed wins; the rest are cancelled', async () => {
    const run = await Run.start(flow([{ kind: 'parallel', completion: 'any', branches }]));
    const s = run.schedules();
    await run.fail(s[0]!.seq, { type: 'Boom', message: 'a failed' });
    expect(run.state.status).toBe('running');
    await run.complete(s[2]!.seq, 'C wins');
    expect(run.state.output).toBe('C wins');
    expect(run.commands.filter((c): c is CancelActivityCommand => c.type === 'CancelActivity').map((c) => c.seq)).toEqual([s[1]!.seq]);
  });

  it('any: when every branch fails, the step fails with the last failure', async () => {
    const run = await Run.start(flow([{ kind: 'parallel', completion: 'any', branches }]));
    const s = run.schedules();
    await run.fail(s[1]!.seq, { type: 'B', message: 'b' });
    await run.fail(s[0]!.seq, { type: 'A', message: 'a' });
    await run.fail(s[2]!.seq, { type: 'C', message: 'c' });
    expect(run.state.error).toMatchObject({ type: 'C' });
  });

  it('branches finishing synchronously are all collected', async () => {
    const { run } = await simulate(flow([{ kind: 'parallel', branches: [{ kind: 'set', id: 'x', set: { x: 1 } }, { kind: 'set', id: 'y', set: { y: 2 } }] }]));
    expect(run.state.output).toEqual({ x: { x: 1 }, y: { y: 2 } });
  });

  it('empty parallel outputs {} (all) or null (any)', async () => {
    expect((await simulate(flow([{ kind: 'parallel', branches: [] }]))).run.state.output).toEqual({});
    expect((await simulate(flow([{ kind: 'parallel', completion: 'any', branches: [] }]))).run.state.output).toBeNull();
  });
});

describe('forEach', () => {
  const body = [{ kind: 'call', id: 'work', call: 'work', with: { item: '${ $item }', index: '${ $index }' } }, { kind: 'set', set: { last: '${ $steps.work }' } }];

  it('runs at most `concurrency` iterations at once and outputs in input order', async () => {
    const def = flow([{ kind: 'forEach', id: 'f', forEach: '${ $input.items }', concurrency: 2, steps: [{ kind: 'call', id: 'work', call: 'work', with: '${ $item }' }] }]);
    const run = await Run.start(def, { items: ['a', 'b', 'c', 'd'] });
    let s = run.schedules();
    expect(s.map((c) => c.input)).toEqual(['a', 'b']);
    await run.complete(s[1]!.seq, 'B');
    const third = run.schedules();
    expect(third.map((c) => c.input)).toEqual(['c']);
    await run.complete(third[0]!.seq, 'C');
    const fourth = run.schedules();
    expect(fourth.map((c) => c.input)).toEqual(['d']);
    await run.complete(fourth[0]!.seq, 'D');
    expect(run.state.status).toBe('running');
    await run.complete(s[0]!.seq, 'A');
    expect(run.state.output).toEqual(['A', 'B', 'C', 'D']);
    s = [];
  });

  it('each iteration has its own $item/$index, $steps and idempotency keys', async () => {
    const def = flow([{ kind: 'forEach', forEach: '${ $input.items }', concurrency: 3, steps: body }]);
    const { run, calls } = await simulate(def, { input: { items: [10, 20, 30] }, activities: { work: (i) => (i as { item: number }).item * 2 } });
    expect(calls.map((c) => c.input)).toEqual([{ item: 10, index: 0 }, { item: 20, index: 1 }, { item: 30, index: 2 }]);
    expect(new Set(calls.map((c) => c.key)).size).toBe(3);
    expect(run.state.output).toEqual([{ last: 20 }, { last: 40 }, { last: 60 }]);
  });

  it('custom as/indexAs names', async () => {
    const def = flow([{ kind: 'forEach', forEach: '${ ["x","y"] }', as: 'order', indexAs: 'i', steps: [{ kind: 'set', set: { v: '${ $order & $string($i) }' } }] }]);
    expect((await simulate(def)).run.state.output).toEqual([{ v: 'x0' }, { v: 'y1' }]);
  });

  it('an empty array (or a path that matches nothing) outputs []', async () => {
    expect((await simulate(flow([{ kind: 'forEach', forEach: '${ [] }', steps: body }]))).run.state.output).toEqual([]);
    expect((await simulate(flow([{ kind: 'forEach', forEach: '${ $input.missing }', steps: body }]))).run.state.output).toEqual([]);
  });

  it('a non-array fails with ExpressionError', async () => {
    const { run } = await simulate(flow([{ kind: 'forEach', id: 'f', forEach: '${ "text" }', steps: body }]));
    expect(run.state.error).toMatchObject({ type: 'ExpressionError', step: 'f' });
  });

  it('a failing iteration cancels the running ones and fails the step', async () => {
    const def = flow([{ kind: 'forEach', forEach: '${ [1,2,3] }', concurrency: 3, steps: [{ kind: 'call', call: 'work', with: '${ $item }' }] }]);
    const run = await Run.start(def);
    const s = run.schedules();
    await run.fail(s[1]!.seq, { type: 'Bad', message: 'two' });
    expect(run.commands).toEqual([{ type: 'CancelActivity', seq: s[0]!.seq }, { type: 'CancelActivity', seq: s[2]!.seq }]);
    expect(run.state.error).toMatchObject({ type: 'Bad' });
  });

  it('inner $steps of an iteration shadow outer ones, and outer ones stay visible', async () => {
    const def = flow([
      { kind: 'set', id: 'work', set: { outer: true } },
      { kind: 'set', id: 'base', set: { b: 1 } },
      { kind: 'forEach', forEach: '${ [1,2] }', steps: [{ kind: 'set', set: { before: '${ $steps.work }', base: '${ $steps.base.b }' } }, { kind: 'set', id: 'work', set: { inner: '${ $item }' } }] },
      { kind: 'set', set: { after: '${ $steps.work }' } },
    ]);
    const { run } = await simulate(def);
    expect(run.state.vars).toMatchObject({ before: { outer: true }, base: 1, after: { outer: true } });
  });

  it('10,000 synchronous iterations do not overflow the stack', async () => {
    const def = flow([{ kind: 'forEach', forEach: '${ $input.items }', steps: [{ kind: 'set', set: { i: '${ $item }' } }] }]);
    const { run } = await simulate(def, { input: { items: Array.from({ length: 10_000 }, (_, i) => i + 1) }, maxEvents: 100 });
    expect(run.state.status).toBe('completed');
    expect((run.state.output as unknown[]).length).toBe(10_000);
    expect(run.state.vars).toEqual({ i: 10_000 });
  });
});
