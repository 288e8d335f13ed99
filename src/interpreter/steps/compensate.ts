/**
 * `compensate`: runs the pending compensations now (all, or those of the listed step ids), last
 * registered first, one after another. Output null; if any failed, the others still run and the
 * step then fails with CompensationFailed.
 */
import type { CompensateStep } from '../../definition/types.js';
import type { ErrorInfo } from '../types.js';
import { getScope, mustNode, patchNode, type Ctx, type StepKindHandler } from '../context.js';
import type { BlockNode, StepNode } from '../core-state.js';
import { pendingRegistrations, recordCompensationEnd, startCompensation } from '../compensation.js';
import { completeStep, failStep } from '../lifecycle.js';

interface CompensateData {
  readonly pending: readonly string[];
  readonly failures: readonly ErrorInfo[];
}

/** The `$error` visible where the step runs (inside a catch handler), else null. */
function errorInScope(ctx: Ctx, scopeId: string): ErrorInfo | null {
  for (let id: string | null = scopeId; id !== null; ) {
    const scope = getScope(ctx, id);
    if (!scope) break;
    if (scope.locals.error !== undefined && scope.locals.error !== null) return scope.locals.error as ErrorInfo;
    id = scope.parent;
  }
  return null;
}

async function runNext(ctx: Ctx, nodeId: string): Promise<void> {
  const node = mustNode(ctx, nodeId) as StepNode;
  const data = node.data as CompensateData;
  const [next, ...rest] = data.pending;
  if (next === undefined) {
    if (data.failures.length === 0) return completeStep(ctx, nodeId, null);
    return failStep(ctx, nodeId, {
      type: 'CompensationFailed',
      message: `${data.failures.length} compensation(s) failed: ${data.failures.map((f) => `${f.type}: ${f.message}`).join('; ')}`,
      details: { failures: data.failures },
    });
  }
  patchNode(ctx, node, { data: { ...data, pending: rest } });
  await startCompensation(ctx, nodeId, next, errorInScope(ctx, node.scope));
}

/** The `compensate` kind. */
export const compensate: StepKindHandler<CompensateStep> = {
  async start(ctx, node, step) {
    const data: CompensateData = { pending: pendingRegistrations(ctx, step.targets), failures: [] };
    patchNode(ctx, node, { data });
    await runNext(ctx, node.id);
  },
  async onChildDone(ctx, node, _step, child, outcome) {
    recordCompensationEnd(ctx, child as BlockNode, outcome);
    const data = node.data as CompensateData;
    if (!outcome.ok) patchNode(ctx, node, { data: { ...data, failures: [...data.failures, outcome.error] } });
    await runNext(ctx, node.id);
  },
};
