/**
 * Retry and timeout policy of a step (SPEC §4): which policy applies, whether an error may be
 * retried, and the backoff delay with deterministic jitter.
 */
import type { RetryPolicy, Step, WorkflowDefinition } from '../definition/types.js';
import type { ErrorInfo } from './types.js';
import { deterministicFraction } from './determinism.js';

/** Error types that are never retried whatever the policy says. */
const NEVER_RETRIED = new Set(['ActivityNotFound', 'ExpressionError', 'ExpressionTimeout', 'Cancelled', 'InputInvalid']);

/** The step's retry policy: its own, else `defaults.retry` for a `call`, else none (one attempt). Pure. */
export function retryPolicyOf(definition: WorkflowDefinition, step: Step): RetryPolicy | undefined {
  return step.retry ?? (step.kind === 'call' ? definition.defaults.retry : undefined);
}

/** The step's per-attempt timeout: its own, else `defaults.timeout` for a `call`. Pure. */
export function timeoutOf(definition: WorkflowDefinition, step: Step): number | undefined {
  return step.timeoutMs ?? (step.kind === 'call' ? definition.defaults.timeoutMs : undefined);
}

/** True when another attempt may follow attempt `attempt` failing with `error`. Pure. */
export function mayRetry(policy: RetryPolicy | undefined, error: ErrorInfo, attempt: number): policy is RetryPolicy {
  if (!policy || attempt >= policy.maxAttempts) return false;
  if (error.nonRetryable === true || NEVER_RETRIED.has(error.type)) return false;
  return !policy.nonRetryable.includes(error.type);
}

/**
 * Delay before attempt `attempt + 1`: min(initial × coefficient^(attempt−1), max), then reduced by
 * up to `jitter` × delay, by a fraction derived from (runId, seq) so a replay gives the same delay.
 * Pure.
 */
export function backoffMs(policy: RetryPolicy, attempt: number, runId: string, seq: number): number {
  const base = Math.min(policy.initialIntervalMs * policy.backoffCoefficient ** (attempt - 1), policy.maxIntervalMs);
  const jitter = Math.min(Math.max(policy.jitter, 0), 1);
  if (jitter === 0 || base <= 0) return Math.max(0, Math.round(base));
  return Math.max(0, Math.round(base - base * jitter * deterministicFraction(runId, seq)));
}
