/** The error a handler throws to fail an attempt with a chosen type, message, details and retryability (SPEC §4). */

/** Options of an {@link ActivityError}. */
export interface ActivityErrorOptions {
  /** Stop retries whatever the step's retry policy says. */
  readonly nonRetryable?: boolean;
  /** JSON-serialisable facts about the failure; reach `$error.details` in flows. */
  readonly details?: unknown;
  /** The underlying error, kept for logs. */
  readonly cause?: unknown;
}

/**
 * A typed activity failure. Throw it from a handler to pick the error `type` a flow's
 * `catch: [{ errors: [Type] }]` and `retry.nonRetryable` match on:
 *
 * ```ts
 * throw new ActivityError('CardDeclined', 'the card was declined', { nonRetryable: true });
 * ```
 */
export class ActivityError extends Error {
  /** Stable, machine-readable error type (what flows match on). */
  readonly type: string;
  readonly nonRetryable: boolean;
  readonly details?: unknown;

  constructor(type: string, message: string, options: ActivityErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = type;
    this.type = type;
    this.nonRetryable = options.nonRetryable ?? false;
    if (options.details !== undefined) this.details = options.details;
  }
}

/**
 * Marks an error as non-retryable, keeping its type (`type` field or `name`), message and details.
 * Pure: returns a new {@link ActivityError}; the original is kept as `cause`.
 *
 * ```ts
 * throw nonRetryable(new Error('malformed address'));   // type "Error", never retried
 * ```
 */
export function nonRetryable(error: unknown): ActivityError {
  if (error instanceof ActivityError) {
    return new ActivityError(error.type, error.message, { nonRetryable: true, details: error.details, cause: error.cause ?? error });
  }
  const info = describeThrown(error);
  return new ActivityError(info.type, info.message, { nonRetryable: true, details: info.details, cause: error });
}

/** The typed facts of anything a handler threw (an Error, an object with `type`, a string…). Pure. */
export function describeThrown(error: unknown): {
  type: string;
  message: string;
  details?: unknown;
  nonRetryable: boolean;
} {
  if (error !== null && typeof error === 'object') {
    const record = error as { type?: unknown; name?: unknown; message?: unknown; details?: unknown; nonRetryable?: unknown };
    const type =
      typeof record.type === 'string' && record.type !== ''
        ? record.type
        : typeof record.name === 'string' && record.name !== ''
          ? record.name
          : 'Error';
    const message = typeof record.message === 'string' ? record.message : String(error);
    const result: { type: string; message: string; details?: unknown; nonRetryable: boolean } = {
      type,
      message,
      nonRetryable: record.nonRetryable === true,
    };
    if (record.details !== undefined) result.details = record.details;
    return result;
  }
  return { type: 'Error', message: String(error), nonRetryable: false };
}
