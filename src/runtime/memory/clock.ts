/** The clock port of the embedded runtime, its real implementation, and a manual twin for tests. */

/** Opaque handle of a pending timer. */
export type TimerHandle = { readonly id: number };

/** Time and timers, injected into the embedded engine so tests can control them. */
export interface Clock {
  /** Current time, epoch ms. */
  now(): number;
  /** Calls `fn` once when `now()` reaches `at` (epoch ms). */
  /** `realTime` marks timers that must fire on the wall clock even in skipTimers mode (timeouts). */
  setTimer(at: number, fn: () => void, options?: { readonly realTime?: boolean }): TimerHandle;
  clearTimer(handle: TimerHandle): void;
  /**
   * Moves the clock forward to `at` at once (never backwards). Used by `skipTimers`; a clock
   * without it still works, timers then fire with the time they were due.
   */
  advanceTo?(at: number): void;
}

/** Node's longest setTimeout delay; longer timers re-arm. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Wall-clock time plus an offset that `advanceTo` grows (time skipping). Timers are real,
 * referenced setTimeouts: a run waiting on a timer keeps the process alive, as any pending
 * setTimeout does, so `flowline run` and a script's `await engine.run(…)` see the run end. A run's
 * timers are cleared when it ends and all timers when the engine closes.
 */
export class SystemClock implements Clock {
  private offsetMs = 0;
  private nextId = 1;
  private readonly pending = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now() + this.offsetMs;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const handle = { id: this.nextId++ };
    this.arm(handle.id, at, fn);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    const timeout = this.pending.get(handle.id);
    if (timeout) clearTimeout(timeout);
    this.pending.delete(handle.id);
  }

  advanceTo(at: number): void {
    const ahead = at - this.now();
    if (ahead > 0) this.offsetMs += ahead;
  }

  private arm(id: number, at: number, fn: () => void): void {
    const delay = Math.max(0, at - this.now());
    const timeout = setTimeout(
      () => {
        if (at - this.now() > 0) return this.arm(id, at, fn);
        this.pending.delete(id);
        fn();
      },
      Math.min(delay, MAX_DELAY_MS),
    );
    this.pending.set(id, timeout);
  }
}

/**
 * The clock of `skipTimers` mode: virtual time that stands still while work is in flight and jumps
 * to the next due timer when the engine is idle (Temporal-style time skipping). Only timers armed
 * with `realTime` (per-attempt and step timeouts) also fire on the wall clock, measured from when
 * they were armed, so a hung activity still times out; every other timer waits for idleness, so
 * signals and activity results already on their way are handled before it fires.
 */
export class SkippingClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly pending = new Map<number, NodeJS.Timeout>();

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => void, options: { readonly realTime?: boolean } = {}): TimerHandle {
    const handle = { id: this.nextId++ };
    if (options.realTime) {
      const timeout = setTimeout(
        () => {
          this.pending.delete(handle.id);
          this.advanceTo(at);
          fn();
        },
        Math.min(Math.max(0, at - this.current), MAX_DELAY_MS),
      );
      // Referenced like SystemClock's: a hung attempt's timeout must still fire in a process with nothing else to do.
      this.pending.set(handle.id, timeout);
    }
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    const timeout = this.pending.get(handle.id);
    if (timeout) clearTimeout(timeout);
    this.pending.delete(handle.id);
  }

  advanceTo(at: number): void {
    if (at > this.current) this.current = at;
  }
}

/** A clock that moves only when told to (`advance`/`advanceTo`), firing due timers in order. For tests. */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const handle = { id: this.nextId++ };
    this.pending.set(handle.id, { at, fn });
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    this.pending.delete(handle.id);
  }

  /** Moves to `at` and fires, in due order, every timer due by then. */
  advanceTo(at: number): void {
    if (at > this.current) this.current = at;
    const due = [...this.pending.entries()].filter(([, t]) => t.at <= this.current).sort((a, b) => a[1].at - b[1].at || a[0] - b[0]);
    for (const [id, timer] of due) {
      if (!this.pending.delete(id)) continue;
      timer.fn();
    }
  }

  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Number of timers not yet fired. */
  get pendingCount(): number {
    return this.pending.size;
  }
}
