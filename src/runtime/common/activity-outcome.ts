/** How both runtimes turn an activity attempt's result into the event the core decides on. */
import type { ActivityOutcome } from '../../activities/execute.js';
import type { ErrorInfo } from '../../interpreter/types.js';
import { storedJson } from './payload-limits.js';

/** The answer to one attempt: ActivityCompleted or ActivityFailed, without its time. */
export type ActivityAnswer =
  | { readonly type: 'ActivityCompleted'; readonly seq: number; readonly output: unknown }
  | { readonly type: 'ActivityFailed'; readonly seq: number; readonly error: ErrorInfo };

/**
 * The event answering attempt `seq`. A successful output is stored as plain JSON; one that is not
 * JSON fails the step with `OutputInvalid`, one above `payloadLimitBytes` with `PayloadTooLarge`
 * (both non-retryable: a retry would return the same thing). Pure.
 */
export function answerOf(seq: number, stepId: string, outcome: ActivityOutcome, payloadLimitBytes: number): ActivityAnswer {
  if (!outcome.ok) return { type: 'ActivityFailed', seq, error: outcome.error };
  let value: unknown;
  let size: number;
  try {
    ({ value, size } = storedJson(outcome.output, payloadLimitBytes));
  } catch (error) {
    return {
      type: 'ActivityFailed',
      seq,
      error: { type: 'OutputInvalid', message: `the output of step "${stepId}" is not JSON: ${(error as Error).message}`, nonRetryable: true },
    };
  }
  if (size > payloadLimitBytes) {
    return {
      type: 'ActivityFailed',
      seq,
      error: {
        type: 'PayloadTooLarge',
        message: `the output of step "${stepId}" is ${size} bytes, above the limit of ${payloadLimitBytes} bytes; store large data elsewhere and return a reference`,
        nonRetryable: true,
        details: { sizeBytes: size, limitBytes: payloadLimitBytes },
      },
    };
  }
  return { type: 'ActivityCompleted', seq, output: value };
}

/** The failure of a call to an activity no handler is registered for (never retried). Pure. */
export function activityNotFound(activity: string, registered: readonly string[]): ErrorInfo {
  return {
    type: 'ActivityNotFound',
    message: `no activity is registered under "${activity}"${registered.length ? ` (registered: ${registered.join(', ')})` : ' (none are registered)'}`,
    nonRetryable: true,
  };
}
