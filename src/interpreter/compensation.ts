/**
 * Running registered compensations (SPEC §5): which registrations are pending, in what order, and
 * a compensation as a block of one step in its own scope ($output = the original step's output,
 * $error = the failure). A registration is removed when its compensation starts, so each runs at
 * most once.
 */
import type { ErrorInfo } from './types.js';
import type { BlockNode, Outcome } from './core-state.js';
import { ROOT_SCOPE } from './core-state.js';
import { record, type Ctx } from './context.js';
import { listKey } from './definition-index.js';
import { startBlock } from './lifecycle.js';
import { pmDelete, pmEntries, pmGet } from './pmap.js';

/** Registrations not yet run, last registered first; `targets` filters by step id. */
export function pendingRegistrations(ctx: Ctx, targets: 'all' | readonly string[]): string[] {
  const ids: number[] = [];
  for (const [regId, reg] of pmEntries(ctx.core.regs)) {
    if (targets === 'all' || (reg.stepId !== undefined && targets.includes(reg.stepId))) ids.push(Number(regId));
  }
  return ids.sort((a, b) => b - a).map(String);
}

/** Starts the compensation of one registration under `parent` (null: the run-level saga). */
export async function startCompensation(ctx: Ctx, parent: string | null, regId: string, error: ErrorInfo | null): Promise<void> {
  const reg = pmGet(ctx.core.regs, regId);
  if (!reg) return;
  ctx.core.regs = pmDelete(ctx.core.regs, regId, ctx.owned);
  record(ctx, 'CompensationStarted', {
    path: reg.stepPath, ...(reg.stepId === undefined ? {} : { stepId: reg.stepId }), details: { regId },
  });
  await startBlock(ctx, {
    parent,
    list: listKey.compensation(reg.stepPath),
    role: parent === null ? 'saga' : 'compensation',
    scope: ROOT_SCOPE,
    locals: { ...reg.locals, output: reg.output, error },
    regId,
  });
}

/** Records the end of a compensation block. */
export function recordCompensationEnd(ctx: Ctx, block: BlockNode, outcome: Outcome): void {
  const path = block.list.slice(0, block.list.lastIndexOf('#'));
  const stepId = ctx.index.steps.get(path)?.id;
  const fields = { path, ...(stepId === undefined ? {} : { stepId }) };
  if (outcome.ok) record(ctx, 'CompensationCompleted', { ...fields, details: { regId: block.regId, output: outcome.output } });
  else record(ctx, 'CompensationFailed', { ...fields, details: { regId: block.regId, error: outcome.error } });
}
