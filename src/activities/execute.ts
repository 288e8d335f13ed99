/** Runs one activity attempt: builds its context, bounds it in time, and turns whatever happens into a typed outcome. */
import { formatDuration } from '../format-duration.js';
import { describeThrown } from './errors.js';
import { attemptLogger } from './logger.js';
import type { ActivityContext, ActivityHandler, ActivityLogger } from './types.js';

/** A failure as plain data, shaped like the interpreter's ErrorInfo (activities/ must not import it). */
export interface ActivityFailure {
  readonly type: string;
  readonly message: string;
  readonly details?: unknown;
  readonly nonRetryable?: boolean;
}

/** What one attempt came to. */
export type ActivityOutcome =
  | { readonly ok: true; readonly output: unknown }
  | { readonly ok: false; readonly error: ActivityFailure };

/** Who and what the attempt is for; becomes the handler's `ctx` (the same fields, one definition). */
export interface ExecuteParams
  extends Pick<ActivityContext, 'runId' | 'stepId' | 'stepPath' | 'activity' | 'attempt' | 'idempotencyKey' | 'workflow'> {
  /** Bound on this attempt: when it elapses the handler's AbortSignal is raised and the attempt fails with `Timeout`. */
  readonly timeoutMs?: number;
  /** Raised by the runtime to cancel the attempt (run cancelled, parallel branch lost…): fails it with `Cancelled`. */
  readonly cancelSignal?: AbortSignal;
  /** The same as `cancelSignal`, cheaper (no AbortController per attempt): the embedded runtime's way to cancel. */
  readonly cancellation?: AttemptCancellation;
  /**
   * Longest time the handler may go without `ctx.heartbeat()` (from the start, then from each
   * heartbeat): when it passes, the AbortSignal is raised and the attempt fails with `HeartbeatTimeout`.
   */
  readonly heartbeatTimeoutMs?: number;
  /**
   * Called on every `ctx.heartbeat(details)` while the attempt runs, before the heartbeat counts:
   * the runtime records the details here, and may throw to refuse them (the handler sees the error).
   */
  readonly onHeartbeat?: (details: unknown) => void;
  /** Details of the last heartbeat of an earlier attempt, given to the handler as `ctx.lastHeartbeat`. */
  readonly lastHeartbeat?: unknown;
  /** Parent of `ctx.log`: the engine's logger, or the observer's per-attempt one. */
  readonly logger: ActivityLogger;
}

/** Reason attached to the handler's AbortSignal, so handlers can tell cancellation from timeout. */
export class AttemptAborted extends Error {
  constructor(readonly type: 'Timeout' | 'HeartbeatTimeout' | 'Cancelled', message: string) {
    super(message);
    this.name = type;
  }
}

/**
 * A cancel switch for one attempt, lighter than an AbortController (one small object, no
 * EventTarget): `cancel()` fails the attempt with `Cancelled` and raises the handler's AbortSignal.
 */
export class AttemptCancellation {
  private cancelledFlag = false;
  private listener: (() => void) | undefined;

  /** True once `cancel()` has been called. */
  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  /** Cancels the attempt (idempotent). */
  cancel(): void {
    if (this.cancelledFlag) return;
    this.cancelledFlag = true;
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }

