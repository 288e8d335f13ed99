/** Conformance: heartbeatTimeout and ctx.lastHeartbeat (SPEC §4; docs/guides/activities.md#heartbeats). */
import { describe, expect, it } from 'vitest';
import type { ActivityContext } from '../../src/activities/types.js';
import type { SuiteContext } from './harness.js';

/** Waits on the attempt's AbortSignal (the only way it ends), reporting the abort reason's name. */
function hangUntilAborted(ctx: ActivityContext, reasons: string[]): Promise<never> {
  return new Promise((_resolve, reject) => {
    ctx.signal.addEventListener('abort', () => {
      reasons.push((ctx.signal.reason as Error).name);
      reject(new Error('aborted'));
    });
  });
}

export function heartbeatCases(ctx: SuiteContext): void {
  describe('heartbeats (SPEC §4)', () => {
    it('an attempt that stops heartbeating fails with HeartbeatTimeout; the retry reads its last details and resumes', async () => {
      const reasons: string[] = [];
      const seen: unknown[] = [];
      const h = await ctx.setup({
        'files.import': (_input: unknown, actx) => {
          seen.push(actx.lastHeartbeat);
          if (actx.attempt === 1) {
            // Three heartbeats at once: on Redis the throttle holds the last two back, and the
            // attempt's end must still write {progress: 3} before its failure is recorded.
            for (let n = 1; n <= 3; n++) actx.heartbeat({ progress: n });
            return hangUntilAborted(actx, reasons);
          }
          return { resumedFrom: actx.lastHeartbeat };
        },
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: heartbeat-resume
        version: 1
        steps:
          - id: import
            call: files.import
            heartbeatTimeout: 200ms
            retry: { maxAttempts: 2, initialInterval: 10ms }
      `);
      expect(result).toMatchObject({ status: 'completed', output: { resumedFrom: { progress: 3 } } });
      expect(seen).toEqual([undefined, { progress: 3 }]);
      expect(reasons).toEqual(['HeartbeatTimeout']);
      const history = await h.engine.history(result.runId);
      const failed = history.filter((e) => e.type === 'StepFailed').map((e) => (e.details as { error: { type: string } }).error.type);
      expect(failed).toEqual(['HeartbeatTimeout']);
      expect(history.filter((e) => e.type === 'StepRetried')).toHaveLength(1);
    });

    it('a handler that never heartbeats fails the step with HeartbeatTimeout once retries run out (defaults.heartbeatTimeout)', async () => {
      const reasons: string[] = [];
      const h = await ctx.setup({ 'files.stuck': (_input: unknown, actx) => hangUntilAborted(actx, reasons) });
      const result = await h.run(`
        dsl: flowline/v1
        name: heartbeat-exhausted
        version: 1
        defaults:
          heartbeatTimeout: 200ms
        steps:
          - id: stuck
            call: files.stuck
            retry: { maxAttempts: 2, initialInterval: 10ms }
      `);
      expect(result).toMatchObject({ status: 'failed', error: { type: 'HeartbeatTimeout', step: 'stuck' } });
      expect(h.calls.map((c) => c.attempt)).toEqual([1, 2]);
      expect(reasons).toEqual(['HeartbeatTimeout', 'HeartbeatTimeout']);
    });

    it('a catch can handle HeartbeatTimeout; details are kept per step execution (another step starts with none)', async () => {
      const seen: unknown[] = [];
      const h = await ctx.setup({
        'files.stuck': (_input: unknown, actx) => {
          seen.push(actx.lastHeartbeat);
          actx.heartbeat({ step: actx.stepId });
          return hangUntilAborted(actx, []);
        },
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: heartbeat-caught
        version: 1
        steps:
          - id: first
            call: files.stuck
            heartbeatTimeout: 200ms
            catch:
              - errors: [HeartbeatTimeout]
                steps:
                  - set: { caught: first }
          - id: second
            call: files.stuck
            heartbeatTimeout: 200ms
            retry: { maxAttempts: 2, initialInterval: 10ms }
            catch:
              - errors: [HeartbeatTimeout]
                steps:
                  - return: \${ $error.type }
      `);
      expect(result).toMatchObject({ status: 'completed', output: 'HeartbeatTimeout' });
      // The retry of `second` reads its own attempt's details, never those of `first`.
      expect(seen).toEqual([undefined, undefined, { step: 'second' }]);
    });
  });
}
