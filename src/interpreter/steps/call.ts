/** `call`: schedules the activity (one ScheduleActivity per attempt) and ends with its result. */
import type { CallStep } from '../../definition/types.js';
import type { ScheduleActivityCommand } from '../types.js';
import { awaitSeq, emit, newSeq, record, type StepKindHandler } from '../context.js';
import { completeStep, detached, evaluate, failStep } from '../lifecycle.js';
import { timeoutOf } from '../retry-policy.js';

/** The `call` kind (pure: emits commands, never runs the activity). */
export const call: StepKindHandler<CallStep> = {
  async start(ctx, node, step) {
    const input = await evaluate(ctx, step.with ?? null, node.scope, step);
    if (!input.ok) return failStep(ctx, node.id, input.error);
    const seq = newSeq(ctx);
    const timeoutMs = timeoutOf(ctx.definition, step);
    // Built field by field (no spreads: this runs once per attempt); the key order is the same.
    const command: { -readonly [K in keyof ScheduleActivityCommand]: ScheduleActivityCommand[K] } = {
      type: 'ScheduleActivity',
      seq,
      activity: step.call,
      input: detached(input.value),
      attempt: node.attempt,
      // Same for every attempt of this node; every forEach iteration or repeat pass makes new nodes.
      idempotencyKey: `${ctx.runId}:${node.id}`,
      stepPath: step.path,
    };
    if (step.id !== undefined) command.stepId = step.id;
    if (timeoutMs !== undefined) command.timeoutMs = timeoutMs;
    const heartbeatTimeoutMs = step.heartbeatTimeoutMs ?? ctx.definition.defaults.heartbeatTimeoutMs;
    if (heartbeatTimeoutMs !== undefined) command.heartbeatTimeoutMs = heartbeatTimeoutMs;
    if (step.taskQueue !== undefined) command.taskQueue = step.taskQueue;
    emit(ctx, command);
    awaitSeq(ctx, seq, { node: node.id, kind: 'activity' });
    const details = { activity: step.call };
    record(
      ctx,
      'StepScheduled',
      step.id === undefined
        ? { path: node.path, attempt: node.attempt, seq, details }
        : { path: node.path, stepId: step.id, attempt: node.attempt, seq, details },
    );
  },
  async onActivity(ctx, node, _step, _seq, outcome) {
    if (outcome.ok) await completeStep(ctx, node.id, outcome.output);
    else await failStep(ctx, node.id, outcome.error);
  },
};
