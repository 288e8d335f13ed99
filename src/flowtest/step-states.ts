/**
 * Each step's state from a run's history, as the studio draws it on a graph: one derivation for a
 * try run (`POST /v1/try` answers it) and a real run's page (the studio reads the history live and
 * imports this file). Pure and free of imports, so the studio's bundle can take it as it is.
 */

export type StepState = 'running' | 'waiting' | 'done' | 'failed' | 'skipped' | 'cancelled' | 'compensated';

/** What the derivation reads of a history entry. */
export interface StateEntry {
  readonly type: string;
  readonly path?: string;
}

const STATE_AFTER: Readonly<Record<string, StepState>> = {
  StepScheduled: 'running',
  StepCompleted: 'done',
  StepFailed: 'failed',
  StepSkipped: 'skipped',
  StepCancelled: 'cancelled',
  CompensationStarted: 'compensated',
  CompensationCompleted: 'compensated',
  CompensationFailed: 'compensated',
};

/** The state of the compensation's own node after each compensation entry. */
const UNDO_STATE_AFTER: Readonly<Record<string, StepState>> = {
  CompensationStarted: 'running',
  CompensationCompleted: 'done',
  CompensationFailed: 'failed',
};

/** Each step's last state from the history, then the steps waiting for a signal. */
export function stepStates(history: readonly StateEntry[], waitingFor: readonly { readonly path: string }[] = []): Record<string, StepState> {
  const states: Record<string, StepState> = {};
  for (const entry of history) {
    if (entry.path === undefined) continue;
    const state = STATE_AFTER[entry.type];
    if (state === undefined) continue;
    states[entry.path] = state;
    // The graph draws a step's compensation as its own node, at `<step path>/compensate`.
    const undo = UNDO_STATE_AFTER[entry.type];
    if (undo !== undefined) states[`${entry.path}/compensate`] = undo;
  }
  for (const wait of waitingFor) states[wait.path] = 'waiting';
  return states;
}
