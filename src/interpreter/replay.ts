/**
 * Replay: folds the inbound events recorded in a run's history through `decide` again. Because
 * the core is deterministic, the result equals the state the run saved — the proof that history
 * is the truth and state only a cache.
 */
import type { WorkflowDefinition } from '../definition/types.js';
import type { HistoryEntry, RunEvent, RunState } from './types.js';
import { decide, type DecideOptions } from './decide.js';
import { CoreMisuseError } from './errors.js';

/** Options of a replay: decision options, and the versions a migrated run was on before `definition`. */
export interface ReplayOptions extends DecideOptions {
  /** Definitions the run was pinned to before it was migrated (`RunMigrated`) to `definition`. */
  readonly earlier?: readonly WorkflowDefinition[];
}

/**
 * The definition each event of a history is decided with: the run's first version until a
 * RunMigrated, whose target decides it and what follows. `current` is the run's definition now.
 * Throws CoreMisuseError when a version the history names is not given. Pure.
 */
export function definitionsAlong(current: WorkflowDefinition, history: readonly HistoryEntry[], earlier: readonly WorkflowDefinition[] = []): (event: RunEvent) => WorkflowDefinition {
  const known = [current, ...earlier];
  const find = (version: number, digest: string): WorkflowDefinition => {
    const found = known.find((d) => d.version === version && d.digest === digest);
    if (!found) throw new CoreMisuseError(`the history moves through ${current.name} v${version}, which was not given to the replay`);
    return found;
  };
  const firstMove = history.find((entry) => entry.event?.type === 'RunMigrated')?.event;
  let pinned = firstMove?.type === 'RunMigrated' ? find(firstMove.from.version, firstMove.from.digest) : current;
  return (event) => {
    if (event.type === 'RunMigrated') pinned = find(event.to.version, event.to.digest);
    return pinned;
  };
}

/** The state reached by deciding, in order, every history entry that carries an event. Pure. */
export async function replay(definition: WorkflowDefinition, history: readonly HistoryEntry[], options: ReplayOptions = {}): Promise<RunState> {
  let state: RunState | undefined;
  const definitionFor = definitionsAlong(definition, history, options.earlier);
  for (const entry of history) {
    if (!entry.event) continue;
    state = (await decide(definitionFor(entry.event), state, entry.event, options)).state;
  }
  if (!state) throw new CoreMisuseError('history holds no RunStarted event: nothing to replay');
  return state;
}
