/** Runs one activity attempt: builds its context, bounds it in time, and turns whatever happens into a typed outcome. */
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

/** Who and what the attempt is for; becomes the handler's `ctx`. */
export interface ExecuteParams {
  readonly runId: string;
  readonly stepId: string;
  readonly stepPath: string;
  readonly activity: string;
  readonly attempt: number;
  readonly idempotencyKey: string;
  readonly workflow: { readonly name: string; readonly version: number };
  /** Bound on this attempt: when it elapses the handler's AbortSignal is raised and the attempt fails with `Timeout`. */
  readonly timeoutMs?: number;
  /** Raised by the runtime to cancel the attempt (run cancelled, parallel branch lost…): fails it with `Cancelled`. */
  readonly cancelSignal?: AbortSignal;
  /** The same as `cancelSignal`, cheaper (no AbortController per attempt): the embedded runtime's way to cancel. */
  readonly cancellation?: AttemptCancellation;
  /** Called on every `ctx.heartbeat(details)`. */
  readonly onHeartbeat?: (details: unknown) => void;
  /** Parent logger (default: the process-wide pino logger on stderr). */
  readonly logger?: ActivityLogger;
}

/** Reason attached to the handler's AbortSignal, so handlers can tell cancellation from timeout. */
export class AttemptAborted extends Error {
  constructor(readonly type: 'Timeout' | 'Cancelled', message: string) {
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

function cancelledBy(params: ExecuteParams): boolean {
  return params.cancelSignal?.aborted === true || params.cancellation?.cancelled === true;
}

/**
 * Runs `handler(input, ctx)` once. Never throws: a returned value is `{ok: true}`; a thrown error
 * becomes `{ok: false, error: {type, message, details, nonRetryable}}` (type = the error's `type`
 * field, else its `name`); a timeout or cancellation resolves at once with `Timeout`/`Cancelled`
 * even if the handler ignores its AbortSignal (its eventual result is then dropped).
 * Side effects: whatever the handler does; a timer while the attempt runs (only with a timeout).
 * Cheap on the hot path: the handler's AbortController is made only if it reads `ctx.signal`, and
 * a handler that returns synchronously costs no timer, listener or race.
 */
export function executeActivity(
  handler: ActivityHandler,
  input: unknown,
  params: ExecuteParams,
): Promise<ActivityOutcome> {
  const cancelledMessage = (): AttemptAborted => new AttemptAborted('Cancelled', `activity ${params.activity} was cancelled`);
  // Cancelled before it began: the handler is never called.
  if (cancelledBy(params)) {
    const reason = cancelledMessage();
    return Promise.resolve({ ok: false, error: { type: reason.type, message: reason.message } });
  }

  let controller: AbortController | undefined;
  let abortedWith: AttemptAborted | undefined;
  let settled = false;
  let settle: ((outcome: ActivityOutcome) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const onCancel = (): void => abort(cancelledMessage());

  const cleanUp = (): void => {
    settled = true;
    if (timer) clearTimeout(timer);
    params.cancelSignal?.removeEventListener('abort', onCancel);
    params.cancellation?.listen(undefined);
  };
  const finish = (outcome: ActivityOutcome): void => {
    if (settled) return;
    cleanUp();
    settle?.(outcome);
  };
  function abort(reason: AttemptAborted): void {
    if (abortedWith || settled) return;
    abortedWith = reason;
    controller?.abort(reason);
    finish({ ok: false, error: { type: reason.type, message: reason.message } });
  }

  if (params.timeoutMs !== undefined && params.timeoutMs > 0) {
    timer = setTimeout(
      () => abort(new AttemptAborted('Timeout', `activity ${params.activity} timed out after ${params.timeoutMs} ms`)),
      params.timeoutMs,
    );
  }
  params.cancelSignal?.addEventListener('abort', onCancel, { once: true });
  params.cancellation?.listen(onCancel);

  let logger: ActivityLogger | undefined;
  const ctx: ActivityContext = {
    runId: params.runId,
    stepId: params.stepId,
    stepPath: params.stepPath,
    activity: params.activity,
    attempt: params.attempt,
    idempotencyKey: params.idempotencyKey,
    workflow: params.workflow,
    // Created on first use: most handlers never look at it, and an AbortController is not free.
    get signal(): AbortSignal {
      if (!controller) {
        controller = new AbortController();
        if (abortedWith) controller.abort(abortedWith);
      }
      return controller.signal;
    },
    heartbeat: (details?: unknown) => params.onHeartbeat?.(details),
    // Created on first use: most handlers never log, and a child logger per attempt is not free.
    get log(): ActivityLogger {
      logger ??= attemptLogger(
        { runId: params.runId, stepId: params.stepId, attempt: params.attempt, activity: params.activity },
        params.logger,
      );
      return logger;
    },
  };

  let returned: unknown;
  try {
    returned = handler(input, ctx);
  } catch (error) {
    if (abortedWith) return Promise.resolve({ ok: false, error: { type: abortedWith.type, message: abortedWith.message } });
    cleanUp();
    return Promise.resolve(failureOf(error));
  }
  if (abortedWith) return Promise.resolve({ ok: false, error: { type: abortedWith.type, message: abortedWith.message } });
  if (!isThenable(returned)) {
    cleanUp();
    return Promise.resolve(succeeded(returned));
  }
  return new Promise<ActivityOutcome>((resolve) => {
    settle = resolve;
    returned.then(
      (output) => finish(succeeded(output)),
      (error: unknown) => finish(failureOf(error)),
    );
  });
}
