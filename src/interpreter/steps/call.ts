/** `call`: schedules the activity (one ScheduleActivity per attempt) and ends with its result. */
import type { CallStep } from '../../definition/types.js';
import { awaitSeq, emit, newSeq, record, stepFields, type StepKindHandler } from '../context.js';
import { completeStep, detached, evaluate, failStep } from '../lifecycle.js';
import { timeoutOf } from '../retry-policy.js';

/** The `call` kind (pure: emits commands, never runs the activity). */
export const call: StepKindHandler<CallStep> = {
  async start(ctx, node, step) {
    const input = await evaluate(ctx, step.with ?? null, node.scope, step);
    if (!input.ok) return failStep(ctx, node.id, input.error);
    const seq = newSeq(ctx);
    const timeoutMs = timeoutOf(ctx.definition, step);
    emit(ctx, {
      type: 'ScheduleActivity',
      seq,
      activity: step.call,
      input: detached(input.value),
      attempt: node.attempt,
      // Same for every attempt of this node; every forEach iteration or repeat pass makes new nodes.
      idempotencyKey: `${ctx.runId}:${node.id}`,
      stepPath: step.path,
      ...(step.id === undefined ? {} : { stepId: step.id }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(step.taskQueue === undefined ? {} : { taskQueue: step.taskQueue }),
    });
    awaitSeq(ctx, seq, { node: node.id, kind: 'activity' });
    record(ctx, 'StepScheduled', { ...stepFields(ctx, node), seq, details: { activity: step.call } });
  },
  async onActivity(ctx, node, _step, _seq, outcome) {
    if (outcome.ok) await completeStep(ctx, node.id, outcome.output);
    else await failStep(ctx, node.id, outcome.error);
  },
};
