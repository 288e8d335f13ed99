/**
 * `waitSignal`: takes the oldest buffered signal of its name, or waits in line for the next one.
 * Its `timeout` (armed by the common lifecycle) fails it with SignalTimeout.
 */
import type { WaitSignalStep } from '../../definition/types.js';
import { record, stepFields, type Ctx, type StepKindHandler } from '../context.js';
import type { StepNode } from '../core-state.js';
import { completeStep } from '../lifecycle.js';

/** Records that a node took a signal. */
export function recordConsumed(ctx: Ctx, node: StepNode, name: string, signalId: string | undefined): void {
  record(ctx, 'SignalConsumed', { ...stepFields(ctx, node), details: { signal: name, ...(signalId === undefined ? {} : { signalId }) } });
}

/** The `waitSignal` kind. */
export const waitSignal: StepKindHandler<WaitSignalStep> = {
  async start(ctx, node, step) {
    const buffered = ctx.core.signals[step.signal] ?? [];
    const [oldest, ...rest] = buffered;
    if (oldest) {
      ctx.core.signals = { ...ctx.core.signals, [step.signal]: rest };
      recordConsumed(ctx, node, step.signal, oldest.signalId);
      return completeStep(ctx, node.id, oldest.data);
    }
    ctx.core.waiters = { ...ctx.core.waiters, [step.signal]: [...(ctx.core.waiters[step.signal] ?? []), node.id] };
  },
  async onSignal(ctx, node, _step, data) {
    await completeStep(ctx, node.id, data);
  },
  onLeave(ctx, node, step) {
    const line = ctx.core.waiters[step.signal];
    if (line?.includes(node.id)) ctx.core.waiters = { ...ctx.core.waiters, [step.signal]: line.filter((id) => id !== node.id) };
  },
};
