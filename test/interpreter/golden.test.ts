/**
 * Golden tests: the exact history and commands of two representative runs. A change in the
 * core's behaviour (ordering, seq numbering, entries) makes them fail loudly; update the
 * snapshot only when the change is intended and documented.
 */
import { describe, expect, it } from 'vitest';
import { Fail, flow, retry, simulate } from './harness.js';

describe('golden histories', () => {
  it('order saga: retry, parallel, compensation in reverse order', async () => {
    const def = flow([
      { kind: 'call', id: 'reserve', call: 'reserve', compensate: { kind: 'call', call: 'release', with: '${ $output }' } },
      { kind: 'parallel', id: 'p', branches: [{ kind: 'call', id: 'charge', call: 'charge', compensate: { kind: 'call', call: 'refund' } }, { kind: 'wait', durationMs: 100 }] },
      { kind: 'call', id: 'ship', call: 'ship', retry: retry({ maxAttempts: 2, initialIntervalMs: 50 }) },
    ]);
    const { run } = await simulate(def, {
      activities: { reserve: () => 'R', charge: () => 'C', ship: () => { throw new Fail({ type: 'NoTruck', message: 'none' }); }, release: () => null, refund: () => null },
    });
    expect(run.state.status).toBe('compensated');
    expect(run.history.map((h) => [h.index, h.type, h.path ?? '', h.seq ?? '', h.attempt ?? ''].join(' '))).toMatchSnapshot();
  });

  it('signals, forEach and a timeout', async () => {
    const def = flow([
      { kind: 'waitSignal', id: 'go', signal: 'go', timeoutMs: 1000 },
      { kind: 'forEach', forEach: '${ $steps.go.items }', concurrency: 2, steps: [{ kind: 'call', call: 'work', with: '${ $item }' }] },
      { kind: 'waitSignal', signal: 'never', timeoutMs: 10, catch: [{ errors: ['SignalTimeout'], steps: [{ kind: 'set', set: { late: true } }] }] },
    ]);
    const { run } = await simulate(def, { signals: [{ name: 'go', data: { items: [1, 2, 3] } }], activities: { work: (i) => i } });
    expect(run.state.status).toBe('completed');
    expect(run.history.map((h) => [h.index, h.type, h.path ?? '', h.seq ?? '', h.attempt ?? ''].join(' '))).toMatchSnapshot();
  });
});
