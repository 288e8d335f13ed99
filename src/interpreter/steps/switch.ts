/** `switch`: runs the first case whose `when` is truthy, else `default`; no match gives null. */
import type { SwitchStep } from '../../definition/types.js';
import type { StepKindHandler } from '../context.js';
import { listKey } from '../definition-index.js';
import { completeStep, evaluate, failStep, startBlock } from '../lifecycle.js';
import { truthy } from '../evaluate.js';

/** The `switch` kind. */
export const switchStep: StepKindHandler<SwitchStep> = {
  async start(ctx, node, step) {
    let chosen = -1;
    for (let i = 0; i < step.cases.length && chosen < 0; i++) {
      const c = step.cases[i]!;
      if (c.isDefault) continue;
      const when = await evaluate(ctx, c.when, node.scope, step);
      if (!when.ok) return failStep(ctx, node.id, when.error);
      if (truthy(when.value)) chosen = i;
    }
    if (chosen < 0) chosen = step.cases.findIndex((c) => c.isDefault);
    if (chosen < 0) return completeStep(ctx, node.id, null);
    await startBlock(ctx, { parent: node.id, list: listKey.case(step.path, chosen), role: 'body', scope: node.scope, tag: chosen });
  },
  async onChildDone(ctx, node, _step, _child, outcome) {
    if (outcome.ok) await completeStep(ctx, node.id, outcome.output);
    else await failStep(ctx, node.id, outcome.error);
  },
};
