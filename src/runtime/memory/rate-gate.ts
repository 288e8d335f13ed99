/**
 * The embedded runtime's rate limits (docs/decisions/0016-rate-limits.md): an attempt over a limit
 * waits in process before its handler runs (and before it is recorded as started), on the engine's
 * clock. With `skipTimers` the wait moves virtual time forward at once instead.
 */
import type { AttemptCancellation } from '../../activities/execute.js';
import { ActivityRegistry } from '../../activities/registry.js';
import type { ActivityMap } from '../../activities/types.js';
import type { WorkflowDefinition } from '../../definition/types.js';
import { InProcessWindows, parseRateLimitsOption, windowsFor, type OptionLimits, type RateLimitsOption } from '../common/rate-limits.js';
import type { Clock } from './clock.js';

/** Holds attempts back until every limit that applies to them has room. One per engine. */
export class RateGate {
  private readonly windows = new InProcessWindows();
  private readonly option: OptionLimits;

  /** Throws RateLimitInvalidError for a malformed option. */
  constructor(
    private readonly clock: Clock,
    private readonly skipTimers: boolean,
    option: RateLimitsOption | undefined,
  ) {
    this.option = parseRateLimitsOption(option);
  }

  /**
   * Undefined when the attempt may start now (recorded in its windows); otherwise a promise that
   * resolves once it was admitted, or at once when the attempt is cancelled while it waits.
   */
  admit(definition: WorkflowDefinition, activity: string, cancellation: AttemptCancellation): Promise<void> | undefined {
    const windows = windowsFor(activity, undefined, definition, this.option);
    if (windows.length === 0) return undefined;
    let waitMs = this.windows.admit(windows, this.clock.now());
    if (waitMs === 0) return undefined;
    const advanceTo = this.skipTimers ? this.clock.advanceTo?.bind(this.clock) : undefined;
    return (async () => {
      while (waitMs > 0 && !cancellation.cancelled) {
        if (advanceTo) {
          // Virtual time: nothing else can free the window, so time jumps to when it has room —
          // after what is already under way (the answers of the calls just admitted) is decided
          // at the current time.
          const roomAt = this.clock.now() + waitMs;
          await new Promise<void>((resolve) => setImmediate(resolve));
          advanceTo(roomAt);
          waitMs = this.windows.admit(windows, this.clock.now());
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = this.clock.setTimer(this.clock.now() + waitMs, resolve);
          cancellation.listen(() => {
            this.clock.clearTimer(timer);
            resolve();
          });
        });
        cancellation.listen(undefined);
        if (!cancellation.cancelled) waitMs = this.windows.admit(windows, this.clock.now());
      }
    })();
  }
}

/**
 * The engine's activity registry together with its rate gate, so an attempt finds both through
 * the one registry the run loop hands it.
 */
export class GatedActivityRegistry extends ActivityRegistry {
  constructor(
    activities: ActivityMap | undefined,
    readonly gate: RateGate,
  ) {
    super(activities);
  }
}

/** The rate gate of an engine's registry, when it has one. */
export function rateGateOf(activities: ActivityRegistry): RateGate | undefined {
  return activities instanceof GatedActivityRegistry ? activities.gate : undefined;
}
