/**
 * The run-level saga (SPEC §5): after an unhandled failure, a cancel or the run timeout, cancel all
 * active work, then run every pending compensation, last registered first, one at a time, and end
 * the run with a status that says how it went.
 */
import type { ErrorInfo, RunStatus } from './types.js';
import type { BlockNode, Outcome, Saga } from './core-state.js';
import type { Ctx } from './context.js';
import { pendingRegistrations, recordCompensationEnd, startCompensation } from './compensation.js';
import { cancelEverything, endRun, stopRunTimer } from './run-end.js';

/** Starts the saga for a run that failed, was cancelled or timed out. */
export async function beginSaga(ctx: Ctx, reason: Saga['reason'], error: ErrorInfo): Promise<void> {
  cancelEverything(ctx);
  stopRunTimer(ctx);
  ctx.core.saga = { reason, error, pending: pendingRegistrations(ctx, 'all'), ran: 0, failures: [] };
  await nextCompensation(ctx);
}

/** Starts the next pending compensation, or ends the run when none is left. */
async function nextCompensation(ctx: Ctx): Promise<void> {
  const saga = ctx.core.saga;
  if (!saga) return;
  const [next, ...rest] = saga.pending;
  if (next === undefined) return finishSaga(ctx, saga);
  ctx.core.saga = { ...saga, pending: rest };
  await startCompensation(ctx, null, next, saga.error);
}

/** A saga compensation ended: record it and go on with the next. */
export async function onSagaCompensationDone(ctx: Ctx, block: BlockNode, outcome: Outcome): Promise<void> {
  recordCompensationEnd(ctx, block, outcome);
  const saga = ctx.core.saga;
  if (!saga) return;
  ctx.core.saga = {
    ...saga,
    ran: saga.ran + 1,
    failures: outcome.ok ? saga.failures : [...saga.failures, outcome.error],
  };
  await nextCompensation(ctx);
}

function finishSaga(ctx: Ctx, saga: Saga): void {
  if (saga.reason === 'failed') {
    const status: RunStatus = saga.ran === 0 ? 'failed' : saga.failures.length > 0 ? 'compensation_failed' : 'compensated';
    return endRun(ctx, status, null, saga.error);
  }
  const error: ErrorInfo =
    saga.failures.length === 0
      ? saga.error
      : { ...saga.error, details: { ...(isRecord(saga.error.details) ? saga.error.details : {}), compensationFailures: saga.failures } };
  endRun(ctx, saga.reason, null, error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
