/**
 * Delivers finished nodes to their parents, in the order they finished, until nothing is left:
 * a block moves on to its next step, a step kind reacts to its child, a catch handler's end
 * becomes its step's end, and the root and saga blocks end or continue the run.
 */
import type { Ctx } from './context.js';
import { getNode, patchNode, stepOf } from './context.js';
import { onBlockChildDone, onHandlerDone } from './lifecycle.js';
import { pmDelete, pmHas } from './pmap.js';
import { onRootDone } from './run-control.js';
import { onSagaCompensationDone } from './saga.js';

/** Processes ctx.queue until it is empty or the run has ended. */
export async function drain(ctx: Ctx): Promise<void> {
  while (ctx.queueHead < ctx.queue.length && !ctx.ended) {
    const { parent, child, outcome } = ctx.queue[ctx.queueHead]!;
    ctx.queueHead += 1;
    if (parent === null) {
      if (child.type === 'block' && child.role === 'root') await onRootDone(ctx, outcome);
      else if (child.type === 'block' && child.role === 'saga') await onSagaCompensationDone(ctx, child, outcome);
      continue;
    }
    const node = getNode(ctx, parent);
    // A parent that was cancelled, or restarted, since the child finished no longer wants it.
    if (!node || !pmHas(node.children, child.id)) continue;
    const current = patchNode(ctx, node, { children: pmDelete(node.children, child.id, ctx.owned) });
    if (current.type === 'block') {
      await onBlockChildDone(ctx, current, outcome);
    } else if (current.phase === 'handling') {
      await onHandlerDone(ctx, current, outcome);
    } else {
      const step = stepOf(ctx, current.path);
      await ctx.handlerFor(step.kind).onChildDone?.(ctx, current, step, child, outcome);
    }
  }
  ctx.queue.length = 0;
  ctx.queueHead = 0;
}
