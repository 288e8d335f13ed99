/** Conformance: every step kind of SPEC §3 and the common keys. */
import { describe, expect, it } from 'vitest';
import { deferred, hangUntilAborted, type SuiteContext } from './harness.js';

export function stepCases(ctx: SuiteContext): void {
  describe('steps (SPEC §3)', () => {
    it('call: runs activities in sequence with `with` evaluated, $steps by id, and the run output', async () => {
      const h = await ctx.setup({
        'math.double': async (input: { n: number }) => ({ value: input.n * 2 }),
        'math.add': async (input: { a: number; b: number }) => input.a + input.b,
      });
      const result = await h.run(
        `
        dsl: flowline/v1
        name: call-sequence
        version: 1
        steps:
          - id: double
            call: math.double
            with: { n: '\${ $input.n }' }
          - id: add
            call: math.add
            with:
              a: \${ $steps.double.value }
              b: 1
        output: '\${ {"sum": $steps.add, "doubled": $steps.double.value} }'
        `,
        { input: { n: 20 } },
      );
      expect(result).toMatchObject({ status: 'completed', output: { sum: 41, doubled: 40 }, error: null });
      expect(h.calls.map((c) => [c.activity, c.input])).toEqual([
        ['math.double', { n: 20 }],
        ['math.add', { a: 40, b: 1 }],
      ]);
    });

    it('without `output` the run output is the last top-level step output; a group outputs its last inner step', async () => {
      const h = await ctx.setup({ 'echo.it': async (input: unknown) => input });
      const result = await h.run(`
        dsl: flowline/v1
        name: group-output
        version: 1
        steps:
          - id: group
            steps:
              - call: echo.it
                with: first
              - call: echo.it
                with: second
      `);
      expect(result).toMatchObject({ status: 'completed', output: 'second' });
      expect(h.names()).toEqual(['echo.it', 'echo.it']);
    });

    it('parallel (all): branches run concurrently; output keyed by branch id', async () => {
      const bStarted = deferred();
      const h = await ctx.setup({
        'branch.a': async () => {
          await bStarted.promise; // only finishes if b runs at the same time
          return 'A';
        },
        'branch.b': async () => {
          bStarted.resolve();
          return 'B';
        },
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: parallel-all
        version: 1
        steps:
          - id: both
            parallel:
              - id: a
                call: branch.a
              - id: b
                call: branch.b
      `);
      expect(result).toMatchObject({ status: 'completed', output: { a: 'A', b: 'B' } });
    });

    it('parallel (any): the first branch to finish wins; the others are cancelled with their AbortSignal raised', async () => {
      const aborted = deferred<unknown>();
      const h = await ctx.setup({
        'race.fast': async () => 'fast',
        'race.slow': hangUntilAborted((reason) => aborted.resolve(reason)),
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: parallel-any
        version: 1
        steps:
          - id: race
            completion: any
            parallel:
              - id: slow
                call: race.slow
              - id: fast
                call: race.fast
      `);
      expect(result).toMatchObject({ status: 'completed', output: 'fast' });
      await aborted.promise; // the losing handler saw its AbortSignal
      expect(h.names()).toContain('race.slow');
    });

    it('forEach: outputs in input order with concurrency, $item/$index and per-iteration $steps', async () => {
      const secondDone = deferred();
      const h = await ctx.setup({
        'item.work': async (input: { item: string; index: number }) => {
          if (input.index === 0) await secondDone.promise; // finishes after item 1 does
          if (input.index === 1) secondDone.resolve();
          return input.item.toUpperCase();
        },
      });
      const result = await h.run(
        `
        dsl: flowline/v1
        name: foreach-order
        version: 1
        steps:
          - id: each
            forEach: \${ $input.items }
            concurrency: 2
            steps:
              - id: work
                call: item.work
                with: { item: '\${ $item }', index: '\${ $index }' }
              - set:
                  last: \${ $steps.work & "@" & $string($index) }
        `,
        { input: { items: ['a', 'b', 'c'] } },
      );
      expect(result.status).toBe('completed');
      expect(result.output).toEqual([{ last: 'A@0' }, { last: 'B@1' }, { last: 'C@2' }]);
    });

    it('forEach: runs one at a time by default; `as`/`indexAs` rename the bindings', async () => {
      let running = 0;
      let most = 0;
      const h = await ctx.setup({
        'item.slow': async (input: unknown) => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
          return input;
        },
      });
      const result = await h.run(
        `
        dsl: flowline/v1
        name: foreach-sequential
        version: 1
        steps:
          - forEach: \${ $input }
            as: order
            indexAs: i
            steps:
              - call: item.slow
                with: '\${ $order.id & "#" & $string($i) }'
        `,
        { input: [{ id: 'x' }, { id: 'y' }, { id: 'z' }] },
      );
      expect(result).toMatchObject({ status: 'completed', output: ['x#0', 'y#1', 'z#2'] });
      expect(most).toBe(1);
    });

    it('forEach over an empty array outputs []', async () => {
      const h = await ctx.setup({ 'never.called': async () => 1 });
      const result = await h.run(
        `
        dsl: flowline/v1
        name: foreach-empty
        version: 1
        steps:
          - forEach: \${ $input.items }
            steps:
              - call: never.called
        `,
        { input: { items: [] } },
      );
      expect(result).toMatchObject({ status: 'completed', output: [] });
      expect(h.calls).toHaveLength(0);
    });

    it('switch: runs the first case whose `when` is truthy, else default; outputs that case', async () => {
      const h = await ctx.setup({ 'route.it': async (input: unknown) => input });
      const yaml = `
        dsl: flowline/v1
        name: switch-cases
        version: 1
        steps:
          - switch:
              - when: \${ $input.n > 10 }
                steps:
                  - call: route.it
                    with: big
              - when: \${ $input.n > 5 }
                steps:
                  - call: route.it
                    with: medium
              - default:
                  - call: route.it
                    with: small
      `;
      expect((await h.run(yaml, { input: { n: 50 } })).output).toBe('big');
      expect((await h.run(yaml, { input: { n: 7 } })).output).toBe('medium');
      expect((await h.run(yaml, { input: { n: 1 } })).output).toBe('small');
      expect(h.calls.map((c) => c.input)).toEqual(['big', 'medium', 'small']);
    });

    it('repeat: a do-while loop checked after each pass, bounded by max; outputs the last pass', async () => {
      const h = await ctx.setup({ 'count.up': async (input: { n: number }) => input.n + 1 });
      const result = await h.run(`
        dsl: flowline/v1
        name: repeat-until
        version: 1
        steps:
          - set: { n: 0 }
          - id: loop
            repeat:
              until: \${ $vars.n >= 3 }
              max: 10
              steps:
                - id: inc
                  call: count.up
                  with: { n: '\${ $vars.n }' }
                  assign: { n: '\${ $output }' }
        output: '\${ {"n": $vars.n, "last": $steps.loop} }'
      `);
      expect(result).toMatchObject({ status: 'completed', output: { n: 3, last: 3 } });
      expect(h.calls).toHaveLength(3);
    });

    it('repeat: `max` ends the loop even when `until` never holds', async () => {
      const h = await ctx.setup({ 'count.tick': async () => 'tick' });
      const result = await h.run(`
        dsl: flowline/v1
        name: repeat-max
        version: 1
        steps:
          - repeat:
              until: \${ false }
              max: 4
              steps:
                - call: count.tick
      `);
      expect(result.status).toBe('completed');
      expect(h.calls).toHaveLength(4);
    });

    it('wait: a duration or an instant; outputs null and records the timer in history', async () => {
      const h = await ctx.setup({});
      const result = await h.run(`
        dsl: flowline/v1
        name: wait-timers
        version: 1
        steps:
          - id: pause
            wait: 100ms
          - id: until
            wait:
              until: \${ $fromMillis($millis() + 100) }
        output: '\${ [$steps.pause, $steps.until] }'
      `);
      expect(result).toMatchObject({ status: 'completed', output: [null, null] });
      const history = await h.engine.history(result.runId);
      expect(history.filter((e) => e.type === 'TimerFired')).toHaveLength(2);
    });

    it('waitSignal: outputs the signal payload', async () => {
      const h = await ctx.setup({});
      const result = await h.run(
        `
        dsl: flowline/v1
        name: wait-signal
        version: 1
        signals:
          approve: { schema: { type: object, required: [by], properties: { by: { type: string } } } }
        steps:
          - id: approval
            waitSignal: approve
        output: '\${ $steps.approval.by }'
        `,
        { signals: [{ name: 'approve', data: { by: 'ann' } }] },
      );
      expect(result).toMatchObject({ status: 'completed', output: 'ann' });
    });

    it('set writes variables and outputs the written map; assign writes from $output', async () => {
      const h = await ctx.setup({ 'price.get': async () => ({ amount: 12 }) });
      const result = await h.run(`
        dsl: flowline/v1
        name: set-assign
        version: 1
        steps:
          - id: written
            set:
              status: started
              count: \${ 1 + 1 }
          - call: price.get
            assign:
              price: \${ $output.amount }
        output: '\${ {"vars": $vars, "written": $steps.written} }'
      `);
      expect(result).toMatchObject({
        status: 'completed',
        output: { vars: { status: 'started', count: 2, price: 12 }, written: { status: 'started', count: 2 } },
      });
      expect((await h.engine.describe(result.runId)).vars).toEqual({ status: 'started', count: 2, price: 12 });
    });

    it('if: a falsy condition skips the step (output null, nothing called)', async () => {
      const h = await ctx.setup({ 'maybe.call': async () => 'called' });
      const result = await h.run(
        `
        dsl: flowline/v1
        name: if-skip
        version: 1
        steps:
          - id: skipped
            if: \${ $input.go }
            call: maybe.call
          - id: taken
            if: \${ $not($input.go) }
            call: maybe.call
        output: '\${ {"skipped": $steps.skipped, "taken": $steps.taken} }'
        `,
        { input: { go: false } },
      );
      expect(result).toMatchObject({ status: 'completed', output: { skipped: null, taken: 'called' } });
      expect(h.calls).toHaveLength(1);
    });

    it('try/catch: the first clause listing the error type handles it, with $error bound', async () => {
      const h = await ctx.setup({
        'pay.charge': async () => {
          throw Object.assign(new Error('card declined'), { name: 'CardDeclined' });
        },
        'pay.recover': async (input: unknown) => input,
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: try-catch
        version: 1
        steps:
          - id: guarded
            try:
              - id: charge
                call: pay.charge
            catch:
              - errors: [Timeout]
                steps:
                  - call: pay.recover
                    with: timeout
              - errors: [CardDeclined]
                steps:
                  - call: pay.recover
                    with: '\${ $error.type & "|" & $error.message & "|" & $error.step }'
      `);
      expect(result).toMatchObject({ status: 'completed', output: 'CardDeclined|card declined|charge' });
    });

    it('try/catch: a clause without `errors` catches anything; an unmatched type propagates', async () => {
      const h = await ctx.setup({
        'op.fail': async () => {
          throw Object.assign(new Error('nope'), { name: 'Odd' });
        },
      });
      const any = await h.run(`
        dsl: flowline/v1
        name: catch-any
        version: 1
        steps:
          - try:
              - call: op.fail
            catch:
              - steps:
                  - set: { caught: '\${ $error.type }' }
      `);
      expect(any).toMatchObject({ status: 'completed', output: { caught: 'Odd' } });
      const unmatched = await h.run(`
        dsl: flowline/v1
        name: catch-unmatched
        version: 1
        steps:
          - try:
              - id: failing
                call: op.fail
            catch:
              - errors: [Other]
                steps:
                  - set: { caught: true }
      `);
      expect(unmatched).toMatchObject({ status: 'failed', error: { type: 'Odd', message: 'nope', step: 'failing' } });
    });

    it('catch as a common key on one step', async () => {
      const h = await ctx.setup({
        'op.fail': async () => {
          throw Object.assign(new Error('gone'), { name: 'NotFound' });
        },
      });
      const result = await h.run(`
        dsl: flowline/v1
        name: step-catch
        version: 1
        steps:
          - id: lookup
            call: op.fail
            catch:
              - errors: [NotFound]
                steps:
                  - set: { found: false }
      `);
      expect(result).toMatchObject({ status: 'completed', output: { found: false } });
    });

    it('fail: raises a typed error with message and details', async () => {
      const h = await ctx.setup({ 'never.called': async () => 1 });
      const result = await h.run(
        `
        dsl: flowline/v1
        name: fail-step
        version: 1
        steps:
          - id: reject
            fail:
              error: OrderRejected
              message: 'order \${ $input.id } rejected'
              details: { id: '\${ $input.id }' }
          - call: never.called
        `,
        { input: { id: 'o-7' } },
      );
      expect(result).toMatchObject({
        status: 'failed',
        output: null,
        error: { type: 'OrderRejected', message: 'order o-7 rejected', step: 'reject', details: { id: 'o-7' } },
      });
      expect(h.calls).toHaveLength(0);
    });

    it('return: ends the run successfully with its value; later steps do not run', async () => {
      const h = await ctx.setup({ 'never.called': async () => 1 });
      const result = await h.run(
        `
        dsl: flowline/v1
        name: return-early
        version: 1
        steps:
          - if: \${ $input.early }
            steps:
              - return: '\${ {"early": true, "n": $input.n} }'
          - call: never.called
        output: ignored
        `,
        { input: { early: true, n: 3 } },
      );
      expect(result).toMatchObject({ status: 'completed', output: { early: true, n: 3 } });
      expect(h.calls).toHaveLength(0);
    });
  });
}
