/**
 * `return`: ends the run `completed` with the value at once, cancelling whatever else is active
 * and without compensation or the document's `output`. Inside a compensation (the run is already
 * ending) it only ends that compensation, with the value as its output.
 */
import type { ReturnStep } from '../../definition/types.js';
import { dropNode, record, stepFields, type StepKindHandler } from '../context.js';
import { completeStep, evaluate, failStep } from '../lifecycle.js';
import { endRun } from '../run-end.js';

/** The `return` kind. */
export const returnStep: StepKindHandler<ReturnStep> = {
  async start(ctx, node, step) {
    const value = await evaluate(ctx, step.value, node.scope, step);
    if (!value.ok) return failStep(ctx, node.id, value.error);
    if (ctx.core.saga) return completeStep(ctx, node.id, value.value);
    record(ctx, 'StepCompleted', { ...stepFields(ctx, node), details: { output: value.value } });
    dropNode(ctx, node.id);
    endRun(ctx, 'completed', value.value, null);
  },
};
