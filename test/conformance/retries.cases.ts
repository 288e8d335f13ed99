/** Conformance: retries, per-attempt and run timeouts, missing activities, idempotency keys (SPEC §4, §7). */
import { describe, expect, it } from 'vitest';
import { ActivityError } from '../../src/activities/errors.js';
import type { SuiteContext } from './harness.js';

function failTimes(times: number, type = 'Flaky'): (input: unknown) => Promise<string> {
  let calls = 0;
  return async () => {
    calls++;
    if (calls <= times) throw new ActivityError(type, `failure ${calls}`);
    return `ok after ${calls}`;
  };
}

export function retryCases(ctx: SuiteContext): void {
  describe('retries and timeouts (SPEC §4)', () => {
    it('retries a failing activity with backoff; the idempotencyKey is the same for every attempt', async () => {
      const h = await ctx.setup({ 'op.flaky': failTimes(2) });
      const result = await h.run(`
        dsl: flowline/v1
        name: retry-success
        version: 1
        steps:
          - id: flaky
            call: op.flaky
            retry: { maxAttempts: 3, initialInterval: 10ms, backoffCoefficient: 2, maxInterval: 50ms, jitter: 0 }
      `);
      expect(result).toMatchObject({ status: 'completed', output: 'ok after 3' });
      expect(h.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
      expect(new Set(h.calls.map((c) => c.idempotencyKey)).size).toBe(1);
      expect(h.calls[0]?.stepId).toBe('flaky');
      const history = await h.engine.history(result.runId);
      expect(history.filter((e) => e.type === 'StepRetried')).toHaveLength(2);
    });

    it('fails with the last error once maxAttempts are exhausted', async () => {
      const h = await ctx.setup({ 'op.flaky': failTimes(10) });
      const result = await h.run(`
        dsl: flowline/v1
        name: retry-exhausted
        version: 1
        steps:
          - id: flaky
            call: op.flaky
            retry: { maxAttempts: 3, initialInterval: 10ms }
      `);
      expect(result).toMatchObject({ status: 'failed', error: { type: 'Flaky', message: 'failure 3', step: 'flaky' } });
      expect(h.calls).toHaveLength(3);
    });

    it('does not retry error types listed in nonRetryable, nor errors the handler marks non-retryable', async () => {
      const h = await ctx.setup({
        'pay.declined': failTimes(10, 'CardDeclined'),
        'pay.fatal': async () => {
          throw new ActivityError('Whatever', 'stop', { nonRetryable: true });
        },
      });
      const listed = await h.run(`
        dsl: flowline/v1
        name: retry-nonretryable
        version: 1
        steps:
          - call: pay.declined
            retry: { maxAttempts: 5, initialInterval: 10ms, nonRetryable: [CardDeclined] }
      `);
      expect(listed).toMatchObject({ status: 'failed', error: { type: 'CardDeclined' } });
      const marked = await h.run(`
        dsl: flowline/v1
        name: retry-marked
        version: 1
        steps:
          - call: pay.fatal
            retry: { maxAttempts: 5, initialInterval: 10ms }
      `);
      expect(marked).toMatchObject({ status: 'failed', error: { type: 'Whatever' } });
      expect(h.names()).toEqual(['pay.declined', 'pay.fatal']);
    });

    it('defaults.retry applies to every call unless it overrides', async () => {
      const h = await ctx.setup({ 'op.a': failTimes(1), 'op.b': failTimes(1) });
      const result = await h.run(`
        dsl: flowline/v1
        name: retry-defaults
        version: 1
        defaults:
          retry: { maxAttempts: 2, initialInterval: 10ms }
        steps:
          - call: op.a
          - call: op.b
            retry: { maxAttempts: 1 }
      `);
      expect(result).toMatchObject({ status: 'failed', error: { type: 'Flaky' } });
      expect(h.names()).toEqual(['op.a', 'op.a', 'op.b']);
    });

    it('a timed-out attempt fails with Timeout, raises the AbortSignal, and is retried like any failure', async () => {
      const reasons: string[] = [];
      const h = await ctx.setup({
        'op.slow': (_input: unknown, actx) => {
          if (actx.attempt === 1) {
            return new Promise((_resolve, reject) => {
              actx.signal.addEventListener('abort', () => {
                reasons.push('aborted');
                reject(new Error('aborted'));
              });
            });
          }
          return 'second time lucky';
        },
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: attempt-timeout
        version: 1
        steps:
          - call: op.slow
            timeout: 100ms
            retry: { maxAttempts: 2, initialInterval: 10ms }
      `);
      expect(result).toMatchObject({ status: 'completed', output: 'second time lucky' });
      expect(reasons).toEqual(['aborted']);
      expect(h.calls.map((c) => c.attempt)).toEqual([1, 2]);
    });

    it('an attempt that always times out fails the step with type Timeout', async () => {
      const h = await ctx.setup({ 'op.hang': () => new Promise(() => undefined) });
      const result = await h.run(`
        dsl: flowline/v1
        name: attempt-timeout-final
        version: 1
        steps:
          - id: hang
            call: op.hang
            timeout: 100ms
      `);
      expect(result).toMatchObject({ status: 'failed', error: { type: 'Timeout', step: 'hang' } });
    });

    it('a timeout on a non-call step bounds the whole step, which fails with Timeout', async () => {
      const h = await ctx.setup({});
      const result = await h.run(`
        dsl: flowline/v1
        name: step-timeout
        version: 1
        signals: { never: {} }
        steps:
          - id: slowGroup
            timeout: 100ms
            steps:
              - waitSignal: never
      `);
      expect(result).toMatchObject({ status: 'failed', error: { type: 'Timeout', step: 'slowGroup' } });
    });

    it('a run that reaches its timeout runs its compensations and ends timed_out with type Timeout', async () => {
      const h = await ctx.setup({ 'do.it': async () => 'done', 'undo.it': async () => 'undone' });
      const result = await h.run(`
        dsl: flowline/v1
        name: run-timeout
        version: 1
        timeout: 300ms
        signals: { never: {} }
        steps:
          - id: reserve
            call: do.it
            compensate: { call: undo.it }
          - waitSignal: never
      `);
      expect(result).toMatchObject({ status: 'timed_out', error: { type: 'Timeout' } });
      const history = await h.engine.history(result.runId);
      const reserved = history.some((e) => e.type === 'StepCompleted' && e.stepId === 'reserve');
      // On a loaded machine a real 300 ms timer may beat the first activity: then there is nothing to undo.
      expect(h.names()).toEqual(reserved ? ['do.it', 'undo.it'] : ['do.it']);
    });

    it('an unregistered activity fails with ActivityNotFound and is not retried', async () => {
      const h = await ctx.setup({});
      const result = await h.run(`
        dsl: flowline/v1
        name: activity-missing
        version: 1
        steps:
          - id: ghost
            call: does.not.exist
            retry: { maxAttempts: 5, initialInterval: 10ms }
      `);
      expect(result).toMatchObject({ status: 'failed', error: { type: 'ActivityNotFound', step: 'ghost' } });
      const history = await h.engine.history(result.runId);
      expect(history.filter((e) => e.type === 'StepRetried')).toHaveLength(0);
    });

    it('idempotency keys differ for each forEach iteration and for each step execution', async () => {
      const h = await ctx.setup({ 'op.echo': async (input: unknown) => input });
      const result = await h.run(
        `
        dsl: flowline/v1
        name: idempotency-keys
        version: 1
        steps:
          - forEach: \${ $input }
            concurrency: 3
            steps:
              - call: op.echo
                with: \${ $item }
          - call: op.echo
            with: after
        `,
        { input: ['a', 'b', 'c'] },
      );
      expect(result.status).toBe('completed');
      expect(h.calls).toHaveLength(4);
      expect(new Set(h.calls.map((c) => c.idempotencyKey)).size).toBe(4);
      expect(h.calls.every((c) => c.runId === result.runId)).toBe(true);
    });
  });
}
