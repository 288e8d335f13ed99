/**
 * Replay: folds the inbound events recorded in a run's history through `decide` again. Because
 * the core is deterministic, the result equals the state the run saved — the proof that history
 * is the truth and state only a cache.
 */
import type { WorkflowDefinition } from '../definition/types.js';
import type { HistoryEntry, RunState } from './types.js';
import { decide, type DecideOptions } from './decide.js';
import { CoreMisuseError } from './errors.js';

/** The state reached by deciding, in order, every history entry that carries an event. Pure. */
export async function replay(definition: WorkflowDefinition, history: readonly HistoryEntry[], options: DecideOptions = {}): Promise<RunState> {
  let state: RunState | undefined;
  for (const entry of history) {
    if (!entry.event) continue;
    state = (await decide(definition, state, entry.event, options)).state;
  }
  if (!state) throw new CoreMisuseError('history holds no RunStarted event: nothing to replay');
  return state;
}
