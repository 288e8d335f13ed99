/** Conformance: saga compensation exactly as SPEC §5. */
import { describe, expect, it } from 'vitest';
import { ActivityError } from '../../src/activities/errors.js';
import { deferred, hangUntilAborted, type SuiteContext } from './harness.js';

const declined = async (): Promise<never> => {
  throw new ActivityError('CardDeclined', 'declined');
};

export function sagaCases(ctx: SuiteContext): void {
  describe('saga compensation (SPEC §5)', () => {
    it('runs registered compensations in reverse order with $output and $error; ends compensated keeping the error', async () => {
      const h = await ctx.setup({
        'do.it': async (input: string) => ({ id: `${input}-1` }),
        'undo.it': async (input: unknown) => input,
        'pay.charge': declined,
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: saga-reverse
        version: 1
        steps:
          - id: a
            call: do.it
            with: a
            compensate:
              call: undo.it
              with: { id: '\${ $output.id }', because: '\${ $error.type }' }
          - id: b
            call: do.it
            with: b
            compensate:
              call: undo.it
              with: { id: '\${ $output.id }', because: '\${ $error.type }' }
          - id: pay
            call: pay.charge
            compensate:
              call: undo.it
              with: { id: never }
      `);
      expect(result).toMatchObject({ status: 'compensated', error: { type: 'CardDeclined', step: 'pay' } });
      expect(h.calls.filter((c) => c.activity === 'undo.it').map((c) => c.input)).toEqual([
        { id: 'b-1', because: 'CardDeclined' },
        { id: 'a-1', because: 'CardDeclined' },
      ]);
      const history = await h.engine.history(result.runId);
      expect(history.some((e) => e.type === 'CompensationStarted')).toBe(true);
      expect(history.some((e) => e.type === 'CompensationCompleted')).toBe(true);
    });

    it('a failed run with nothing to compensate ends failed', async () => {
      const h = await ctx.setup({ 'pay.charge': declined });
      const result = await h.run(`
        dsl: flowline/v1
        name: saga-nothing
        version: 1
        steps:
          - id: pay
            call: pay.charge
      `);
      expect(result).toMatchObject({ status: 'failed', error: { type: 'CardDeclined' } });
    });

    it('each compensation has its own retry policy', async () => {
      let undoAttempts = 0;
      const h = await ctx.setup({
        'do.it': async () => 'done',
        'undo.flaky': async () => {
          undoAttempts++;
          if (undoAttempts < 2) throw new Error('flaky');
          return 'undone';
        },
        'pay.charge': declined,
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: saga-comp-retry
        version: 1
        steps:
          - id: a
            call: do.it
            compensate:
              call: undo.flaky
              retry: { maxAttempts: 3, initialInterval: 10ms }
          - call: pay.charge
      `);
      expect(result).toMatchObject({ status: 'compensated', error: { type: 'CardDeclined' } });
      expect(undoAttempts).toBe(2);
    });

    it('a compensation that exhausts its retries gives compensation_failed, and the remaining compensations still run', async () => {
      const h = await ctx.setup({
        'do.it': async (input: string) => input,
        'undo.ok': async (input: string) => input,
        'undo.broken': async () => {
          throw new Error('cannot undo');
        },
        'pay.charge': declined,
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: saga-comp-failed
        version: 1
        steps:
          - id: a
            call: do.it
            with: a
            compensate: { call: undo.ok, with: a }
          - id: b
            call: do.it
            with: b
            compensate:
              call: undo.broken
              retry: { maxAttempts: 2, initialInterval: 10ms }
          - id: c
            call: do.it
            with: c
            compensate: { call: undo.ok, with: c }
          - call: pay.charge
      `);
      expect(result).toMatchObject({ status: 'compensation_failed', error: { type: 'CardDeclined' } });
      expect(h.calls.filter((c) => c.activity.startsWith('undo.')).map((c) => `${c.activity}:${c.attempt}`)).toEqual([
        'undo.ok:1',
        'undo.broken:1',
        'undo.broken:2',
        'undo.ok:1',
      ]);
      expect(h.calls.filter((c) => c.activity === 'undo.ok').map((c) => c.input)).toEqual(['c', 'a']);
    });

    it('explicit `compensate: all` inside a catch runs compensations now, and each runs at most once', async () => {
      const h = await ctx.setup({
        'do.it': async () => 'done',
        'undo.it': async () => 'undone',
        'pay.charge': declined,
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: saga-explicit
        version: 1
        steps:
          - try:
              - id: reserve
                call: do.it
                compensate: { call: undo.it }
              - call: pay.charge
            catch:
              - errors: [CardDeclined]
                steps:
                  - compensate: all
                  - set: { rolledBack: true }
          - fail: { error: GaveUp, message: after rollback }
      `);
      expect(result.error).toMatchObject({ type: 'GaveUp' });
      // Ran in the catch; the later failure must not run it a second time.
      expect(h.names().filter((n) => n === 'undo.it')).toHaveLength(1);
      expect(h.names()).toEqual(['do.it', 'pay.charge', 'undo.it']);
    });

    it('explicit `compensate: [ids]` runs only the named steps’ compensations, and the run can complete', async () => {
      const h = await ctx.setup({
        'do.it': async (input: string) => input,
        'undo.it': async (input: string) => input,
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: saga-explicit-ids
        version: 1
        steps:
          - id: a
            call: do.it
            with: a
            compensate: { call: undo.it, with: '\${ $output }' }
          - id: b
            call: do.it
            with: b
            compensate: { call: undo.it, with: '\${ $output }' }
          - id: undoA
            compensate: [a]
      `);
      expect(result).toMatchObject({ status: 'completed', output: null });
      expect(h.calls.filter((c) => c.activity === 'undo.it').map((c) => c.input)).toEqual(['a']);
    });

    it('inside forEach each iteration registers its own compensation, undone in reverse', async () => {
      const h = await ctx.setup({
        'do.it': async (input: string) => `${input}!`,
        'undo.it': async (input: string) => input,
        'pay.charge': declined,
      });
      const result = await h.run(
        `
        dsl: flowline/v1
        name: saga-foreach
        version: 1
        steps:
          - forEach: \${ $input }
            steps:
              - id: reserve
                call: do.it
                with: \${ $item }
                compensate: { call: undo.it, with: '\${ $output }' }
          - call: pay.charge
        `,
        { input: ['x', 'y', 'z'] },
      );
      expect(result.status).toBe('compensated');
      expect(h.calls.filter((c) => c.activity === 'undo.it').map((c) => c.input)).toEqual(['z!', 'y!', 'x!']);
    });

    it('a failing parallel branch cancels the others, then compensations of completed work in all branches run', async () => {
      const aDone = deferred();
      const slowAborted = deferred();
      const h = await ctx.setup({
        'do.a': async () => {
          aDone.resolve();
          return 'a';
        },
        'do.b': async () => {
          await aDone.promise; // b completes after a, so a's compensation is registered first
          return 'b';
        },
        'do.slow': hangUntilAborted(() => slowAborted.resolve()),
        'undo.it': async (input: string) => input,
        'pay.charge': declined,
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: saga-parallel
        version: 1
        steps:
          - parallel:
              - id: left
                steps:
                  - id: a
                    call: do.a
                    compensate: { call: undo.it, with: a }
                  - id: slow
                    call: do.slow
              - id: right
                steps:
                  - id: b
                    call: do.b
                    compensate: { call: undo.it, with: b }
                  - call: pay.charge
      `);
      await slowAborted.promise;
      expect(result).toMatchObject({ status: 'compensated', error: { type: 'CardDeclined' } });
      expect(h.calls.filter((c) => c.activity === 'undo.it').map((c) => c.input)).toEqual(['b', 'a']);
    });
  });
}