  /** The attempt's own hook (one listener at most); undefined removes it. */
  listen(listener: (() => void) | undefined): void {
    this.listener = listener;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

function failureOf(error: unknown): ActivityOutcome {
  const info = describeThrown(error);
  const failure: ActivityFailure = {
    type: info.type,
    message: info.message,
    ...(info.details === undefined ? {} : { details: info.details }),
    ...(info.nonRetryable ? { nonRetryable: true } : {}),
  };
  return { ok: false, error: failure };
}

function succeeded(output: unknown): ActivityOutcome {
  return { ok: true, output: output === undefined ? null : output };
}

function abortedOutcome(reason: AttemptAborted): ActivityOutcome {
  return { ok: false, error: { type: reason.type, message: reason.message } };
}

function cancelReason(activity: string): AttemptAborted {
  return new AttemptAborted('Cancelled', `activity ${activity} was cancelled`);
}

/**
 * One attempt in flight: its lazily made AbortController, its timeout timer and its way out.
 * A class (methods, no closures per attempt) because it runs once per step.
 */
class Attempt {
  controller: AbortController | undefined;
  abortedWith: AttemptAborted | undefined;
  settled = false;
  settle: ((outcome: ActivityOutcome) => void) | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Restarted by each heartbeat (`refresh()`: no new timer per heartbeat). */
  heartbeatTimer: NodeJS.Timeout | undefined;
  logger: ActivityLogger | undefined;
  /** Bound once, only when something can cancel the attempt. */
  onCancel: (() => void) | undefined;

  constructor(readonly params: ExecuteParams) {}

  signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  log(): ActivityLogger {
    const params = this.params;
    this.logger ??= attemptLogger(
      { runId: params.runId, stepId: params.stepId, attempt: params.attempt, activity: params.activity },
      params.logger,
    );
    return this.logger;
  }

  /** Arms the timeout and the cancel hooks the params ask for. */
  arm(): void {
    const params = this.params;
    if (params.timeoutMs !== undefined && params.timeoutMs > 0) {
      this.timer = setTimeout(
        () => this.abort(new AttemptAborted('Timeout', `activity ${params.activity} timed out after ${formatDuration(params.timeoutMs!)}`)),
        params.timeoutMs,
      );
    }
    const heartbeatTimeoutMs = params.heartbeatTimeoutMs;
    if (heartbeatTimeoutMs !== undefined && heartbeatTimeoutMs > 0) {
      this.heartbeatTimer = setTimeout(
        () =>
          this.abort(
            new AttemptAborted('HeartbeatTimeout', `activity ${params.activity} sent no heartbeat for ${heartbeatTimeoutMs} ms (its heartbeatTimeout)`),
          ),
        heartbeatTimeoutMs,
      );
    }
    if (params.cancelSignal || params.cancellation) {
      this.onCancel = () => this.abort(cancelReason(params.activity));
      params.cancelSignal?.addEventListener('abort', this.onCancel, { once: true });
      params.cancellation?.listen(this.onCancel);
    }
  }

  cleanUp(): void {
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.onCancel) {
      this.params.cancelSignal?.removeEventListener('abort', this.onCancel);
      this.params.cancellation?.listen(undefined);
    }
  }

  finish(outcome: ActivityOutcome): void {
    if (this.settled) return;
    this.cleanUp();
    this.settle?.(outcome);
  }

  abort(reason: AttemptAborted): void {
    if (this.abortedWith || this.settled) return;
    this.abortedWith = reason;
    this.controller?.abort(reason);
    this.finish(abortedOutcome(reason));
  }

  /** `ctx.heartbeat(details)`: the runtime records (or refuses) the details, then the heartbeat timer restarts. */
  beat(details: unknown): void {
    // A late heartbeat (after a timeout, a cancellation or the answer) must not overwrite what the next attempt reads.
    if (this.settled) return;
    this.params.onHeartbeat?.(details);
    this.heartbeatTimer?.refresh();
  }

  context(): ActivityContext {
    const params = this.params;
    const attempt = this; // the getters below need the attempt, not the context
    return {
      runId: params.runId,
      stepId: params.stepId,
      stepPath: params.stepPath,
      activity: params.activity,
      attempt: params.attempt,
      idempotencyKey: params.idempotencyKey,
      workflow: params.workflow,
      // Created on first use: most handlers never look at it, and an AbortController is not free.
      get signal(): AbortSignal {
        return attempt.signal();
      },
      heartbeat: params.onHeartbeat || params.heartbeatTimeoutMs ? (details?: unknown) => attempt.beat(details) : ignoreHeartbeat,
      lastHeartbeat: params.lastHeartbeat,
      // Created on first use: most handlers never log, and a child logger per attempt is not free.
      get log(): ActivityLogger {
        return attempt.log();
      },
    };
  }
}

function ignoreHeartbeat(): void {}

/**
 * Runs `handler(input, ctx)` once. Never throws: a returned value is `{ok: true}`; a thrown error
 * becomes `{ok: false, error: {type, message, details, nonRetryable}}` (type = the error's `type`
 * field, else its `name`); a timeout, missed heartbeat or cancellation resolves at once with
 * `Timeout`/`HeartbeatTimeout`/`Cancelled` even if the handler ignores its AbortSignal (its
 * eventual result is then dropped).
 * Side effects: whatever the handler does; timers while the attempt runs (only with timeouts).
 * Cheap on the hot path: the handler's AbortController is made only if it reads `ctx.signal`, and
 * a handler that returns synchronously costs no race and no promise of its own.
 */
export function executeActivity(
  handler: ActivityHandler,
  input: unknown,
  params: ExecuteParams,
): Promise<ActivityOutcome> {
  // Cancelled before it began: the handler is never called.
  if (params.cancelSignal?.aborted === true || params.cancellation?.cancelled === true) {
    return Promise.resolve(abortedOutcome(cancelReason(params.activity)));
  }
  const attempt = new Attempt(params);
  attempt.arm();
  let returned: unknown;
  try {
    returned = handler(input, attempt.context());
  } catch (error) {
    if (attempt.abortedWith) return Promise.resolve(abortedOutcome(attempt.abortedWith));
    attempt.cleanUp();
    return Promise.resolve(failureOf(error));
  }
  if (attempt.abortedWith) return Promise.resolve(abortedOutcome(attempt.abortedWith));
  if (!isThenable(returned)) {
    attempt.cleanUp();
    return Promise.resolve(succeeded(returned));
  }
  return new Promise<ActivityOutcome>((resolve) => {
    attempt.settle = resolve;
    returned.then(
      (output) => attempt.finish(succeeded(output)),
      (error: unknown) => attempt.finish(failureOf(error)),
    );
  });
}
