/**
 * `continueAsNew`: ends the run's current generation and has decide() start the same flow again
 * under the same run id, with fresh history and the evaluated input (checked against the input
 * schema, as a start is). Whatever else is active is cancelled first; signals received and not
 * yet taken go over to the next generation. Inside a compensation it fails: a run that is
 * undoing its work cannot begin again.
 */
import type { ContinueAsNewStep } from '../../definition/types.js';
import { checkInput } from '../../definition/payload-validation.js';
import { stepLabel, type StepKindHandler } from '../context.js';
import { evaluate, failStep } from '../lifecycle.js';
import { cancelEverything, stopRunTimer } from '../run-end.js';

/** The `continueAsNew` kind. */
export const continueAsNew: StepKindHandler<ContinueAsNewStep> = {
  async start(ctx, node, step) {
    if (ctx.core.saga) {
      return failStep(ctx, node.id, { type: 'ContinueAsNewRefused', message: 'a run cannot continue as new while it runs compensations', step: stepLabel(step) });
    }
    const input = await evaluate(ctx, step.input, node.scope, step);
    if (!input.ok) return failStep(ctx, node.id, input.error);
    const problems = checkInput(ctx.definition, input.value);
    if (problems.length > 0) {
      const message = problems.map((p) => `${p.pointer || '(input)'} ${p.message}`).join('; ');
      return failStep(ctx, node.id, { type: 'InputInvalid', message: `the next generation's input does not match the input schema: ${message}`, step: stepLabel(step), details: { issues: problems } });
    }
    cancelEverything(ctx);
    stopRunTimer(ctx);
    ctx.continueWith = { input: input.value === undefined ? null : input.value };
    ctx.ended = true;
  },
};
