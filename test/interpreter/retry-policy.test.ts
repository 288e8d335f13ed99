import { describe, expect, it } from 'vitest';
import { backoffMs, mayRetry, retryPolicyOf, timeoutOf } from '../../src/interpreter/retry-policy.js';
import { flow, retry } from './harness.js';

describe('retry policy', () => {
  const policy = retry({ maxAttempts: 5, initialIntervalMs: 200, backoffCoefficient: 3, maxIntervalMs: 2000, nonRetryable: ['Fatal'] });

  it.each([
    [1, 200],
    [2, 600],
    [3, 1800],
    [4, 2000],
    [10, 2000],
  ])('delay after attempt %i is %i ms', (attempt, delay) => {
    expect(backoffMs(policy, attempt, 'r', 1)).toBe(delay);
  });

  it.each([
    ['retryable', { type: 'Boom', message: '' }, 1, true],
    ['last attempt', { type: 'Boom', message: '' }, 5, false],
    ['listed as non-retryable', { type: 'Fatal', message: '' }, 1, false],
    ['flagged non-retryable', { type: 'Boom', message: '', nonRetryable: true }, 1, false],
    ['ActivityNotFound', { type: 'ActivityNotFound', message: '' }, 1, false],
    ['ExpressionError', { type: 'ExpressionError', message: '' }, 1, false],
    ['Timeout is retried', { type: 'Timeout', message: '' }, 1, true],
  ] as const)('%s', (_name, error, attempt, expected) => {
    expect(mayRetry(policy, error, attempt)).toBe(expected);
  });

  it('no policy means no retry', () => {
    expect(mayRetry(undefined, { type: 'Boom', message: '' }, 1)).toBe(false);
  });

  it('jitter stays within [delay × (1 − jitter), delay] and depends on (runId, seq) only', () => {
    const jittered = { ...policy, jitter: 0.4 };
    const seen = new Set<number>();
    for (let seq = 1; seq < 200; seq++) {
      const d = backoffMs(jittered, 2, 'run', seq);
      expect(d).toBeGreaterThanOrEqual(360);
      expect(d).toBeLessThanOrEqual(600);
      expect(backoffMs(jittered, 2, 'run', seq)).toBe(d);
      seen.add(d);
    }
    expect(seen.size).toBeGreaterThan(50);
  });

  it('defaults apply to calls only', () => {
    const def = flow([{ kind: 'call', call: 'a' }, { kind: 'wait', durationMs: 1 }], { defaults: { timeoutMs: 50, retry: policy } });
    const [callStep, waitStep] = def.steps;
    expect(retryPolicyOf(def, callStep!)).toBe(policy);
    expect(timeoutOf(def, callStep!)).toBe(50);
    expect(retryPolicyOf(def, waitStep!)).toBeUndefined();
    expect(timeoutOf(def, waitStep!)).toBeUndefined();
  });
});
