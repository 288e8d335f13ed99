/**
 * Replay of time-bounded expression failures. An ExpressionTimeout is the one outcome of a
 * decision that depends on the machine, not on the event: the same expression may finish, time
 * out, or hit a deterministic bound (depth, size) on another run of it. A replayer must then take
 * what history recorded instead of evaluating again — as Temporal takes a side effect's recorded
 * result. The recorded decision's ExpressionTimeout errors are handed to `decide`; the evaluation
 * they belong to (same step, an expression whose source the message names) fails with the
 * recorded error without being evaluated. Pure.
 */
import type { Step } from '../definition/types.js';
import { collectExpressions, isTimeoutMessageOf } from '../expression/index.js';
import type { ErrorInfo, HistoryEntry } from './types.js';
import { stepLabel, type Ctx } from './context.js';

/** The ExpressionTimeout errors a decision recorded (step failures, compensation failures, the run's end). */
export function recordedTimeouts(entries: readonly HistoryEntry[]): ErrorInfo[] {
  const found: ErrorInfo[] = [];
  for (const entry of entries) {
    const error = entry.details?.['error'] as ErrorInfo | null | undefined;
    if (error?.type === 'ExpressionTimeout' && typeof error.message === 'string') found.push(error);
  }
  return found;
}

/**
 * The recorded timeout this evaluation must give, taken out of the decision's list so it is used
 * once; undefined when the value is to be evaluated.
 */
export function takeRecordedTimeout(ctx: Ctx, value: unknown, step: Step | null): ErrorInfo | undefined {
  const label = step ? stepLabel(step) : null;
  const sources = collectExpressions(value).expressions.map((e) => e.source);
  const at = ctx.recordedTimeouts.findIndex(
    (error) => (error.step ?? null) === label && sources.some((source) => isTimeoutMessageOf(error.message, source)),
  );
  if (at < 0) return undefined;
  const [error] = ctx.recordedTimeouts.splice(at, 1);
  return error;
}
