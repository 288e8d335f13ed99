/**
 * Conformance: the same words and the same bounds on every runtime. These cases would have caught
 * the drift between the runtimes' copies of the same logic (issue 12): an oversized activity
 * output, a child that ends without an error, a runaway query.
 */
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './harness.js';

export function driftCases(ctx: SuiteContext): void {
  describe('one message and one bound on every runtime', () => {
    it('an activity output above the payload limit fails its step with the same PayloadTooLarge message', async () => {
      const h = await ctx.setup({ 'data.huge': async () => 'x'.repeat(600 * 1024) });
      const result = await h.run(`
        dsl: flowline/v1
        name: drift-huge
        version: 1
        steps:
          - id: big
            call: data.huge
      `);
      expect(result.status).toBe('failed');
      expect(result.error?.type).toBe('PayloadTooLarge');
      expect(result.error?.message).toMatch(
        /^the output of step "big" is \d+ bytes, above the limit of 524288 bytes; store large data elsewhere and return a reference$/,
      );
    });

    it('a child that fails is reported to its parent as ChildFailed carrying the child\'s own error', async () => {
      const h = await ctx.setup({});
      await h.deploy(`
        dsl: flowline/v1
        name: drift-child
        version: 1
        steps:
          - fail: { error: Broken, message: the child broke }
      `);
      const result = await h.run(`
        dsl: flowline/v1
        name: drift-parent
        version: 1
        steps:
          - id: child
            workflow: drift-child
      `);
      expect(result.status).toBe('failed');
      expect(result.error).toMatchObject({ type: 'ChildFailed', step: 'child' });
      expect(JSON.stringify(result.error?.details)).toContain('the child broke');
    });

    it('a runaway query is stopped by the expression time bound', async () => {
      const h = await ctx.setup({});
      const definition = await h.deploy(`
        dsl: flowline/v1
        name: drift-query
        version: 1
        signals:
          go: {}
        queries:
          spin: '\${ ($f := function($i){ $i > 1000000000 ? $i : $f($i + 1) }; $f(0)) }'
        steps:
          - waitSignal: go
      `);
      const { runId } = await h.engine.start(definition.name, { version: definition.version });
      await expect(h.engine.query(runId, 'spin')).rejects.toThrow();
      const failure = await h.engine.query(runId, 'spin').catch((error: unknown) => error as { type?: string; message?: string });
      expect(['ExpressionTimeout', 'ExpressionError']).toContain((failure as { type?: string }).type);
      await h.engine.signal(runId, 'go');
      expect((await h.engine.result(runId, { wait: true, timeoutMs: 10_000 })).status).toBe('completed');
    });
  });
}
