/** Conformance: signals, queries, cancellation and termination (SPEC §6). */
import { describe, expect, it } from 'vitest';
import { deferred, flowName, hangUntilAborted, rejection, waitForHistory, waitUntil, type SuiteContext } from './harness.js';

const SIGNAL_FLOW = `
  dsl: flowline/v1
  name: signal-buffer
  version: 1
  signals:
    go: {}
    item: { schema: { type: object, required: [n], properties: { n: { type: integer } } } }
  queries:
    seen: \${ $vars.seen }
  steps:
    - set: { seen: 0 }
    - waitSignal: go
    - id: first
      waitSignal: item
      assign: { seen: 1 }
    - id: second
      waitSignal: item
      assign: { seen: 2 }
  output: '\${ [$steps.first.n, $steps.second.n] }'
`;

export function signalCases(ctx: SuiteContext): void {
  describe('signals, queries, cancellation (SPEC §6)', () => {
    it('signals that arrive before their waitSignal are buffered in order; each waitSignal takes the oldest', async () => {
      const h = await ctx.setup({});
      const result = await h.run(SIGNAL_FLOW, {
        signals: [
          { name: 'item', data: { n: 1 } },
          { name: 'item', data: { n: 2 } },
          { name: 'go' },
        ],
      });
      expect(result).toMatchObject({ status: 'completed', output: [1, 2] });
      const received = (await h.engine.history(result.runId)).filter((e) => e.type === 'SignalReceived');
      expect(received).toHaveLength(3);
    });

    it('refuses an undeclared signal or an invalid payload, storing nothing', async () => {
      const h = await ctx.setup({});
      const definition = await h.deploy(SIGNAL_FLOW);
      const { runId } = await h.engine.start(definition.name);
      await waitForHistory(h.engine, runId, (e) => e.type === 'RunStarted');
      const before = await h.engine.history(runId);
      const undeclared = await rejection(h.engine.signal(runId, 'nope', {}));
      expect(undeclared.type).toBe('SignalNotDeclared');
      expect(undeclared.message).toContain('nope');
      const invalid = await rejection(h.engine.signal(runId, 'item', { n: 'one' }));
      expect(invalid.type).toBe('SignalPayloadInvalid');
      expect(await h.engine.history(runId)).toEqual(before);
      // The refused payload was not buffered: the next valid ones are the ones consumed.
      await h.engine.signal(runId, 'item', { n: 5 });
      await h.engine.signal(runId, 'item', { n: 6 });
      await h.engine.signal(runId, 'go');
      expect(await h.engine.result(runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ output: [5, 6] });
    });

    it('refuses a signal to a finished run or an unknown run', async () => {
      const h = await ctx.setup({});
      const done = await h.run(SIGNAL_FLOW, {
        signals: [{ name: 'go' }, { name: 'item', data: { n: 1 } }, { name: 'item', data: { n: 2 } }],
      });
      expect(done.status).toBe('completed');
      const length = (await h.engine.history(done.runId)).length;
      expect((await rejection(h.engine.signal(done.runId, 'go'))).type).toBe('RunNotActive');
      expect((await h.engine.history(done.runId)).length).toBe(length);
      expect((await rejection(h.engine.signal('no-such-run', 'go'))).type).toBe('RunNotFound');
    });

    it('a signal re-sent with the same signalId is applied once', async () => {
      const h = await ctx.setup({});
      const definition = await h.deploy(SIGNAL_FLOW);
      const { runId } = await h.engine.start(definition.name);
      await h.engine.signal(runId, 'item', { n: 1 }, { signalId: 's-1' });
      await h.engine.signal(runId, 'item', { n: 1 }, { signalId: 's-1' });
      await h.engine.signal(runId, 'item', { n: 2 }, { signalId: 's-2' });
      await h.engine.signal(runId, 'go');
      expect(await h.engine.result(runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ output: [1, 2] });
    });

    it('waitSignal with a timeout fails with SignalTimeout when nothing arrives (catchable)', async () => {
      const h = await ctx.setup({});
      const result = await h.run(`
        dsl: flowline/v1
        name: signal-timeout
        version: 1
        signals: { approve: {} }
        steps:
          - id: approval
            waitSignal: approve
            timeout: 100ms
      `);
      expect(result).toMatchObject({ status: 'failed', error: { type: 'SignalTimeout', step: 'approval' } });
      const caught = await h.run(`
        dsl: flowline/v1
        name: signal-timeout-caught
        version: 1
        signals: { approve: {} }
        steps:
          - waitSignal: approve
            timeout: 100ms
            catch:
              - errors: [SignalTimeout]
                steps:
                  - set: { approved: false }
      `);
      expect(caught).toMatchObject({ status: 'completed', output: { approved: false } });
    });

    it('queries evaluate against the current state in any status and never change the run', async () => {
      const h = await ctx.setup({});
      const definition = await h.deploy(SIGNAL_FLOW);
      const { runId } = await h.engine.start(definition.name);
      await h.engine.signal(runId, 'go');
      await h.engine.signal(runId, 'item', { n: 1 });
      await waitUntil(async () => (await h.engine.query(runId, 'seen')) === 1, 'query seen = 1');
      const before = await h.engine.history(runId);
      const describedBefore = await h.engine.describe(runId);
      expect(await h.engine.query(runId, 'seen')).toBe(1);
      expect(await h.engine.query(runId, 'seen')).toBe(1);
      expect(await h.engine.history(runId)).toEqual(before);
      expect(await h.engine.describe(runId)).toEqual(describedBefore);
      expect((await rejection(h.engine.query(runId, 'nope'))).type).toBe('QueryNotFound');
      await h.engine.signal(runId, 'item', { n: 2 });
      expect((await h.engine.result(runId, { wait: true, timeoutMs: 10_000 })).status).toBe('completed');
      expect(await h.engine.query(runId, 'seen')).toBe(2);
    });

    it('cancel raises running activities’ AbortSignals, runs compensations, and ends cancelled', async () => {
      const aborted = deferred<unknown>();
      const h = await ctx.setup({
        'do.it': async () => 'reserved',
        'undo.it': async (input: unknown) => input,
        'do.hang': hangUntilAborted((reason) => aborted.resolve(reason)),
      });
      const definition = await h.deploy(`
        dsl: flowline/v1
        name: cancel-run
        version: 1
        steps:
          - id: reserve
            call: do.it
            compensate: { call: undo.it, with: '\${ $output & "/" & $error.type }' }
          - id: hang
            call: do.hang
      `);
      const { runId } = await h.engine.start(definition.name);
      await waitUntil(() => h.names().includes('do.hang'), 'do.hang started');
      await h.engine.cancel(runId, 'changed my mind');
      const result = await h.engine.result(runId, { wait: true, timeoutMs: 10_000 });
      await aborted.promise;
      expect(result.status).toBe('cancelled');
      expect(result.error?.type).toBe('Cancelled');
      expect(h.calls.filter((c) => c.activity === 'undo.it').map((c) => c.input)).toEqual(['reserved/Cancelled']);
      expect((await rejection(h.engine.cancel(runId))).type).toBe('RunNotActive');
    });

    it('terminate stops a run at once, without compensation', async () => {
      const h = await ctx.setup({
        'do.it': async () => 'reserved',
        'undo.it': async () => 'undone',
        'do.hang': hangUntilAborted(),
      });
      const definition = await h.deploy(`
        dsl: flowline/v1
        name: terminate-run
        version: 1
        steps:
          - call: do.it
            compensate: { call: undo.it }
          - call: do.hang
      `);
      const { runId } = await h.engine.start(definition.name);
      await waitUntil(() => h.names().includes('do.hang'), 'do.hang started');
      await h.engine.terminate(runId, 'operator');
      const result = await h.engine.result(runId, { wait: true, timeoutMs: 10_000 });
      expect(result.status).toBe('terminated');
      expect(h.names()).not.toContain('undo.it');
      expect((await h.engine.history(runId)).at(-1)?.type).toBe('RunEnded');
      expect((await rejection(h.engine.terminate(runId))).type).toBe('RunNotActive');
      expect((await rejection(h.engine.cancel('no-such-run'))).type).toBe('RunNotFound');
      expect(flowName('terminate-run')).toBe(definition.name);
    });
  });
}
