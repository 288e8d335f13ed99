/** The embedded runtime's pending durable timers, keyed by run and seq, so time skipping can find the earliest. */
import type { Clock, TimerHandle } from './clock.js';

/** One pending timer. */
export interface PendingTimer {
  readonly runId: string;
  readonly seq: number;
  /** Due time, epoch ms. */
  readonly at: number;
  /** What the timer is for (the StartTimer command's purpose), when the caller gave it. */
  readonly purpose?: string;
}

interface Entry extends PendingTimer {
  readonly handle: TimerHandle;
  readonly fire: (timer: PendingTimer) => void;
}

/** Timers set on the injected clock; each fires at most once, whether by the clock or by skipping. */
export class TimerTable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  /** Arms a timer; `fire` is called once, when it is due (or skipped to). Replaces a timer with the same run and seq. */
  add(
    runId: string,
    seq: number,
    at: number,
    fire: (timer: PendingTimer) => void,
    options: { readonly realTime?: boolean; readonly purpose?: string } = {},
  ): void {
    this.cancel(runId, seq);
    const key = keyOf(runId, seq);
    const handle = this.clock.setTimer(at, () => this.fire(key), options.realTime ? { realTime: true } : {});
    this.entries.set(key, { runId, seq, at, handle, fire, ...(options.purpose ? { purpose: options.purpose } : {}) });
  }

  cancel(runId: string, seq: number): void {
    const entry = this.entries.get(keyOf(runId, seq));
    if (!entry) return;
    this.entries.delete(keyOf(runId, seq));
    this.clock.clearTimer(entry.handle);
  }

  /** Drops every timer of a run (it ended). */
  cancelRun(runId: string): void {
    for (const entry of [...this.entries.values()]) if (entry.runId === runId) this.cancel(entry.runId, entry.seq);
  }

  /** The timer due first (ties: the one armed first), or undefined; only among `which` when given. */
  earliest(which?: (timer: PendingTimer) => boolean): PendingTimer | undefined {
    let best: Entry | undefined;
    for (const entry of this.entries.values()) if ((!best || entry.at < best.at) && (!which || which(entry))) best = entry;
    return best;
  }

  /** Every pending timer (a snapshot). */
  list(): PendingTimer[] {
    return [...this.entries.values()].map(({ runId, seq, at, purpose }) => ({ runId, seq, at, ...(purpose ? { purpose } : {}) }));
  }

  /** Fires a timer now (time skipping): moves the clock to its due time first. */
  skipTo(timer: PendingTimer): void {
    const key = keyOf(timer.runId, timer.seq);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.clock.clearTimer(entry.handle);
    this.clock.advanceTo?.(entry.at);
    this.fire(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Disarms everything (engine closing). */
  clear(): void {
    for (const entry of this.entries.values()) this.clock.clearTimer(entry.handle);
    this.entries.clear();
  }

  private fire(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    entry.fire(entry);
  }
}

function keyOf(runId: string, seq: number): string {
  return `${runId}\u0000${seq}`;
}
