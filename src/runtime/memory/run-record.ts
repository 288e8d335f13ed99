/** One run as the embedded runtime holds it: its pinned definition, state, history, attempts and waiters. */
import type { AttemptCancellation } from '../../activities/execute.js';
import type { WorkflowDefinition } from '../../definition/types.js';
import { isTerminal } from '../../interpreter/index.js';
import type { HistoryEntry, RunState, RunStatus } from '../../interpreter/types.js';
import type { HistoryWatcher, RunResult } from '../engine.js';
import { toRunResult } from '../common/run-views.js';

/**
 * History entries are moved out of the live tail into a JSON chunk once this many collect, so a
 * long run's history is a few flat strings plus at most this many live entries: the garbage
 * collector's work per step stays the same from the first step to the hundred-thousandth.
 */
const HISTORY_CHUNK_ENTRIES = 1024;

/**
 * A finished run's state, serialised once as JSON when it ended, and what `result` answers. A
 * retained run is then a few flat strings the garbage collector never looks inside (its history
 * is all chunks by then), instead of a graph of hundreds of small objects it must trace and copy.
 * JSON loses nothing here: every payload a run holds (input, step outputs, signal data, heartbeat
 * details) is already stored as plain JSON (runtime/common/payload-limits.ts), the same form the
 * Redis runtime keeps state and history in.
 */
interface PackedState {
  readonly json: string;
  /** The packed state's, for the store's conflict check without unpacking. */
  readonly revision: number;
  /** What `result` answers (status, output, error), kept unpacked: it is asked for right as a run ends. */
  readonly outcome: RunResult;
}

/**
 * One run as the embedded runtime holds it. While it runs, `state` is the live object and
 * `history` the live entries after the packed chunks (see HISTORY_CHUNK_ENTRIES); once it ends,
 * the state and the rest of the history are packed too, and each read of `state` or `history`
 * unpacks a fresh copy. `status`, `endedAt` and `startedAt` stay at hand for the retention sweep
 * and `list` filters.
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
  private packedState: PackedState | null = null;
  /** The oldest history entries, each chunk a JSON array of entries. */
  private historyChunks: string[] = [];
  /** The entries after the chunks, as committed. */
  private historyTail: HistoryEntry[] = [];

  constructor(
    readonly runId: string,
    definition: WorkflowDefinition,
    state: RunState,
    history: readonly HistoryEntry[],
  ) {
    this.definition = definition;
    this.workflowRef = Object.freeze({ name: definition.name, version: definition.version });
    this.liveState = state;
    this.status = state.status;
    this.endedAt = state.endedAt;
    this.startedAt = state.startedAt;
    this.append(history);
    this.packIfEnded();
  }

  /** The run's state (a fresh copy each read once the run ended: the engine's own object before). */
  get state(): RunState {
    return this.liveState ?? (JSON.parse(this.packedState!.json) as RunState);
  }

  /**
   * The run's history: the engine's own array while nothing of it is packed, else a fresh array
   * (the packed chunks read back, then the live tail).
   */
  get history(): HistoryEntry[] {
    if (this.historyChunks.length === 0) return this.historyTail;
    const all: HistoryEntry[] = [];
    for (const chunk of this.historyChunks) {
      const entries = JSON.parse(chunk) as HistoryEntry[];
      for (let i = 0; i < entries.length; i++) all.push(entries[i]!);
    }
    for (let i = 0; i < this.historyTail.length; i++) all.push(this.historyTail[i]!);
    return all;
  }

  /**
   * The run is still at `state` (what a transition was decided on): the very object while it is
   * live; the same revision once packed (a packed run's state is read back as a copy, and every
   * commit moves the revision on).
   */
  isAt(state: RunState): boolean {
    return this.liveState !== null ? this.liveState === state : this.packedState!.revision === state.revision;
  }

  /** Stores a committed decision's state and appends its entries (`restart`: a new generation's history replaces the old one). */
  apply(state: RunState, entries: readonly HistoryEntry[], restart: boolean): void {
    if (restart) {
      this.historyChunks = [];
      this.historyTail = [];
    }
    this.liveState = state;
    this.packedState = null;
    this.status = state.status;
    this.endedAt = state.endedAt;
    this.startedAt = state.startedAt;
    this.append(entries);
    this.packIfEnded();
  }

  /** What `result` answers: a fresh object each call, the output the run's own. */
  result(): RunResult {
    return this.packedState ? { ...this.packedState.outcome } : toRunResult(this.liveState!);
  }

  /** Whether the run reached a terminal status. */
  get ended(): boolean {
    return isTerminal(this.status);
  }

  private append(entries: readonly HistoryEntry[]): void {
    const tail = this.historyTail;
    // One at a time: `push(...entries)` overflows the stack on a huge decision.
    for (let i = 0; i < entries.length; i++) tail.push(entries[i]!);
    if (tail.length >= HISTORY_CHUNK_ENTRIES) this.packTail();
  }

  /** Moves the live tail into a chunk (kept live if JSON cannot carry it: none is expected, see PackedState). */
  private packTail(): boolean {
    if (this.historyTail.length === 0) return true;
    let chunk: string;
    try {
      chunk = JSON.stringify(this.historyTail);
    } catch {
      return false;
    }
    this.historyChunks.push(chunk);
    this.historyTail = [];
    return true;
  }

  private packIfEnded(): void {
    if (!isTerminal(this.status) || this.liveState === null) return;
    const state = this.liveState;
    let json: string;
    try {
      json = JSON.stringify(state);
    } catch {
      return;
    }
    if (!this.packTail()) return;
    this.packedState = { json, revision: state.revision, outcome: toRunResult(state) };
    this.liveState = null;
  }
}
