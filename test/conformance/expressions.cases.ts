/** Conformance: expressions and their bindings (SPEC §2). */
import { describe, expect, it } from 'vitest';
import { flowName, type SuiteContext } from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function expressionCases(ctx: SuiteContext): void {
  describe('expressions (SPEC §2)', () => {
    it('$now(), $millis() and $uuid() give the decision time and distinct UUIDs; $workflow describes the run', async () => {
      const h = await ctx.setup({});
      const result = await h.run(
        `
        dsl: flowline/v1
        name: expr-builtins
        version: 2
        steps:
          - set:
              now: \${ $now() }
              millis: \${ $millis() }
              u1: \${ $uuid() }
              u2: \${ $uuid() }
              wf: \${ $workflow }
        `,
        { id: `expr-builtins-${Date.now()}` },
      );
      expect(result.status).toBe('completed');
      const out = result.output as { now: string; millis: number; u1: string; u2: string; wf: Record<string, unknown> };
      const described = await h.engine.describe(result.runId);
      const started = Date.parse(described.startedAt);
      const ended = Date.parse(described.endedAt ?? '');
      expect(Date.parse(out.now)).toBeGreaterThanOrEqual(started);
      expect(Date.parse(out.now)).toBeLessThanOrEqual(ended);
      expect(out.millis).toBeGreaterThanOrEqual(started);
      expect(out.millis).toBeLessThanOrEqual(ended);
      expect(out.u1).toMatch(UUID);
      expect(out.u2).toMatch(UUID);
      expect(out.u1).not.toBe(out.u2);
      expect(out.wf).toMatchObject({ id: result.runId, name: flowName('expr-builtins'), version: 2, attempt: 1 });
    });

    it('templates stringify each expression in place; a lone expression keeps its type', async () => {
      const h = await ctx.setup({ 'op.echo': async (input: unknown) => input });
      const result = await h.run(
        `
        dsl: flowline/v1
        name: expr-templates
        version: 1
        steps:
          - call: op.echo
            with:
              greeting: 'Hello \${ $input.name }, you are \${ $input.age }'
              age: \${ $input.age }
              list: ['\${ $input.age + 1 }', plain]
        `,
        { input: { name: 'Ann', age: 41 } },
      );
      expect(result.output).toEqual({ greeting: 'Hello Ann, you are 41', age: 41, list: [42, 'plain'] });
    });

    it('a failing expression fails its step with ExpressionError, which catch can handle', async () => {
      const h = await ctx.setup({});
      const failed = await h.run(`
        dsl: flowline/v1
        name: expr-error
        version: 1
        steps:
          - id: bad
            set: { x: '\${ "a" + 1 }' }
      `);
      expect(failed).toMatchObject({ status: 'failed', error: { type: 'ExpressionError', step: 'bad' } });
      const caught = await h.run(`
        dsl: flowline/v1
        name: expr-error-caught
        version: 1
        steps:
          - try:
              - set: { x: '\${ "a" + 1 }' }
            catch:
              - errors: [ExpressionError]
                steps:
                  - set: { recovered: true }
      `);
      expect(caught).toMatchObject({ status: 'completed', output: { recovered: true } });
    });

    it('a runaway expression fails with ExpressionTimeout; a runaway recursion is stopped by the depth bound', async () => {
      const h = await ctx.setup({});
      const loop = await h.run(`
        dsl: flowline/v1
        name: expr-timeout
        version: 1
        steps:
          - id: spin
            set:
              x: '\${ ($f := function($i){ $i > 1000000000 ? $i : $f($i + 1) }; $f(0)) }'
      `);
      expect(loop).toMatchObject({ status: 'failed', error: { type: 'ExpressionTimeout', step: 'spin' } });
      const deep = await h.run(`
        dsl: flowline/v1
        name: expr-depth
        version: 1
        steps:
          - id: dive
            set:
              x: '\${ ($f := function($i){ $f($i + 1) + 1 }; $f(0)) }'
      `);
      expect(deep.status).toBe('failed');
      // Either bound may stop it first: the depth bound (deterministic) or, on a loaded machine,
      // the time bound. The after-test strict replay is deterministic either way: a recorded
      // ExpressionTimeout is taken from history rather than evaluated again, and a recorded depth
      // error is evaluated again and found again (src/interpreter/recorded-timeouts.ts).
      expect(['ExpressionError', 'ExpressionTimeout']).toContain(deep.error?.type);
      // The engine is still healthy.
      expect((await h.run(`
        dsl: flowline/v1
        name: expr-after
        version: 1
        steps:
          - set: { ok: true }
      `)).status).toBe('completed');
    });

    it('expressions cannot reach the environment or the process', async () => {
      const h = await ctx.setup({});
      const result = await h.run(`
        dsl: flowline/v1
        name: expr-sandbox
        version: 1
        steps:
          - set:
              env: \${ $string($env) }
              proc: \${ $string($process) }
      `);
      expect(result.status).toBe('completed');
      expect(JSON.stringify(result.output)).not.toContain(process.env.PATH ?? '/usr/bin');
    });
  });
}
