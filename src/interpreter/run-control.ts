/**
 * Run-level transitions: start, the root sequence ending (the run's output), cancel, terminate,
 * the run timeout and retry-from-the-failed-step (SPEC §6, §7).
 */
import type { ErrorInfo, RunStatus } from './types.js';
import { formatDuration } from '../definition/duration.js';
import type { Outcome } from './core-state.js';
import { ROOT_LIST, ROOT_SCOPE } from './core-state.js';
import { record, settleSeq, startTimer, type Ctx } from './context.js';
import { evaluate, startBlock } from './lifecycle.js';
import { beginSaga } from './saga.js';
import { cancelEverything, endRun, stopRunTimer } from './run-end.js';
import { pmEntries } from './pmap.js';

/** Statuses a run can be retried from (SPEC §7 "a failed run"): every failure-like end. */
export const RETRYABLE_STATUSES: readonly RunStatus[] = ['failed', 'compensated', 'compensation_failed', 'timed_out'];

function armRunTimer(ctx: Ctx): void {
  if (ctx.definition.timeoutMs !== undefined) {
    ctx.core.runTimer = startTimer(ctx, '', ctx.at + ctx.definition.timeoutMs, 'run-timeout');
  }
}

/** RunStarted: arm the run timeout and start the top-level sequence. */
export async function startRun(ctx: Ctx): Promise<void> {
  armRunTimer(ctx);
  await startBlock(ctx, { parent: null, list: ROOT_LIST, role: 'root', scope: ROOT_SCOPE });
}

/** The top-level sequence ended: evaluate the run's output, or start the saga. */
export async function onRootDone(ctx: Ctx, outcome: Outcome): Promise<void> {
  if (!outcome.ok) return beginSaga(ctx, 'failed', outcome.error);
  let output = outcome.output;
  if (ctx.definition.output !== undefined) {
    const evaluated = await evaluate(ctx, ctx.definition.output, ROOT_SCOPE, null, { output: outcome.output });
    if (!evaluated.ok) {
      ctx.core.failedAt = ctx.definition.steps.length;
      ctx.core.rootLast = outcome.output;
      return beginSaga(ctx, 'failed', { ...evaluated.error, step: null, message: `run output: ${evaluated.error.message}` });
    }
    output = evaluated.value;
  }
  endRun(ctx, 'completed', output, null);
}

/** CancelRequested: graceful stop with compensation. Not accepted while a saga already runs. */
export async function cancelRun(ctx: Ctx, reason: string | undefined): Promise<boolean> {
  if (ctx.core.saga) return false;
  await beginSaga(ctx, 'cancelled', { type: 'Cancelled', message: reason ?? 'the run was cancelled' });
  return true;
}

/**
 * TerminateRequested: stop at once, no compensation. With a `failure` (a runtime stopping a run
 * it cannot move) the run ends `failed`, retryable from the top-level step it was at.
 */
export function terminateRun(ctx: Ctx, reason: string | undefined, failure?: ErrorInfo): void {
  if (failure) rememberFailedStep(ctx);
  cancelEverything(ctx);
  if (failure) endRun(ctx, 'failed', null, failure);
  else endRun(ctx, 'terminated', null, { type: 'Terminated', message: reason ?? 'the run was terminated' });
}

/** Remembers the top-level step running now, where a retry starts again. */
function rememberFailedStep(ctx: Ctx): void {
  for (const [, node] of pmEntries(ctx.core.nodes)) {
    if (node.type === 'block' && node.role === 'root') {
      ctx.core.failedAt = node.index;
      ctx.core.rootLast = node.last;
    }
  }
}

/** The run timeout fired: compensate, then end `timed_out`. Ignored while a saga already runs. */
export async function onRunTimeout(ctx: Ctx, seq: number): Promise<void> {
  settleSeq(ctx, seq);
  ctx.core.runTimer = null;
  if (ctx.core.saga) return;
  rememberFailedStep(ctx);
  const error: ErrorInfo = { type: 'Timeout', message: `the run did not finish within ${formatDuration(ctx.definition.timeoutMs ?? 0)}` };
  await beginSaga(ctx, 'timed_out', error);
}

/** RetryRequested: re-run from the top-level step that failed, keeping earlier outputs and vars. */
export async function retryRun(ctx: Ctx): Promise<boolean> {
  if (!RETRYABLE_STATUSES.includes(ctx.run.status) || ctx.core.failedAt === null) return false;
  const from = ctx.core.failedAt;
  ctx.run.status = 'running';
  ctx.run.error = null;
  ctx.run.output = null;
  ctx.run.endedAt = null;
  ctx.run.retries += 1;
  ctx.core.saga = null;
  ctx.core.failedAt = null;
  stopRunTimer(ctx);
  armRunTimer(ctx);
  record(ctx, 'StepRetried', { path: ctx.definition.steps[from]?.path ?? '', details: { fromTopLevelIndex: from, runAttempt: ctx.run.retries + 1 } });
  await startBlock(ctx, { parent: null, list: ROOT_LIST, role: 'root', scope: ROOT_SCOPE, index: from, last: ctx.core.rootLast });
  return true;
}
