/**
 * `forEach`: one block per element, at most `concurrency` at once, each in its own scope with the
 * element and index bound (names from `as` / `indexAs`) and its own `$steps`. Outputs are kept by
 * index in a persistent map (so each iteration costs the same however many there are) and
 * returned as an array in input order. The first failing iteration cancels the running ones.
 */
import type { ForEachStep } from '../../definition/types.js';
import { mustNode, patchNode, type Ctx, type StepKindHandler } from '../context.js';
import type { StepNode } from '../core-state.js';
import { listKey } from '../definition-index.js';
import { cancelChildren, completeStep, evaluate, failStep, startBlock } from '../lifecycle.js';
import { EMPTY_PMAP, pmGet, pmSet, type PMap } from '../pmap.js';

interface ForEachData {
  readonly items: readonly unknown[];
  readonly next: number;
  readonly running: number;
  readonly outputs: PMap<unknown>;
}

async function launch(ctx: Ctx, nodeId: string, step: ForEachStep): Promise<void> {
  for (;;) {
    const node = mustNode(ctx, nodeId) as StepNode;
    const data = node.data as ForEachData;
    if (data.running >= Math.max(1, step.concurrency) || data.next >= data.items.length || ctx.ended) return;
    const index = data.next;
    patchNode(ctx, node, { data: { ...data, next: index + 1, running: data.running + 1 } });
    await startBlock(ctx, {
      parent: nodeId,
      list: listKey.body(step.path),
      role: 'body',
      scope: node.scope,
      locals: { [step.as]: data.items[index], [step.indexAs]: index },
      tag: index,
    });
  }
}

/** The `forEach` kind. */
export const forEach: StepKindHandler<ForEachStep> = {
  async start(ctx, node, step) {
    const evaluated = await evaluate(ctx, step.forEach, node.scope, step);
    if (!evaluated.ok) return failStep(ctx, node.id, evaluated.error);
    // A path that matches nothing evaluates to null: treated as an empty list.
    const items = evaluated.value === null ? [] : evaluated.value;
    if (!Array.isArray(items)) {
      return failStep(ctx, node.id, {
        type: 'ExpressionError',
        message: `forEach needs an array, got ${typeof items}`,
        nonRetryable: true,
      });
    }
    if (items.length === 0) return completeStep(ctx, node.id, []);
    const data: ForEachData = { items, next: 0, running: 0, outputs: EMPTY_PMAP };
    patchNode(ctx, node, { data });
    await launch(ctx, node.id, step);
  },
  async onChildDone(ctx, node, step, child, outcome) {
    if (!outcome.ok) {
      cancelChildren(ctx, node.id);
      return failStep(ctx, node.id, outcome.error);
    }
    const data = node.data as ForEachData;
    const outputs = pmSet(data.outputs, String(child.tag), outcome.output, ctx.owned);
    const running = data.running - 1;
    patchNode(ctx, node, { data: { ...data, outputs, running } });
    if (data.next < data.items.length) return launch(ctx, node.id, step);
    if (running > 0) return;
    const result = Array.from({ length: data.items.length }, (_, i) => pmGet(outputs, String(i)) ?? null);
    await completeStep(ctx, node.id, result);
  },
};
