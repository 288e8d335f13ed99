import { describe, expect, it } from 'vitest';
import { Fail, flow, retry, Run, simulate } from './harness.js';

const ok = (name: string) => (input: unknown) => ({ [name]: input });
const boom = (type = 'Boom') => () => {
  throw new Fail({ type, message: `${type}!` });
};

const order = (failing: string) =>
  flow([
    { kind: 'call', id: 'reserve', call: 'reserve', compensate: { kind: 'call', call: 'release', with: { id: '${ $output.reserve }', why: '${ $error.type }' } } },
    { kind: 'call', id: 'charge', call: 'charge', compensate: { kind: 'call', call: 'refund', with: '${ $output }' } },
    { kind: 'call', id: 'ship', call: failing },
  ]);

describe('saga compensation (SPEC §5)', () => {
  it('runs registered compensations in reverse order with $output and $error; ends compensated keeping the error', async () => {
    const { run, calls } = await simulate(order('ship'), {
      activities: { reserve: () => ({ reserve: 'r1' }), charge: () => ({ chargeId: 'c1' }), ship: boom('NoTruck'), release: ok('released'), refund: ok('refunded') },
    });
    expect(calls.map((c) => c.activity)).toEqual(['reserve', 'charge', 'ship', 'refund', 'release']);
    expect(calls[3]!.input).toEqual({ chargeId: 'c1' });
    expect(calls[4]!.input).toEqual({ id: 'r1', why: 'NoTruck' });
    expect(run.state).toMatchObject({ status: 'compensated', error: { type: 'NoTruck', step: 'ship' } });
    expect(run.types().filter((t) => t.startsWith('Compensation'))).toEqual(['CompensationStarted', 'CompensationCompleted', 'CompensationStarted', 'CompensationCompleted']);
    expect(run.types().at(-1)).toBe('RunEnded');
  });

  it('ends failed when nothing was registered', async () => {
    const { run } = await simulate(order('ship'), { activities: { reserve: boom('Early') } });
    expect(run.state).toMatchObject({ status: 'failed', error: { type: 'Early' } });
  });

  it('a compensation that exhausts its retries gives compensation_failed, and the rest still run', async () => {
    const def = flow([
      { kind: 'call', id: 'a', call: 'a', compensate: { kind: 'call', call: 'undoA' } },
      { kind: 'call', id: 'b', call: 'b', compensate: { kind: 'call', call: 'undoB', retry: retry({ maxAttempts: 2, initialIntervalMs: 5 }) } },
      { kind: 'fail', error: 'Stop' },
    ]);
    const { run, calls } = await simulate(def, { activities: { a: ok('a'), b: ok('b'), undoA: ok('x'), undoB: boom('Stuck') } });
    expect(calls.map((c) => `${c.activity}#${c.attempt}`)).toEqual(['a#1', 'b#1', 'undoB#1', 'undoB#2', 'undoA#1']);
    expect(run.state).toMatchObject({ status: 'compensation_failed', error: { type: 'Stop' } });
    expect(run.types()).toContain('CompensationFailed');
  });

  it('forEach iterations register their own compensations, undone in reverse with their $item', async () => {
    const def = flow([
      { kind: 'forEach', forEach: '${ ["x","y","z"] }', steps: [{ kind: 'call', id: 'book', call: 'book', with: '${ $item }', compensate: { kind: 'call', call: 'unbook', with: '${ $item & ":" & $output }' } }] },
      { kind: 'fail', error: 'Stop' },
    ]);
    const { run, calls } = await simulate(def, { activities: { book: (i) => `B${i as string}`, unbook: ok('u') } });
    expect(calls.filter((c) => c.activity === 'unbook').map((c) => c.input)).toEqual(['z:Bz', 'y:By', 'x:Bx']);
    expect(run.state.status).toBe('compensated');
  });

  it('parallel: a failing branch cancels the others; completed work in every branch is compensated', async () => {
    const def = flow([
      {
        kind: 'parallel',
        branches: [
          { kind: 'call', id: 'a', call: 'a', compensate: { kind: 'call', call: 'undoA' } },
          { kind: 'steps', steps: [{ kind: 'call', id: 'b', call: 'b', compensate: { kind: 'call', call: 'undoB' } }, { kind: 'call', call: 'bad' }] },
          { kind: 'call', call: 'slow' },
        ],
      },
    ]);
    const run = await Run.start(def);
    const [a, b, slow] = run.schedules();
    await run.complete(a!.seq, 'A');
    await run.complete(b!.seq, 'B');
    const bad = run.schedules()[0]!;
    await run.fail(bad.seq, { type: 'Bad', message: 'bad' });
    expect(run.commands[0]).toEqual({ type: 'CancelActivity', seq: slow!.seq });
    expect(run.schedules().map((c) => c.activity)).toEqual(['undoB']);
    await run.complete(run.schedules()[0]!.seq, null);
    expect(run.schedules().map((c) => c.activity)).toEqual(['undoA']);
    await run.complete(run.schedules()[0]!.seq, null);
    expect(run.state).toMatchObject({ status: 'compensated', error: { type: 'Bad' } });
  });

  it('explicit compensate in a catch runs compensations once; the saga does not run them again', async () => {
    const def = flow([
      { kind: 'call', id: 'a', call: 'a', compensate: { kind: 'call', call: 'undoA' } },
      { kind: 'call', id: 'b', call: 'b', compensate: { kind: 'call', call: 'undoB', with: '${ $error.type }' } },
      { kind: 'call', id: 'c', call: 'c', catch: [{ steps: [{ kind: 'compensate', targets: 'all' }, { kind: 'set', set: { handled: true } }] }] },
      { kind: 'fail', error: 'Later' },
    ]);
    const { run, calls } = await simulate(def, { activities: { a: ok('a'), b: ok('b'), c: boom('CFail'), undoA: ok('x'), undoB: ok('y') } });
    expect(calls.map((c) => c.activity)).toEqual(['a', 'b', 'c', 'undoB', 'undoA']);
    expect(calls[3]!.input).toBe('CFail');
    expect(run.state).toMatchObject({ status: 'failed', error: { type: 'Later' }, vars: { handled: true } });
  });

  it('compensate with step ids runs only those', async () => {
    const def = flow([
      { kind: 'call', id: 'a', call: 'a', compensate: { kind: 'call', call: 'undoA' } },
      { kind: 'call', id: 'b', call: 'b', compensate: { kind: 'call', call: 'undoB' } },
      { kind: 'compensate', targets: ['a'] },
    ]);
    const { run, calls } = await simulate(def, { activities: { a: ok('a'), b: ok('b'), undoA: ok('x'), undoB: ok('y') } });
    expect(calls.map((c) => c.activity)).toEqual(['a', 'b', 'undoA']);
    expect(run.state).toMatchObject({ status: 'completed', output: null });
  });

  it('explicit compensate whose compensation fails runs the rest, then fails with CompensationFailed', async () => {
    const def = flow([
      { kind: 'call', id: 'a', call: 'a', compensate: { kind: 'call', call: 'undoA' } },
      { kind: 'call', id: 'b', call: 'b', compensate: { kind: 'call', call: 'undoB' } },
      { kind: 'compensate', id: 'comp', targets: 'all' },
    ]);
    const { run, calls } = await simulate(def, { activities: { a: ok('a'), b: ok('b'), undoA: ok('x'), undoB: boom('Nope') } });
    expect(calls.map((c) => c.activity)).toEqual(['a', 'b', 'undoB', 'undoA']);
    expect(run.state).toMatchObject({ status: 'failed', error: { type: 'CompensationFailed', step: 'comp' } });
  });

  it('a step whose failure was handled by its own catch registers no compensation', async () => {
    const def = flow([
      { kind: 'call', id: 'a', call: 'a', compensate: { kind: 'call', call: 'undoA' }, catch: [{ steps: [] }] },
      { kind: 'fail', error: 'Stop' },
    ]);
    const { run, calls } = await simulate(def, { activities: { a: boom(), undoA: ok('x') } });
    expect(calls.map((c) => c.activity)).toEqual(['a']);
    expect(run.state.status).toBe('failed');
  });

  it('cancel: running work is cancelled, compensations run with $error Cancelled, status cancelled', async () => {
    const run = await Run.start(order('ship'));
    await run.complete(1, { reserve: 'r1' });
    await run.complete(2, { chargeId: 'c1' });
    const ship = run.schedules()[0]!;
    await run.send({ type: 'CancelRequested', reason: 'customer changed mind' });
    expect(run.commands[0]).toEqual({ type: 'CancelActivity', seq: ship.seq });
    expect(run.schedules().map((c) => c.activity)).toEqual(['refund']);
    await run.complete(run.schedules()[0]!.seq, null);
    const release = run.schedules()[0]!;
    expect(release.input).toEqual({ id: 'r1', why: 'Cancelled' });
    await run.complete(release.seq, null);
    expect(run.state).toMatchObject({ status: 'cancelled', error: { type: 'Cancelled', message: 'customer changed mind' } });
    expect((await run.send({ type: 'CancelRequested' })).accepted).toBe(false);
  });

  it('cancel with a failing compensation stays cancelled and lists the failure', async () => {
    const run = await Run.start(order('ship'));
    await run.complete(1, { reserve: 'r1' });
    await run.send({ type: 'CancelRequested' });
    await run.fail(run.schedules()[0]!.seq, { type: 'ReleaseFailed', message: 'x' });
    expect(run.state.status).toBe('cancelled');
    expect(run.state.error?.details).toMatchObject({ compensationFailures: [{ type: 'ReleaseFailed' }] });
  });

  it('a second cancel while compensating is ignored', async () => {
    const run = await Run.start(order('ship'));
    await run.complete(1, { reserve: 'r1' });
    await run.send({ type: 'CancelRequested' });
    expect((await run.send({ type: 'CancelRequested' })).accepted).toBe(false);
  });

  it('run timeout: compensations run, then timed_out with Timeout', async () => {
    const def = { ...order('ship'), timeoutMs: 10_000 };
    const run = await Run.start(def);
    const runTimer = run.timers('run-timeout')[0]!;
    await run.complete(2, { reserve: 'r1' });
    await run.fire(runTimer);
    expect(run.schedules().map((c) => c.activity)).toEqual(['release']);
    await run.complete(run.schedules()[0]!.seq, null);
    expect(run.state).toMatchObject({ status: 'timed_out', error: { type: 'Timeout' } });
  });
});
