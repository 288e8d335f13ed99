/**
 * `repeat`: a do-while loop. Each pass runs the body as a new block (fresh nodes) in the step's
 * scope, then `until` is evaluated ($steps shows that pass's outputs, $output its last output).
 * The loop ends when `until` is truthy or after `max` passes — reaching `max` is not an error.
 * A loop whose body never waits is stopped (LoopLimit) after 10,000 passes in one decision, so
 * a runaway loop cannot hang the runtime.
 */
import type { RepeatStep } from '../../definition/types.js';
import { mustNode, patchNode, type StepKindHandler } from '../context.js';
import type { StepNode } from '../core-state.js';
import { listKey } from '../definition-index.js';
import { completeStep, evaluate, failStep, startBlock } from '../lifecycle.js';
import { truthy } from '../evaluate.js';

/** Passes one repeat may run within a single decision (a body that never waits would never end). */
export const MAX_PASSES_PER_DECISION = 10_000;

interface RepeatData {
  readonly pass: number;
}

/** The `repeat` kind. */
export const repeat: StepKindHandler<RepeatStep> = {
  async start(ctx, node, step) {
    patchNode(ctx, node, { data: { pass: 1 } satisfies RepeatData });
    await startBlock(ctx, { parent: node.id, list: listKey.body(step.path), role: 'body', scope: node.scope, tag: 1 });
  },
  async onChildDone(ctx, node, step, _child, outcome) {
    if (!outcome.ok) return failStep(ctx, node.id, outcome.error);
    const { pass } = node.data as RepeatData;
    const until = await evaluate(ctx, step.until, node.scope, step, { output: outcome.output });
    if (!until.ok) return failStep(ctx, node.id, until.error);
    if (truthy(until.value) || (step.max !== undefined && pass >= step.max)) {
      return completeStep(ctx, node.id, outcome.output);
    }
    const streak = (ctx.counters.get(node.id) ?? 0) + 1;
    ctx.counters.set(node.id, streak);
    if (streak >= MAX_PASSES_PER_DECISION) {
      return failStep(ctx, node.id, {
        type: 'LoopLimit',
        message: loopLimitMessage(streak, step.max),
        nonRetryable: true,
      });
    }
    patchNode(ctx, mustNode(ctx, node.id) as StepNode, { data: { pass: pass + 1 } satisfies RepeatData });
    await startBlock(ctx, { parent: node.id, list: listKey.body(step.path), role: 'body', scope: node.scope, tag: pass + 1 });
  },
};

/**
 * Why the loop was stopped, for the author: with a `max` above the engine's ceiling the fix is a
 * lower `max` (or a wait), without one it is a `max` (or a wait).
 */
export function loopLimitMessage(passes: number, max: number | undefined): string {
  const ran = `repeat ran ${passes} passes in a row without waiting for anything (an activity, a timer or a signal)`;
  if (max !== undefined) {
    return `${ran}; its \`max: ${max}\` is above the ${MAX_PASSES_PER_DECISION} passes Flowline allows without a wait: lower \`max\` to at most ${MAX_PASSES_PER_DECISION}, or wait inside the loop`;
  }
  return `${ran}, and it has no \`max\`: add \`max:\` (at most ${MAX_PASSES_PER_DECISION}) so the loop ends, or wait inside the loop`;
}
