/**
 * Ending a run: cancel whatever is still active, stop the run timer, set the terminal status,
 * record RunEnded and, for a child run, tell the parent.
 */
import type { ErrorInfo, RunStatus } from './types.js';
import { cancelSeq, emit, record, type Ctx } from './context.js';
import { cancelNode } from './lifecycle.js';
import { pmEntries } from './pmap.js';

/** Cancels every active node (the root block's tree and any saga compensation). */
export function cancelEverything(ctx: Ctx): void {
  const tops: string[] = [];
  for (const [id, node] of pmEntries(ctx.core.nodes)) if (node.parent === null) tops.push(id);
  tops.forEach((id) => cancelNode(ctx, id));
}

/** Cancels the run timeout timer if it is running. */
export function stopRunTimer(ctx: Ctx): void {
  if (ctx.core.runTimer !== null) {
    cancelSeq(ctx, ctx.core.runTimer);
    ctx.core.runTimer = null;
  }
}

/** Puts the run in a terminal status; nothing else happens in this decision afterwards. */
export function endRun(ctx: Ctx, status: RunStatus, output: unknown, error: ErrorInfo | null): void {
  cancelEverything(ctx);
  stopRunTimer(ctx);
  ctx.core.saga = null;
  ctx.run.status = status;
  ctx.run.output = output;
  ctx.run.error = error;
  ctx.run.endedAt = ctx.at;
  record(ctx, 'RunEnded', { details: { status, output, error } });
  if (ctx.run.parent) {
    emit(ctx, { type: 'NotifyParent', parentRunId: ctx.run.parent.runId, seq: ctx.run.parent.seq, status, output, error });
  }
  ctx.ended = true;
}
