/**
 * `parallel`: starts every branch at once. `all`: an object keyed by branch id (index when none);
 * the first failure cancels the other branches and fails the step. `any`: the first branch to
 * succeed wins and the rest are cancelled; failures are ignored while a branch still runs, and
 * when all have failed the step fails with the last failure.
 */
import type { ParallelStep } from '../../definition/types.js';
import type { ErrorInfo } from '../types.js';
import { mustNode, patchNode, type StepKindHandler } from '../context.js';
import type { StepNode } from '../core-state.js';
import { cancelChildren, completeStep, failStep, startStep } from '../lifecycle.js';

interface ParallelData {
  readonly results: Readonly<Record<string, unknown>>;
  readonly remaining: number;
  readonly lastError: ErrorInfo | null;
}

/** The `parallel` kind. */
export const parallel: StepKindHandler<ParallelStep> = {
  async start(ctx, node, step) {
    const data: ParallelData = { results: {}, remaining: step.branches.length, lastError: null };
    patchNode(ctx, node, { data });
    if (step.branches.length === 0) return completeStep(ctx, node.id, step.completion === 'all' ? {} : null);
    for (let i = 0; i < step.branches.length; i++) {
      await startStep(ctx, node.id, step.branches[i]!, node.scope, i);
      if (ctx.ended) return;
    }
  },
  async onChildDone(ctx, node, step, child, outcome) {
    const data = node.data as ParallelData;
    if (step.completion === 'any') {
      if (outcome.ok) {
        cancelChildren(ctx, node.id);
        return completeStep(ctx, node.id, outcome.output);
      }
      const remaining = data.remaining - 1;
      patchNode(ctx, node, { data: { ...data, remaining, lastError: outcome.error } });
      if (remaining === 0) await failStep(ctx, node.id, outcome.error);
      return;
    }
    if (!outcome.ok) {
      cancelChildren(ctx, node.id);
      return failStep(ctx, node.id, outcome.error);
    }
    const results = { ...data.results, [String(child.tag)]: outcome.output };
    const remaining = data.remaining - 1;
    patchNode(ctx, mustNode(ctx, node.id) as StepNode, { data: { ...data, results, remaining } });
    if (remaining > 0) return;
    const output: Record<string, unknown> = {};
    step.branches.forEach((branch, i) => {
      Object.defineProperty(output, branch.id ?? String(i), { value: results[String(i)], enumerable: true, writable: true, configurable: true });
    });
    await completeStep(ctx, node.id, output);
  },
};
