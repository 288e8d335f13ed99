/**
 * History watchers on Redis (`engine.watchHistory`): ONE subscription per engine to the prefix's
 * commit-notice channel (the commit script publishes the run id on every commit), and for each
 * watched run ONE reader that LRANGEs the entries no watcher has seen yet, shared by every
 * watcher of that run. No polling per watcher: a slow sweep (default every 5 s per watched run)
 * only covers notices missed while the subscription reconnected.
 */
import type { Redis } from 'ioredis';
import { RunNotFoundError } from '../../errors.js';
import { isTerminal } from '../../interpreter/index.js';
import type { RunStatus } from '../../interpreter/types.js';
import type { HistoryWatcher, Unwatch } from '../engine.js';
import type { RunStore } from './store.js';

/** Default interval of the catch-up sweep over watched runs (ms). */
export const DEFAULT_WATCH_SWEEP_MS = 5_000;

interface WatchEntry {
  readonly watcher: HistoryWatcher;
  /** Index of the next entry this watcher has not been given. */
  next: number;
  /** The terminal status it was told of, so `onEnded` is said once per end (a retry reopens). */
  endedAs?: string;
  /** False until `watch` resolved: errors before that are thrown to the caller instead. */
  started: boolean;
}

interface WatchedRun {
  readonly entries: Set<WatchEntry>;
  /** The reads of this run run one after another; a notice arriving mid-read queues one more. */
  chain: Promise<void>;
  queued?: Promise<string | null>;
  /** How often the run's history had restarted (continue-as-new) at the last read. */
  restarts?: number;
}

/** The watchers of one engine. Owns one subscriber connection (opened on the first watch). */
export class HistoryFanout {
  private readonly runs = new Map<string, WatchedRun>();
  private ready: Promise<unknown> | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: RunStore,
    private readonly channel: string,
    private readonly connect: () => Redis,
    private readonly sweepMs: number = DEFAULT_WATCH_SWEEP_MS,
  ) {}

  private subscriber: Redis | undefined;

  /** Starts a watch: the backlog from `fromIndex`, then every commit. Throws RunNotFoundError. */
  async watch(runId: string, fromIndex: number, watcher: HistoryWatcher): Promise<Unwatch> {
    await this.subscribe();
    let run = this.runs.get(runId);
    if (!run) {
      run = { entries: new Set(), chain: Promise.resolve() };
      this.runs.set(runId, run);
    }
    const entry: WatchEntry = { watcher, next: Math.max(0, fromIndex), started: false };
    run.entries.add(entry);
    const unwatch = (): void => this.remove(runId, entry);
    try {
      const status = await this.schedule(runId, run);
      if (status === null) throw new RunNotFoundError(runId);
    } catch (error) {
      unwatch();
      throw error;
    }
    entry.started = true;
    return unwatch;
  }

  /** Unsubscribes and closes the connection; watchers get no more calls. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweep) clearInterval(this.sweep);
    this.runs.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) return;
    if (subscriber.status !== 'ready') subscriber.disconnect();
    else await subscriber.quit().catch(() => subscriber.disconnect());
  }

  private subscribe(): Promise<unknown> {
    if (this.ready) return this.ready;
    const subscriber = this.connect();
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('message', (channel: string, runId: string) => {
      if (channel !== this.channel) return;
      const run = this.runs.get(runId);
      if (run) void this.schedule(runId, run).catch(() => undefined);
    });
    this.ready = subscriber.subscribe(this.channel).catch((error: unknown) => {
      // A failed subscription is not kept: the next watch subscribes afresh.
      this.ready = undefined;
      this.subscriber = undefined;
      subscriber.disconnect();
      throw error;
    });
    this.sweep ??= setInterval(() => {
      for (const [runId, run] of this.runs) void this.schedule(runId, run).catch(() => undefined);
    }, this.sweepMs).unref();
    return this.ready;
  }

  /** Queues one read of the run after the current one (at most one queued: notices collapse). */
  private schedule(runId: string, run: WatchedRun): Promise<string | null> {
    if (run.queued) return run.queued;
    const read = run.chain.then(() => {
      run.queued = undefined;
      return this.readOnce(runId, run);
    });
    run.queued = read;
    run.chain = read.then(
      () => undefined,
      () => undefined,
    );
    return read;
  }

  /** Reads what the furthest-behind watcher has not seen and hands each watcher its part. Returns the run's status. */
  private async readOnce(runId: string, run: WatchedRun): Promise<string | null> {
    if (this.closed || run.entries.size === 0) return 'closed';
    let from = Infinity;
    for (const entry of run.entries) from = Math.min(from, entry.next);
    let read: { entries: readonly { index: number }[]; status: string | null; restarts: number };
    try {
      read = await this.store.historyFrom(runId, from);
      if (run.restarts !== undefined && read.restarts !== run.restarts) {
        // The run continued as new: its history now holds the new generation, from entry 0.
        for (const entry of run.entries) entry.next = 0;
        read = await this.store.historyFrom(runId, 0);
      }
      run.restarts = read.restarts;
    } catch (error) {
      this.fail(runId, run, error);
      throw error;
    }
    if (read.status === null && read.entries.length === 0) {
      this.fail(runId, run, new RunNotFoundError(runId));
      return null;
    }
    const history = read.entries as Parameters<HistoryWatcher['onEntries']>[0];
    for (const entry of [...run.entries]) {
      const fresh = history.filter((e) => e.index >= entry.next);
      if (fresh.length > 0) {
        entry.next = fresh[fresh.length - 1]!.index + 1;
        this.call(runId, entry, () => entry.watcher.onEntries(fresh));
      }
      const status = read.status;
      if (status !== null && isTerminal(status as RunStatus)) {
        if (entry.endedAs === undefined) {
          entry.endedAs = status;
          this.call(runId, entry, () => entry.watcher.onEnded?.(status as RunStatus));
        }
      } else {
        entry.endedAs = undefined;
      }
    }
    return read.status;
  }

  /** Tells the started watchers of a run that the watch ended in error, and drops them. */
  private fail(runId: string, run: WatchedRun, error: unknown): void {
    for (const entry of [...run.entries]) {
      if (!entry.started) continue;
      this.remove(runId, entry);
      entry.watcher.onError?.(error);
    }
  }

  private call(runId: string, entry: WatchEntry, call: () => void): void {
    try {
      call();
    } catch {
      // A watcher that throws is dropped: it cannot stop the other watchers.
      this.remove(runId, entry);
    }
  }

  private remove(runId: string, entry: WatchEntry): void {
    const run = this.runs.get(runId);
    if (!run) return;
    run.entries.delete(entry);
    if (run.entries.size === 0) this.runs.delete(runId);
  }
}
