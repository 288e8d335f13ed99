/** A real run's page derives each step's state as a try does, and names the steps of an undo. */
import { describe, expect, it } from 'vitest';
import { entryStep, runStepStates, withWaiting } from '../../studio/src/run-page.js';

const entry = (index: number, type: string, path?: string, stepId?: string) => ({ index, at: index, type, ...(path ? { path } : {}), ...(stepId ? { stepId } : {}) });
const KINDS: Readonly<Record<string, string>> = { '/steps/0': 'task', '/steps/1': 'task', '/steps/2': 'signal', '/steps/3': 'timer' };

describe('the run page', () => {
  it('marks a step compensated when its undo failed, and the undo node failed (as a try does)', () => {
    const history = [
      entry(0, 'StepScheduled', '/steps/0', 'hotel'),
      entry(1, 'StepCompleted', '/steps/0', 'hotel'),
      entry(2, 'StepScheduled', '/steps/1', 'flight'),
      entry(3, 'StepFailed', '/steps/1', 'flight'),
      entry(4, 'CompensationStarted', '/steps/0', 'hotel'),
      entry(5, 'StepScheduled', '/steps/0/compensate'),
      entry(6, 'StepFailed', '/steps/0/compensate'),
      entry(7, 'CompensationFailed', '/steps/0', 'hotel'),
    ];
    expect(Object.fromEntries(runStepStates(history, (p) => KINDS[p]))).toEqual({
      '/steps/0': 'compensated',
      '/steps/0/compensate': 'failed',
      '/steps/1': 'failed',
    });
  });

  it('shows a started signal or timer step as waiting, any other started step as running', () => {
    const history = [entry(0, 'StepScheduled', '/steps/1'), entry(1, 'StepScheduled', '/steps/2'), entry(2, 'StepScheduled', '/steps/3'), entry(3, 'TimerStarted', '/steps/3')];
    expect(Object.fromEntries(runStepStates(history, (p) => KINDS[p]))).toEqual({ '/steps/1': 'running', '/steps/2': 'waiting', '/steps/3': 'waiting' });
  });

  it('names the steps of a compensation after the step they undo', () => {
    const ids = new Map([['/steps/1', 'flight']]);
    expect(entryStep(entry(0, 'StepScheduled', '/steps/1/compensate'), (p) => ids.get(p))).toBe('undo flight');
    expect(entryStep(entry(1, 'StepCompleted', '/steps/1/compensate/steps/0'), (p) => ids.get(p))).toBe('undo flight');
    expect(entryStep(entry(2, 'StepCompleted', '/steps/1', 'flight'), (p) => ids.get(p))).toBe('flight');
    expect(entryStep(entry(3, 'RunStarted'), (p) => ids.get(p))).toBe('');
  });

  it('draws a signal step that follows a finished or skipped step as waiting, not one after a running step', () => {
    const node = (id: string, shape: string, path?: string) => ({ id, shape, label: id, ...(path ? { path } : {}) });
    const graph = {
      nodes: [node('flowStart', 'start'), node('a', 'task', '/steps/0'), node('s1', 'signal', '/steps/1'), node('b', 'task', '/steps/2'), node('s2', 'signal', '/steps/3')],
      edges: [{ from: 'flowStart', to: 'a' }, { from: 'a', to: 's1' }, { from: 's1', to: 'b' }, { from: 'b', to: 's2' }],
    };
    const skipped = withWaiting(graph as never, new Map([['/steps/0', 'skipped' as const]]));
    expect(skipped.get('/steps/1')).toBe('waiting');
    const done = withWaiting(graph as never, new Map([['/steps/0', 'done' as const]]));
    expect(done.get('/steps/1')).toBe('waiting');
    const running = withWaiting(graph as never, new Map([['/steps/0', 'running' as const]]));
    expect(running.has('/steps/1')).toBe(false);
    expect(running.has('/steps/3')).toBe(false);
  });
});
