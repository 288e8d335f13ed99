/**
 * `set`: evaluates every value against the variables as they were before the step (none sees
 * another written by the same step), then merges them into `$vars`. Output: the written map.
 */
import type { SetStep } from '../../definition/types.js';
import { record, stepFields, type StepKindHandler } from '../context.js';
import { completeStep, evaluate, failStep } from '../lifecycle.js';

/** The `set` kind. */
export const set: StepKindHandler<SetStep> = {
  async start(ctx, node, step) {
    const evaluated = await evaluate(ctx, step.set, node.scope, step);
    if (!evaluated.ok) return failStep(ctx, node.id, evaluated.error);
    const written = evaluated.value as Record<string, unknown>;
    ctx.run.vars = { ...ctx.run.vars, ...written };
    record(ctx, 'VariablesSet', { ...stepFields(ctx, node), details: { vars: written } });
    await completeStep(ctx, node.id, written);
  },
};
