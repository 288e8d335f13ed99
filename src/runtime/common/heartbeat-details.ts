/** How both runtimes accept the details of `ctx.heartbeat(details)`: plain JSON within the payload limit (SPEC §9). */
import { ActivityError } from '../../activities/errors.js';
import { PayloadTooLargeError } from '../../errors.js';
import { storedJson } from './payload-limits.js';

/**
 * The details as they will be stored (a JSON copy: later changes by the handler do not leak in).
 * Throws, into the handler's `ctx.heartbeat` call, `HeartbeatDetailsInvalid` for values JSON
 * cannot hold and PayloadTooLargeError above `limitBytes`. Pure.
 */
export function heartbeatDetails(details: unknown, stepId: string, limitBytes: number): unknown {
  let stored: { value: unknown; size: number };
  try {
    stored = storedJson(details, limitBytes);
  } catch (error) {
    throw new ActivityError(
      'HeartbeatDetailsInvalid',
      `the heartbeat details of step "${stepId}" are not JSON (${(error as Error).message}); pass plain data such as { progress: 42 }`,
    );
  }
  if (stored.size > limitBytes) throw new PayloadTooLargeError(`the heartbeat details of step "${stepId}"`, stored.size, limitBytes);
  return stored.value;
}
