/** FlowTrier's bounds (time, concurrency, history size) and the step states it derives from a history. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import { TryBusyError } from '../../src/errors.js';
import { FlowTrier, stepStates } from '../../src/flowtest/try-run.js';
import type { HistoryEntry } from '../../src/interpreter/types.js';

const HANGS = loadDefinition(`dsl: flowline/v1
name: hangs
version: 1
steps:
  - id: stuck
    call: slow.never
`);

const LOOPS = loadDefinition(`dsl: flowline/v1
name: loops
version: 1
steps:
  - id: each
    forEach: \${ [1..400] }
    steps:
      - set:
          last: \${ $item }
`);

/** Handlers that never answer until released, so a test can end them. */
let release: (() => void) | undefined;
afterEach(() => release?.());

function hangingTrier(maxConcurrent = 4): FlowTrier {
  const gate = new Promise<void>((resolve) => (release = resolve));
  return new FlowTrier({ registered: { 'slow.never': () => gate.then(() => ({})) }, maxConcurrent });
}

describe('FlowTrier', () => {
  it('stops a try that outlives its time bound and says why, with the step still running', async () => {
    const outcome = await hangingTrier().run({ flow: HANGS, activities: { 'slow.never': { registered: true } }, timeoutMs: 150 });
    expect(outcome.status).toBe('running');
    expect(outcome.stopped).toMatch(/still going after 0.15s of real time/);
    expect(outcome.steps).toEqual({ '/steps/0': 'running' });
    expect(outcome.calls).toEqual(['slow.never']);
  });

  it('refuses a try beyond the concurrency bound with TryBusy while another is going', async () => {
    const trier = hangingTrier(1);
    const first = trier.run({ flow: HANGS, activities: { 'slow.never': { registered: true } }, timeoutMs: 2_000 });
    await expect(trier.run({ flow: HANGS, activities: { 'slow.never': { registered: true } } })).rejects.toBeInstanceOf(TryBusyError);
    release?.();
    expect((await first).status).toBe('completed');
    // Once the first ended, the next one is taken.
    expect((await trier.run({ flow: HANGS, activities: { 'slow.never': { registered: true } } })).status).toBe('completed');
  });

  it('returns at most maxHistoryEntries entries and says the history was cut', async () => {
    const outcome = await new FlowTrier({ maxHistoryEntries: 50 }).run({ flow: LOOPS });
    expect(outcome.status).toBe('completed');
    expect(outcome.history).toHaveLength(50);
    expect(outcome.history[0]?.type).toBe('RunStarted');
    expect(outcome.historyTruncated).toBe(true);
  });

  it('derives step states: last entry per step, compensation nodes lit, waits last', () => {
    const entry = (index: number, type: string, path: string): HistoryEntry => ({ index, at: index, type, path }) as HistoryEntry;
    const history = [
      entry(0, 'StepScheduled', '/steps/0'),
      entry(1, 'StepCompleted', '/steps/0'),
      entry(2, 'StepScheduled', '/steps/1'),
      entry(3, 'StepFailed', '/steps/1'),
      entry(4, 'CompensationStarted', '/steps/0'),
      entry(5, 'CompensationFailed', '/steps/0'),
      entry(6, 'StepSkipped', '/steps/2'),
    ];
    expect(stepStates(history, [{ path: '/steps/3' }])).toEqual({
      '/steps/0': 'compensated',
      '/steps/0/compensate': 'failed',
      '/steps/1': 'failed',
      '/steps/2': 'skipped',
      '/steps/3': 'waiting',
    });
  });

  it('bounds a whole test run in real time: cases past the bound are reported as not run', async () => {
    const tests = `flow: ./x.yaml
cases:
  - name: hangs
    expect: { status: running }
  - name: never reached
`;
    const trier = new FlowTrier({ registered: { 'slow.never': () => new Promise(() => undefined) }, maxTimeoutMs: 200 });
    const outcome = await trier.runTests({ flow: HANGS, tests });
    const [hangs, never] = outcome.files[0]?.cases ?? [];
    expect(hangs).toMatchObject({ name: 'hangs', passed: true });
    expect(never).toMatchObject({ name: 'never reached', passed: false, reasons: ['not run: the tests took longer than 0.2s of real time in all'] });
  });
});
