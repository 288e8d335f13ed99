/** One run as the embedded runtime holds it: its pinned definition, state, history, attempts and waiters. */
import type { AttemptCancellation } from '../../activities/execute.js';
import type { WorkflowDefinition } from '../../definition/types.js';
import { isTerminal } from '../../interpreter/index.js';
import type { HistoryEntry, RunState, RunStatus } from '../../interpreter/types.js';
import type { HistoryWatcher, RunResult } from '../engine.js';
import { toRunResult } from '../common/run-views.js';

/**
 * A finished run's state and history, each serialised once as JSON when it ended. A retained run
 * is then two flat strings the garbage collector never looks inside, instead of a graph of
 * hundreds of small objects it must trace and copy. JSON loses nothing here: every payload a run
 * holds (input, step outputs, signal data, heartbeat details) is already stored as plain JSON
 * (runtime/common/payload-limits.ts), the same form the Redis runtime keeps state and history in.
 */
interface PackedRun {
  readonly state: string;
  readonly history: string;
  /** The packed state's, for the store's conflict check without unpacking. */
  readonly revision: number;
  /** What `result` answers (status, output, error), kept unpacked: it is asked for right as a run ends. */
  readonly outcome: RunResult;
}

/**
 * One run as the embedded runtime holds it. While it runs, `state` and `history` are live
 * objects; once it ends they are packed (see PackedRun), and each read of `state` or `history`
 * unpacks a fresh copy. `status`, `endedAt`, `startedAt` and `workflowName` stay at hand for the
 * retention sweep and `list` filters.
 */
export class RunRecord {
  /** The exact definition the run is pinned to: the one it started with, or the one it was migrated to. */
  definition: WorkflowDefinition;
  /** Definitions the run was pinned to before its migrations, oldest first (for replay). */
  earlier?: WorkflowDefinition[];
  /** In-flight activity attempts by seq. */
  readonly activities = new Map<number, AttemptCancellation>();
  /**
   * Details of the last heartbeat of each step execution (by idempotencyKey), for its next attempt's
   * `ctx.lastHeartbeat`; made on first heartbeat, dropped when the step succeeds or the run ends.
   */
  heartbeats?: Map<string, unknown>;
  /** The run's `{name, version}`, shared by every attempt's context. */
  workflowRef: { readonly name: string; readonly version: number };
  /** Called (then cleared) whenever the run reaches a terminal status or faults. */
  waiters: Array<() => void> = [];
  /** Told of each committed batch of history entries (`watchHistory`); made on first watch. */
  watchers?: Set<HistoryWatcher>;
  /** A bug in the core while deciding: the run can no longer move. */
  fault?: unknown;

  status: RunStatus;
  endedAt: number | null;
  startedAt: number;
  private liveState: RunState | null;
  private liveHistory: HistoryEntry[] | null;
  private packed: PackedRun | null = null;

  constructor(
    readonly runId: string,
    definition: WorkflowDefinition,
    state: RunState,
    history: readonly HistoryEntry[],
  ) {
    this.definition = definition;
    this.workflowRef = Object.freeze({ name: definition.name, version: definition.version });
    this.liveState = state;
    this.liveHistory = [...history];
    this.status = state.status;
    this.endedAt = state.endedAt;
    this.startedAt = state.startedAt;
    this.packIfEnded();
  }

  /** The run's state (a fresh copy each read once the run ended: the engine's own object before). */
  get state(): RunState {
    return this.liveState ?? (JSON.parse(this.packed!.state) as RunState);
  }

  /** The run's history (a fresh array each read once the run ended: the engine's own array before). */
  get history(): HistoryEntry[] {
    return this.liveHistory ?? (JSON.parse(this.packed!.history) as HistoryEntry[]);
  }

  /**
   * The run is still at `state` (what a transition was decided on): the very object while it is
   * live; the same revision once packed (a packed run's state is read back as a copy, and every
   * commit moves the revision on).
   */
  isAt(state: RunState): boolean {
    return this.liveState !== null ? this.liveState === state : this.packed!.revision === state.revision;
  }

  /** Stores a committed decision's state and appends its entries (`restart`: a new generation's history replaces the old one). */
  apply(state: RunState, entries: readonly HistoryEntry[], restart: boolean): void {
    const history = restart ? [] : this.history;
    // One at a time: `push(...entries)` overflows the stack on a huge decision.
    for (let i = 0; i < entries.length; i++) history.push(entries[i]!);
    this.liveState = state;
    this.liveHistory = history;
    this.packed = null;
    this.status = state.status;
    this.endedAt = state.endedAt;
    this.startedAt = state.startedAt;
    this.packIfEnded();
  }

  /** What `result` answers: a fresh object each call, the output the run's own. */
  result(): RunResult {
    return this.packed ? { ...this.packed.outcome } : toRunResult(this.liveState!);
  }

  /** Whether the run reached a terminal status. */
  get ended(): boolean {
    return isTerminal(this.status);
  }

  private packIfEnded(): void {
    if (!isTerminal(this.status) || this.liveState === null || this.liveHistory === null) return;
    let packed: PackedRun;
    try {
      const state = this.liveState;
      packed = { state: JSON.stringify(state), history: JSON.stringify(this.liveHistory), revision: state.revision, outcome: toRunResult(state) };
    } catch {
      // A value JSON cannot carry (none is expected: see PackedRun): keep the run live.
      return;
    }
    this.packed = packed;
    this.liveState = null;
    this.liveHistory = null;
  }
}
