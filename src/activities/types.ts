/**
 * What an activity author sees: the handler signature, its context, and the registry that maps
 * dotted names to handlers. Knows nothing of the interpreter or the runtimes.
 */

/** Structured logger handed to handlers (pino-compatible subset). */
export interface ActivityLogger {
  debug(obj: Record<string, unknown> | string, msg?: string): void;
  info(obj: Record<string, unknown> | string, msg?: string): void;
  warn(obj: Record<string, unknown> | string, msg?: string): void;
  error(obj: Record<string, unknown> | string, msg?: string): void;
}

/** Given to every handler call (SPEC §4). */
export interface ActivityContext {
  readonly runId: string;
  /** The step's id, or its path when it has none. */
  readonly stepId: string;
  readonly stepPath: string;
  readonly activity: string;
  /** 1 for the first attempt, 2 for the first retry… */
  readonly attempt: number;
  /** Same for every attempt of one step execution; different for each forEach iteration. */
  readonly idempotencyKey: string;
  readonly workflow: { readonly name: string; readonly version: number };
  /**
   * Raised on cancellation (run cancelled, parallel branch lost), when the attempt times out, or
   * when it misses its `heartbeatTimeout`; `signal.reason.name` says which (`Cancelled`, `Timeout`, `HeartbeatTimeout`).
   */
  readonly signal: AbortSignal;
  /**
   * Reports liveness (restarts the step's `heartbeatTimeout`) and, when `details` is given, the
   * progress a later attempt can resume from (see `lastHeartbeat`). `details` must be JSON within
   * the payload limit, else this throws (`PayloadTooLarge`, `HeartbeatDetailsInvalid`). Without
   * `details` the last recorded details are kept. Ignored once the attempt has ended.
   */
  heartbeat(details?: unknown): void;
  /**
   * The details of the last heartbeat recorded by an earlier attempt of this step execution (the
   * same `idempotencyKey`), as JSON; undefined on a first attempt or when none was recorded.
   */
  readonly lastHeartbeat: unknown;
  readonly log: ActivityLogger;
}

export type ActivityHandler<I = any, O = unknown> = (input: I, ctx: ActivityContext) => Promise<O> | O;

/** Activity name → handler. Names are dotted, e.g. `inventory.reserve`. */
export type ActivityMap = Readonly<Record<string, ActivityHandler>>;
