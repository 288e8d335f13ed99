/** Conformance: `continueAsNew` starts the flow again under the same run id, with fresh history (decision 0014). */
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/interpreter/types.js';
import { waitForHistory, waitUntil, type SuiteContext } from './harness.js';

const COUNTER_FLOW = `
  dsl: flowline/v1
  name: counter-generations
  version: 1
  input:
    schema: { type: object, required: [n], properties: { n: { type: integer } } }
  steps:
    - id: tick
      call: work.tick
      with:
        n: \${ $input.n }
    - if: \${ $input.n < 3 }
      continueAsNew:
        input:
          n: \${ $input.n + 1 }
  output: '\${ { "n": $input.n, "tick": $steps.tick } }'
`;

const SIGNAL_FLOW = `
  dsl: flowline/v1
  name: carried-signals
  version: 1
  signals:
    go: {}
    item: { schema: { type: object, required: [v], properties: { v: { type: string } } } }
  steps:
    - switch:
        - when: \${ $input.generation = 1 }
          steps:
            - waitSignal: go
            - continueAsNew:
                input: { generation: 2 }
    - id: item
      waitSignal: item
  output: \${ $steps.item.v }
`;

const CANCEL_FLOW = `
  dsl: flowline/v1
  name: cancel-later-generation
  version: 1
  signals:
    never: {}
  steps:
    - id: reserve
      call: stock.reserve
      with:
        generation: \${ $input.generation }
      compensate:
        call: stock.release
        with:
          id: \${ $output.id }
    - if: \${ $input.generation = 1 }
      continueAsNew:
        input: { generation: 2 }
    - waitSignal: never
`;

export function continueAsNewCases(ctx: SuiteContext): void {
  describe('continueAsNew (decision 0014)', () => {
    it('continues with the new input under the same run id; the output is the final generation\'s', async () => {
      const h = await ctx.setup({ 'work.tick': async (input) => `tick ${(input as { n: number }).n}` });
      const result = await h.run(COUNTER_FLOW, { input: { n: 1 }, id: `counter-${Date.now()}` });
      expect(result).toMatchObject({ status: 'completed', output: { n: 3, tick: 'tick 3' } });
      expect(h.calls.map((c) => c.input)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(new Set(h.calls.map((c) => c.runId))).toEqual(new Set([result.runId]));
      // Every generation's attempt gets its own idempotency key.
      expect(new Set(h.calls.map((c) => c.idempotencyKey)).size).toBe(3);
      const described = await h.engine.describe(result.runId);
      expect(described.generation).toBe(3);
      expect(described.continuedFrom.map((g) => g.generation)).toEqual([1, 2]);
      expect(described.continuedFrom.every((g) => g.historyLength > 0 && g.continuedAt >= g.startedAt)).toBe(true);
    });

    it('history holds only the current generation, opening with where it continued from', async () => {
      const h = await ctx.setup({ 'work.tick': async () => 'ok' });
      const result = await h.run(COUNTER_FLOW, { input: { n: 1 } });
      const history = await h.engine.history(result.runId);
      expect(history[0]).toMatchObject({ index: 0, type: 'RunStarted', details: { generation: 3, continuedFrom: { generation: 2 } } });
      expect(history.map((e) => e.index)).toEqual(history.map((_e, i) => i));
      expect(history.filter((e) => e.type === 'RunStarted')).toHaveLength(1);
      expect(history.filter((e) => e.type === 'ActivityCompleted')).toHaveLength(1);
      expect((await h.engine.describe(result.runId)).historyLength).toBe(history.length);
    });

    it('signals received and not yet taken are carried into the next generation', async () => {
      const h = await ctx.setup({});
      const result = await h.run(SIGNAL_FLOW, {
        input: { generation: 1 },
        signals: [
          { name: 'item', data: { v: 'sent in generation 1' } },
          { name: 'go' },
        ],
      });
      expect(result).toMatchObject({ status: 'completed', output: 'sent in generation 1' });
      const history = await h.engine.history(result.runId);
      expect(history[0]).toMatchObject({ type: 'RunStarted', details: { generation: 2 } });
      expect(history.some((e) => e.type === 'SignalConsumed' && e.details?.['signal'] === 'item')).toBe(true);
    });

    it('a history watcher is given the new generation from its entry 0 when the run continues as new', async () => {
      const h = await ctx.setup({});
      const definition = await h.deploy(SIGNAL_FLOW);
      const { runId } = await h.engine.start(definition.name, { input: { generation: 1 } });
      await waitForHistory(h.engine, runId, (e) => e.type === 'RunStarted');
      const received: HistoryEntry[] = [];
      const ended: string[] = [];
      const unwatch = await h.engine.watchHistory!(runId, 0, { onEntries: (entries) => received.push(...entries), onEnded: (status) => ended.push(status) });
      try {
        await h.engine.signal(runId, 'go');
        await waitForHistory(h.engine, runId, (e) => e.type === 'RunStarted' && e.details?.['generation'] === 2, 'generation 2');
        await h.engine.signal(runId, 'item', { v: 'x' });
        await waitUntil(() => ended.length > 0, 'the watcher is told the run ended');
        const restart = received.map((e) => e.index).lastIndexOf(0);
        expect(restart).toBeGreaterThan(0);
        expect(received.slice(restart)).toEqual(await h.engine.history(runId));
        expect(received.slice(0, restart).every((e) => e.type !== 'RunStarted' || e.details === undefined)).toBe(true);
      } finally {
        unwatch();
      }
    });

    it('a next input that does not match the input schema fails the step with InputInvalid', async () => {
      const h = await ctx.setup({ 'work.tick': async () => 'ok' });
      const bad = COUNTER_FLOW.replace('n: ${ $input.n + 1 }', "n: 'three'");
      const result = await h.run(bad, { input: { n: 1 } });
      expect(result.status).toBe('failed');
      expect(result.error).toMatchObject({ type: 'InputInvalid' });
      expect((await h.engine.describe(result.runId)).generation).toBe(1);
    });

    it('cancelling during a later generation compensates that generation\'s work', async () => {
      const h = await ctx.setup({
        'stock.reserve': async (input) => ({ id: `r${(input as { generation: number }).generation}` }),
        'stock.release': async (input) => input,
      });
      const definition = await h.deploy(CANCEL_FLOW);
      const { runId } = await h.engine.start(definition.name, { input: { generation: 1 } });
      await waitForHistory(h.engine, runId, (e) => e.type === 'RunStarted' && e.details?.['generation'] === 2, 'generation 2');
      await waitForHistory(h.engine, runId, (e) => e.type === 'StepCompleted' && e.stepId === 'reserve', 'reserve done in generation 2');
      await h.engine.cancel(runId, 'enough');
      const result = await h.engine.result(runId, { wait: true, timeoutMs: 10_000 });
      expect(result.status).toBe('cancelled');
      expect(h.names()).toEqual(['stock.reserve', 'stock.reserve', 'stock.release']);
      expect(h.calls[2]!.input).toEqual({ id: 'r2' });
      expect((await h.engine.describe(runId)).generation).toBe(2);
    });
  });
}
