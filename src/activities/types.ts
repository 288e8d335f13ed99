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
  /** Raised on cancellation (run cancelled, parallel branch lost) or when the attempt times out. */
  readonly signal: AbortSignal;
  /** Report liveness and optional progress details. */
  heartbeat(details?: unknown): void;
  readonly log: ActivityLogger;
}

export type ActivityHandler<I = any, O = unknown> = (input: I, ctx: ActivityContext) => Promise<O> | O;

/** Activity name → handler. Names are dotted, e.g. `inventory.reserve`. */
export type ActivityMap = Readonly<Record<string, ActivityHandler>>;
