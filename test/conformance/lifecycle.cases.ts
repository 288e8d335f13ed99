/** Conformance: deploy and versions, start, history, describe, list, result, retry, payload limits (SPEC §7, §9). */
import { describe, expect, it } from 'vitest';
import { ActivityError } from '../../src/activities/errors.js';
import { flowName, load, rejection, waitForHistory, type SuiteContext } from './harness.js';

const GATED = (version: number, label: string): string => `
  dsl: flowline/v1
  name: versioned
  version: ${version}
  signals: { go: {} }
  steps:
    - waitSignal: go
  output: ${label}
`;

export function lifecycleCases(ctx: SuiteContext): void {
  describe('lifecycle, versions, history (SPEC §7)', () => {
    it('deploying the same content is a no-op; different content under the same version is refused', async () => {
      const h = await ctx.setup({});
      const first = await load(GATED(1, 'one'));
      expect(await h.engine.deploy(first)).toEqual({ name: first.name, version: 1, created: true });
      expect(await h.engine.deploy(await load(GATED(1, 'one')))).toEqual({ name: first.name, version: 1, created: false });
      const conflict = await rejection(h.engine.deploy(await load(GATED(1, 'changed'))));
      expect(conflict.type).toBe('DefinitionConflict');
    });

    it('a run starts on the latest version unless one is named, and stays pinned to it', async () => {
      const h = await ctx.setup({});
      await h.deploy(GATED(1, 'one'));
      await h.deploy(GATED(2, 'two'));
      const name = flowName('versioned');
      const latest = await h.engine.start(name);
      const named = await h.engine.start(name, { version: 1 });
      await h.deploy(GATED(3, 'three'));
      for (const run of [latest, named]) await h.engine.signal(run.runId, 'go');
      expect(await h.engine.result(latest.runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ output: 'two' });
      expect(await h.engine.result(named.runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ output: 'one' });
      expect((await h.engine.describe(latest.runId)).version).toBe(2);
      expect((await rejection(h.engine.start(name, { version: 9 }))).type).toBe('DefinitionNotFound');
      expect((await rejection(h.engine.start(flowName('never-deployed')))).type).toBe('DefinitionNotFound');
    });

    it('a caller-given run id is used, and starting an id that is running is refused', async () => {
      const h = await ctx.setup({});
      const definition = await h.deploy(GATED(1, 'one'));
      const id = `order-${flowName('x')}-${Math.random().toString(36).slice(2)}`;
      expect(await h.engine.start(definition.name, { id })).toEqual({ runId: id });
      expect((await rejection(h.engine.start(definition.name, { id }))).type).toBe('RunAlreadyExists');
      await h.engine.signal(id, 'go');
      expect((await h.engine.result(id, { wait: true, timeoutMs: 10_000 })).status).toBe('completed');
    });

    it('the input is checked against the schema at start; an invalid input starts nothing', async () => {
      const h = await ctx.setup({});
      const definition = await h.deploy(`
        dsl: flowline/v1
        name: input-checked
        version: 1
        input:
          schema: { type: object, required: [qty], properties: { qty: { type: integer, minimum: 1 } } }
        steps:
          - set: { qty: '\${ $input.qty }' }
      `);
      const refused = await rejection(h.engine.start(definition.name, { input: { qty: 0 } }));
      expect(refused.type).toBe('InputInvalid');
      expect(await h.engine.list({ name: definition.name })).toHaveLength(0);
      const ok = await h.engine.start(definition.name, { input: { qty: 2 } });
      expect(await h.engine.result(ok.runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: { qty: 2 } });
    });

    it('history is ordered, timestamped, readable while running and after the end; describe, list and result agree', async () => {
      const h = await ctx.setup({ 'op.echo': async (input: unknown) => input });
      const definition = await h.deploy(`
        dsl: flowline/v1
        name: history-read
        version: 1
        signals: { go: {} }
        steps:
          - id: echo
            call: op.echo
            with: hi
          - waitSignal: go
      `);
      const { runId } = await h.engine.start(definition.name, { input: { a: 1 } });
      await waitForHistory(h.engine, runId, (e) => e.type === 'ActivityCompleted', 'ActivityCompleted');
      const running = await h.engine.history(runId);
      expect(running[0]?.type).toBe('RunStarted');
      expect(running.map((e) => e.index)).toEqual(running.map((_e, i) => i));
      expect(running.every((e) => typeof e.at === 'number')).toBe(true);
      expect(await h.engine.result(runId)).toEqual({ runId, status: 'running', output: null, error: null });
      expect((await h.engine.list({ name: definition.name, status: 'running' })).map((r) => r.runId)).toEqual([runId]);
      await h.engine.signal(runId, 'go');
      const result = await h.engine.result(runId, { wait: true, timeoutMs: 10_000 });
      expect(result).toEqual({ runId, status: 'completed', output: null, error: null });
      const after = await h.engine.history(runId);
      expect(after.slice(0, running.length)).toEqual(running);
      expect(after.at(-1)?.type).toBe('RunEnded');
      for (let i = 1; i < after.length; i++) expect(after[i]!.at).toBeGreaterThanOrEqual(after[i - 1]!.at);
      const completedEntry = after.find((e) => e.type === 'StepCompleted' && e.stepId === 'echo');
      expect(completedEntry?.path).toBe('/steps/0');
      const described = await h.engine.describe(runId);
      expect(described).toMatchObject({ runId, status: 'completed', name: definition.name, version: 1, parentRunId: null, attempt: 1 });
      expect(Date.parse(described.startedAt)).toBeLessThanOrEqual(Date.parse(described.endedAt ?? ''));
      expect((await h.engine.list({ name: definition.name, status: 'completed' })).map((r) => r.runId)).toEqual([runId]);
      expect(await h.engine.list({ name: definition.name, status: 'running' })).toEqual([]);
      expect((await rejection(h.engine.history('no-such-run'))).type).toBe('RunNotFound');
      expect((await rejection(h.engine.describe('no-such-run'))).type).toBe('RunNotFound');
    });

    it('a failed run is retried from the failed step, keeping completed steps’ outputs', async () => {
      let payCalls = 0;
      const h = await ctx.setup({
        'op.first': async () => ({ id: 'first-output' }),
        'op.pay': async (input: unknown) => {
          payCalls++;
          if (payCalls === 1) throw new ActivityError('Outage', 'down', { nonRetryable: true });
          return input;
        },
      });
      const failed = await h.run(`
        dsl: flowline/v1
        name: retry-run
        version: 1
        steps:
          - id: first
            call: op.first
          - id: pay
            call: op.pay
            with: '\${ $steps.first.id & "/" & $string($workflow.attempt) }'
      `);
      expect(failed).toMatchObject({ status: 'failed', error: { type: 'Outage', step: 'pay' } });
      expect((await rejection(h.engine.retry('no-such-run'))).type).toBe('RunNotFound');
      await h.engine.retry(failed.runId);
      const result = await h.engine.result(failed.runId, { wait: true, timeoutMs: 10_000 });
      expect(result).toMatchObject({ status: 'completed', output: 'first-output/2' });
      expect(h.names()).toEqual(['op.first', 'op.pay', 'op.pay']);
      expect((await h.engine.describe(failed.runId)).attempt).toBe(2);
      expect((await rejection(h.engine.retry(failed.runId))).type).toBe('RunNotActive');
    });

    it('a payload above the limit is refused with a clear error naming it', async () => {
      const big = 'x'.repeat(600 * 1024);
      const h = await ctx.setup({ 'op.big': async () => big });
      const definition = await h.deploy(`
        dsl: flowline/v1
        name: payload-limit
        version: 1
        steps:
          - id: huge
            call: op.big
      `);
      const refused = await rejection(h.engine.start(definition.name, { input: { big } }));
      expect(refused.type).toBe('PayloadTooLarge');
      const { runId } = await h.engine.start(definition.name);
      const result = await h.engine.result(runId, { wait: true, timeoutMs: 10_000 });
      expect(result).toMatchObject({ status: 'failed', error: { type: 'PayloadTooLarge' } });
      expect(result.error?.message).toContain('huge');
    });
  });
}
