/**
 * Events as the runtimes hand them to the core: without their time until the moment they are
 * decided, and stamped by one rule on both runtimes. Pure.
 */
import type { RunEvent } from '../../interpreter/types.js';

/** An event before it is stamped with the decision time. */
export type EventInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'at'> : never) : never;

/**
 * An event with the time it happened, when that is earlier than its application (an activity
 * attempt's start, recorded with its answer). Stamped no earlier than the run's last change.
 */
export type TimedEventInput = EventInput & { readonly happenedAt?: number };

/**
 * The time an event is decided at: when it happened (default now), but never before the run's
 * last change (`updatedAt`) nor before `notBefore` (a timer fires no earlier than it was due), so
 * a run's history never goes back in time. Pure.
 */
export function eventTime(now: number, updatedAt: number, notBefore = 0, happenedAt?: number): number {
  return Math.max(happenedAt ?? now, updatedAt, notBefore);
}

/** `input` stamped by {@link eventTime} (a new object; `happenedAt` dropped). Pure. */
export function stampEvent(input: TimedEventInput, now: number, updatedAt: number, notBefore = 0): RunEvent {
  const { happenedAt, ...fields } = input;
  return { ...fields, at: eventTime(now, updatedAt, notBefore, happenedAt) } as RunEvent;
}

/** Exhaustiveness check of a switch over a union: reaching it is a bug. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unknown ${what} ${JSON.stringify(value)}`);
}
