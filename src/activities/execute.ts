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
 * Runs `handler(input, ctx)` once. Never throws: a returned value is `{ok: true}`; a thrown error
 * becomes `{ok: false, error: {type, message, details, nonRetryable}}` (type = the error's `type`
 * field, else its `name`); a timeout or cancellation resolves at once with `Timeout`/`Cancelled`
 * even if the handler ignores its AbortSignal (its eventual result is then dropped).
 * Side effects: whatever the handler does; a timer while the attempt runs.
 */
export async function executeActivity(
  handler: ActivityHandler,
  input: unknown,
  params: ExecuteParams,
): Promise<ActivityOutcome> {
  const controller = new AbortController();
  let settle: ((outcome: ActivityOutcome) => void) | undefined;
  const aborted = new Promise<ActivityOutcome>((resolve) => {
    settle = resolve;
  });
  const abort = (reason: AttemptAborted): void => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    settle?.({ ok: false, error: { type: reason.type, message: reason.message } });
  };

  let timer: NodeJS.Timeout | undefined;
  if (params.timeoutMs !== undefined && params.timeoutMs > 0) {
    timer = setTimeout(
      () => abort(new AttemptAborted('Timeout', `activity ${params.activity} timed out after ${params.timeoutMs} ms`)),
      params.timeoutMs,
    );
  }
  const onCancel = (): void => abort(new AttemptAborted('Cancelled', `activity ${params.activity} was cancelled`));
  if (params.cancelSignal?.aborted) onCancel();
  else params.cancelSignal?.addEventListener('abort', onCancel, { once: true });

  let logger: ActivityLogger | undefined;
  const ctx: ActivityContext = {
    runId: params.runId,
    stepId: params.stepId,
    stepPath: params.stepPath,
    activity: params.activity,
    attempt: params.attempt,
    idempotencyKey: params.idempotencyKey,
    workflow: params.workflow,
    signal: controller.signal,
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

  if (controller.signal.aborted) {
    // Cancelled before it began: the handler is never called.
    params.cancelSignal?.removeEventListener('abort', onCancel);
    if (timer) clearTimeout(timer);
    return aborted;
  }

  const ran = (async (): Promise<ActivityOutcome> => {
    try {
      const output = await handler(input, ctx);
      return { ok: true, output: output === undefined ? null : output };
    } catch (error) {
      const info = describeThrown(error);
      const failure: ActivityFailure = {
        type: info.type,
        message: info.message,
        ...(info.details === undefined ? {} : { details: info.details }),
        ...(info.nonRetryable ? { nonRetryable: true } : {}),
      };
      return { ok: false, error: failure };
    }
  })();

  try {
    return await Promise.race([ran, aborted]);
  } finally {
    if (timer) clearTimeout(timer);
    params.cancelSignal?.removeEventListener('abort', onCancel);
  }
}
