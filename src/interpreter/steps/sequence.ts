/** `steps` (a group) and `try`: run the body as a block; the output is the last inner step's. */
import type { GroupStep, TryStep } from '../../definition/types.js';
import type { StepKindHandler } from '../context.js';
import { listKey } from '../definition-index.js';
import { completeStep, failStep, startBlock } from '../lifecycle.js';

/** Shared by `steps` and `try` (a try's handlers are the common `catch`). */
export const sequence: StepKindHandler<GroupStep | TryStep> = {
  async start(ctx, node, step) {
    await startBlock(ctx, { parent: node.id, list: listKey.body(step.path), role: 'body', scope: node.scope });
  },
  async onChildDone(ctx, node, _step, _child, outcome) {
    if (outcome.ok) await completeStep(ctx, node.id, outcome.output);
    else await failStep(ctx, node.id, outcome.error);
  },
};
