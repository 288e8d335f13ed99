import { describe, expect, it } from 'vitest';
import { flow, Run, simulate } from './harness.js';

describe('smoke', () => {
  it('runs a call then a set and completes', async () => {
    const def = flow([
      { kind: 'call', id: 'a', call: 'svc.a', with: { x: '${ $input.x }' } },
      { kind: 'set', set: { got: '${ $steps.a.y }' } },
    ]);
    const run = await Run.start(def, { x: 2 });
    const [s] = run.schedules();
    expect(s).toMatchObject({ activity: 'svc.a', input: { x: 2 }, attempt: 1, idempotencyKey: 'r1:n1' });
    await run.complete(s!.seq, { y: 5 });
    expect(run.state.status).toBe('completed');
    expect(run.state.vars).toEqual({ got: 5 });
    expect(run.state.output).toEqual({ got: 5 });
    expect(await run.replayed()).toEqual(run.state);
  });
  it('simulates', async () => {
    const def = flow([{ kind: 'call', id: 'a', call: 'a' }, { kind: 'wait', durationMs: 1000 }, { kind: 'return', value: '${ $steps.a }' }]);
    const { run } = await simulate(def, { activities: { a: () => 7 } });
    expect(run.state.status).toBe('completed');
    expect(run.state.output).toBe(7);
  });
});
