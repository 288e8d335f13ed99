/**
 * The embedded runtime's RunStore (runtime/core/ports.ts): runs in a map, each with its pinned
 * definition, state and history. A commit expects the state it was decided on to still be the
 * run's (the driver's per-run queue makes that always so, but for a run replaced meanwhile);
 * finished runs are dropped once past the retention.
 */
import { RunAlreadyExistsError } from '../../errors.js';
import type { HistoryEntry } from '../../interpreter/types.js';
import type { Logger } from 'pino';
import type { RunStore, StoredRun, Transition } from '../core/ports.js';
import type { HistoryWatcher } from '../engine.js';
import type { Clock } from './clock.js';
import { RunRecord } from './run-record.js';

/** A run loaded for a transition: the record whose state the decision is made on. */
export interface MemoryLoadedRun extends StoredRun {
  readonly record: RunRecord;
}

/** What the store needs. */
export interface MemoryRunStoreDeps {
  readonly clock: Clock;
  readonly retentionMs: number;
  /** The engine's logger (a history watcher that throws is reported there). */
  readonly log: () => Logger;
}

/** Every run of one embedded engine. The commit's receipt is the run's record. */
export class MemoryRunStore implements RunStore<MemoryLoadedRun, undefined, RunRecord> {
  readonly runs = new Map<string, RunRecord>();
  /**
   * Finished runs in the order they ended (a run that ends again moves to the back), so a sweep
   * looks only at the oldest ones instead of at every retained run.
   */
  private readonly ended = new Map<string, RunRecord>();

  constructor(private readonly deps: MemoryRunStoreDeps) {}

  /** A run, or undefined when unknown or expired (expired runs are dropped on the way). */
  lookup(runId: string): RunRecord | undefined {
    const record = this.runs.get(runId);
    if (!record) return undefined;
    const endedAt = record.endedAt;
    if (endedAt !== null && record.ended && this.deps.clock.now() - endedAt > this.deps.retentionMs) {
      this.runs.delete(runId);
      this.ended.delete(runId);
      return undefined;
    }
    return record;
  }

  /**
   * Drops finished runs past the retention, oldest end first, stopping at the first one still
   * retained (later ones ended later). Entries of runs since replaced or moving again are let go.
   */
  sweepExpired(): void {
    const now = this.deps.clock.now();
    for (const [runId, record] of this.ended) {
      if (this.runs.get(runId) !== record || !record.ended || record.endedAt === null) {
        this.ended.delete(runId);
        continue;
      }
      if (now - record.endedAt <= this.deps.retentionMs) return;
      this.ended.delete(runId);
      this.runs.delete(runId);
    }
  }

  async read(runId: string): Promise<StoredRun | undefined> {
    return this.lookup(runId);
  }

  /** Throws the run's fault (a failure of the core on one of its events): the run can no longer move. */
  async load(runId: string): Promise<MemoryLoadedRun | undefined> {
    const record = this.lookup(runId);
    if (!record) return undefined;
    if (record.fault !== undefined) throw record.fault;
    return { state: record.state, definition: record.definition, record };
  }

  async commit(transition: Transition, expected: MemoryLoadedRun | undefined): Promise<'conflict' | { receipt: RunRecord }> {
    const { runId, definition, decision } = transition;
    if (!expected) {
      // A finished run's id may be reused: the new run replaces the old one.
      if (this.runs.get(runId)?.status === 'running') throw new RunAlreadyExistsError(runId);
      const record = new RunRecord(runId, definition, decision.state, decision.history);
      this.runs.set(runId, record);
      this.noteEnd(record);
      return { receipt: record };
    }
    const record = expected.record;
    if (this.runs.get(runId) !== record || !record.isAt(expected.state)) return 'conflict';
    if (definition !== record.definition) {
      // Decided with another version (a migration, decision 0015): the run is pinned to it now.
      (record.earlier ??= []).push(record.definition);
      record.definition = definition;
      record.workflowRef = Object.freeze({ name: definition.name, version: definition.version });
    }
    // Continue-as-new: the new generation's history replaces the old one (decision 0014).
    const history = decision.history;
    record.apply(decision.state, history, decision.historyRestarted === true);
    this.noteEnd(record);
    if (record.watchers && history.length > 0) notifyWatchers(record, (watcher) => watcher.onEntries(history), this.deps.log);
    return { receipt: record };
  }

  private noteEnd(record: RunRecord): void {
    if (!record.ended) return;
    this.ended.delete(record.runId);
    this.ended.set(record.runId, record);
  }

  async history(runId: string): Promise<readonly HistoryEntry[]> {
    return this.runs.get(runId)?.history ?? [];
  }
}

/** Calls every watcher of a run; one that throws is dropped (it cannot stop the run or the others). */
export function notifyWatchers(record: RunRecord, call: (watcher: HistoryWatcher) => void, log: () => Logger): void {
  for (const watcher of [...(record.watchers ?? [])]) {
    try {
      call(watcher);
    } catch (error) {
      record.watchers?.delete(watcher);
      log().warn({ runId: record.runId, err: error }, 'flowline: a history watcher failed and was removed');
    }
  }
}
