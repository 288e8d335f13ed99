/**
 * Rate limits of activity calls (docs/decisions/0016-rate-limits.md): which limits apply to one
 * attempt, the `rateLimits` option of workers and engines, and the sliding window the embedded
 * runtime keeps in process (Redis keeps the same window in a Lua script, src/runtime/redis/rate-limiter.ts).
 */
import { DurationError, parseDuration } from '../../definition/duration.js';
import { MAX_RATE_LIMIT_WINDOW_MS } from '../../definition/semantic-check.js';
import type { RateLimit, WorkflowDefinition } from '../../definition/types.js';
import { RateLimitInvalidError } from '../../errors.js';

/** One limit as an option takes it: `per` is a duration (`'1s'`) or milliseconds. */
export interface RateLimitOption {
  readonly max: number;
  readonly per: string | number;
}

/**
 * The `rateLimits` option: keys are activity names (`'partner.charge'`) or, on Redis workers,
 * `queue:<task queue>` for every activity of that task queue.
 */
export type RateLimitsOption = Readonly<Record<string, RateLimitOption>>;

/** A checked `rateLimits` option. */
export interface OptionLimits {
  readonly byActivity: ReadonlyMap<string, RateLimit>;
  readonly byTaskQueue: ReadonlyMap<string, RateLimit>;
}

/** The window a limit is counted in: one per activity name, one per task queue. */
export interface LimitedWindow {
  /** `activity:<name>` or `queue:<name>`: every limit on the same key shares one count. */
  readonly key: string;
  readonly limits: readonly RateLimit[];
}

const QUEUE_PREFIX = 'queue:';

/** Checks and normalises a `rateLimits` option. Throws RateLimitInvalidError naming the bad entry. Pure. */
export function parseRateLimitsOption(option: RateLimitsOption | undefined): OptionLimits {
  const byActivity = new Map<string, RateLimit>();
  const byTaskQueue = new Map<string, RateLimit>();
  for (const [key, value] of Object.entries(option ?? {})) {
    const limit = checkedLimit(key, value);
    if (key.startsWith(QUEUE_PREFIX)) byTaskQueue.set(key.slice(QUEUE_PREFIX.length), limit);
    else byActivity.set(key, limit);
  }
  return { byActivity, byTaskQueue };
}

/**
 * One `--rate-limit` flag of `flowline worker`: `partner.charge=10/1s` or `queue:mail=5/500ms`,
 * added to `into`. Throws RateLimitInvalidError showing the expected form. Pure.
 */
export function addRateLimitFlag(text: string, into: Record<string, RateLimitOption>): Record<string, RateLimitOption> {
  const match = /^([^=\s]+)=(\d+)\/(\S+)$/.exec(text.trim());
  if (!match) throw new RateLimitInvalidError(`--rate-limit ${text}: write NAME=MAX/PER, e.g. partner.charge=10/1s or queue:mail=5/500ms`);
  const [, key, max, per] = match as unknown as [string, string, string, string];
  const option = { max: Number(max), per };
  checkedLimit(key, option);
  return { ...into, [key]: option };
}

function checkedLimit(key: string, value: RateLimitOption | undefined): RateLimit {
  const where = `rateLimits['${key}']`;
  if (value === null || typeof value !== 'object') throw new RateLimitInvalidError(`${where} must be { max, per }, e.g. { max: 10, per: '1s' }`);
  if (!Number.isInteger(value.max) || value.max < 1) throw new RateLimitInvalidError(`${where}.max must be a whole number of calls, 1 or more (got ${String(value.max)})`);
  let perMs: number;
  if (typeof value.per === 'number') perMs = value.per;
  else {
    try {
      perMs = parseDuration(value.per);
    } catch (error) {
      if (!(error instanceof DurationError)) throw error;
      throw new RateLimitInvalidError(`${where}.per: ${error.message}`);
    }
  }
  if (!Number.isInteger(perMs) || perMs < 1 || perMs > MAX_RATE_LIMIT_WINDOW_MS) {
    throw new RateLimitInvalidError(`${where}.per must be a duration from 1ms to 1d, e.g. '1s' (got ${String(value.per)})`);
  }
  return { max: value.max, perMs };
}

/**
 * The windows an attempt of `activity` (on `taskQueue`) must find room in: its activity's window
 * with the flow's and the option's limit for it, and its task queue's window. Empty: no limit. Pure.
 */
export function windowsFor(activity: string, taskQueue: string | undefined, definition: Pick<WorkflowDefinition, 'rateLimits'> | undefined, option: OptionLimits): LimitedWindow[] {
  const windows: LimitedWindow[] = [];
  const activityLimits = [definition?.rateLimits?.[activity], option.byActivity.get(activity)].filter((limit): limit is RateLimit => limit !== undefined);
  if (activityLimits.length > 0) windows.push({ key: `activity:${activity}`, limits: activityLimits });
  const queueLimit = taskQueue === undefined ? undefined : option.byTaskQueue.get(taskQueue);
  if (queueLimit) windows.push({ key: `${QUEUE_PREFIX}${taskQueue}`, limits: [queueLimit] });
  return windows;
}

/**
 * Sliding windows of call start times, in process (the embedded runtime). `admit` either records
 * the call in every window (0) or says how long to wait before asking again (ms, nothing recorded).
 */
export class InProcessWindows {
  private readonly calls = new Map<string, number[]>();

  admit(windows: readonly LimitedWindow[], now: number): number {
    let waitMs = 0;
    for (const window of windows) {
      const horizon = Math.max(...window.limits.map((limit) => limit.perMs));
      const starts = this.calls.get(window.key) ?? [];
      // Starts are kept in order: drop those no limit of this window can still see.
      let stale = 0;
      while (stale < starts.length && starts[stale]! <= now - horizon) stale++;
      if (stale > 0) starts.splice(0, stale);
      for (const limit of window.limits) waitMs = Math.max(waitMs, waitInWindow(starts, limit, now));
    }
    if (waitMs > 0) return waitMs;
    for (const window of windows) {
      const starts = this.calls.get(window.key);
      if (starts) starts.push(now);
      else this.calls.set(window.key, [now]);
    }
    return 0;
  }
}

/**
 * How long until a window `(now - per, now]` over the ordered `starts` holds fewer than `max`
 * calls: the start that must leave is the (count - max + 1)-th oldest inside it. Pure.
 */
export function waitInWindow(starts: readonly number[], limit: RateLimit, now: number): number {
  const from = now - limit.perMs;
  let first = starts.length;
  while (first > 0 && starts[first - 1]! > from) first--;
  const inside = starts.length - first;
  if (inside < limit.max) return 0;
  const leaving = starts[first + inside - limit.max]!;
  return Math.max(1, leaving + limit.perMs - now);
}
