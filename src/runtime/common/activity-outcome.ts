/** How both runtimes turn an activity attempt's result into the event the core decides on. */
import type { ActivityOutcome } from '../../activities/execute.js';
import type { ErrorInfo } from '../../interpreter/types.js';
import { storedJson } from './payload-limits.js';
import { didYouMean } from '../../definition/hints.js';

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

/**
 * The failure of a call to an activity no handler is registered for (never retried): says what is
 * registered, the likely typo, or — when nothing is — how activities are given (`--activities`).
 * `where` names the place looked in (`on this worker`). Pure.
 */
export function activityNotFound(activity: string, registered: readonly string[], where = ''): ErrorInfo {
  const shown = registered.slice(0, 12).join(', ') + (registered.length > 12 ? ', …' : '');
  const suggestion = didYouMean(activity, registered);
  const help = registered.length
    ? ` (${suggestion ? `${suggestion} ` : ''}registered: ${shown})`
    : ': no activities are registered — give the module that exports them with `--activities <module>` (or in `activities` when creating the engine)';
  return { type: 'ActivityNotFound', message: `no activity is registered under "${activity}"${where ? ` ${where}` : ''}${help}`, nonRetryable: true };
}
