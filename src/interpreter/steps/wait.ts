/** `wait`: a durable timer, for a duration or until an instant (one in the past fires at once). */
import type { WaitStep } from '../../definition/types.js';
import { settleSeq, startTimer, stepFields, type StepKindHandler } from '../context.js';
import { completeStep, evaluate, failStep } from '../lifecycle.js';

/** The `wait` kind. */
export const wait: StepKindHandler<WaitStep> = {
  async start(ctx, node, step) {
    let at: number;
    if (step.durationMs !== undefined) {
      at = ctx.at + step.durationMs;
    } else {
      const until = await evaluate(ctx, step.until, node.scope, step);
      if (!until.ok) return failStep(ctx, node.id, until.error);
      at = typeof until.value === 'string' ? Date.parse(until.value) : typeof until.value === 'number' ? until.value : Number.NaN;
      if (!Number.isFinite(at)) {
        return failStep(ctx, node.id, {
          type: 'ExpressionError',
          message: `wait.until must give an ISO-8601 instant, got ${JSON.stringify(until.value)}`,
          nonRetryable: true,
        });
      }
    }
    startTimer(ctx, node.id, at, 'wait', stepFields(ctx, node));
  },
  async onTimer(ctx, node, _step, seq) {
    settleSeq(ctx, seq);
    await completeStep(ctx, node.id, null);
  },
};
