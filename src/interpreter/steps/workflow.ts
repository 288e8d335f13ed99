/**
 * `workflow`: starts a child run (deterministic child run id) and ends with its output; a child
 * that fails makes the step fail with ChildFailed. Cancelling the step cancels the child.
 */
import type { WorkflowStep } from '../../definition/types.js';
import { awaitSeq, emit, newSeq, record, stepFields, type StepKindHandler } from '../context.js';
import { completeStep, detached, evaluate, failStep } from '../lifecycle.js';

/** The `workflow` (child run) kind. */
export const workflow: StepKindHandler<WorkflowStep> = {
  async start(ctx, node, step) {
    const input = await evaluate(ctx, step.with ?? null, node.scope, step);
    if (!input.ok) return failStep(ctx, node.id, input.error);
    const seq = newSeq(ctx);
    // One child per attempt: a retried step must not find the child that already failed.
    const childRunId = `${ctx.runId}:${node.id}${node.attempt > 1 ? `:${node.attempt}` : ''}`;
    emit(ctx, {
      type: 'StartChild',
      seq,
      childRunId,
      workflow: step.workflow,
      ...(step.version === undefined ? {} : { version: step.version }),
      input: detached(input.value),
    });
    awaitSeq(ctx, seq, { node: node.id, kind: 'child', childRunId });
    record(ctx, 'StepScheduled', { ...stepFields(ctx, node), seq, details: { workflow: step.workflow, childRunId } });
  },
  async onChildRun(ctx, node, _step, _seq, outcome) {
    if (outcome.ok) await completeStep(ctx, node.id, outcome.output);
    else await failStep(ctx, node.id, outcome.error);
  },
};
