/** `fail`: raises an error whose type, message and details may be expressions. */
import type { FailStep } from '../../definition/types.js';
import type { StepKindHandler } from '../context.js';
import { stepLabel, stepTitle } from '../context.js';
import { evaluate, failStep } from '../lifecycle.js';

/** The `fail` kind. */
export const fail: StepKindHandler<FailStep> = {
  async start(ctx, node, step) {
    const type = await evaluate(ctx, step.error, node.scope, step);
    if (!type.ok) return failStep(ctx, node.id, type.error);
    const message = await evaluate(ctx, step.message ?? null, node.scope, step);
    if (!message.ok) return failStep(ctx, node.id, message.error);
    const details = await evaluate(ctx, step.details ?? null, node.scope, step);
    if (!details.ok) return failStep(ctx, node.id, details.error);
    const typeText = typeof type.value === 'string' && type.value !== '' ? type.value : 'Error';
    await failStep(ctx, node.id, {
      type: typeText,
      message: message.value === null ? `${stepTitle(ctx, step)} raised ${typeText}` : String(message.value),
      step: stepLabel(step),
      ...(details.value === null ? {} : { details: details.value }),
    });
  },
};
