/** One run as the embedded runtime holds it: its pinned definition, state, history, attempts and waiters. */
import type { AttemptCancellation } from '../../activities/execute.js';
import type { WorkflowDefinition } from '../../definition/types.js';
import type { HistoryEntry, RunState } from '../../interpreter/types.js';
import type { HistoryWatcher } from '../engine.js';

/** One run as the embedded runtime holds it. */
export interface RunRecord {
  readonly runId: string;
  /** The exact definition the run is pinned to: the one it started with, or the one it was migrated to. */
  definition: WorkflowDefinition;
  /** Definitions the run was pinned to before its migrations, oldest first (for replay). */
  earlier?: WorkflowDefinition[];
  state: RunState;
  history: HistoryEntry[];
  /** In-flight activity attempts by seq. */
  readonly activities: Map<number, AttemptCancellation>;
  /**
   * Details of the last heartbeat of each step execution (by idempotencyKey), for its next attempt's
   * `ctx.lastHeartbeat`; made on first heartbeat, dropped when the step succeeds or the run ends.
   */
  heartbeats?: Map<string, unknown>;
  /** The run's `{name, version}`, shared by every attempt's context. */
  workflowRef: { readonly name: string; readonly version: number };
  /** Called (then cleared) whenever the run reaches a terminal status or faults. */
  waiters: Array<() => void>;
  /** Told of each committed batch of history entries (`watchHistory`); made on first watch. */
  watchers?: Set<HistoryWatcher>;
  /** A bug in the core while deciding: the run can no longer move. */
  fault?: unknown;
}

