/** Conformance: `watchHistory` — a run's history entries as they are committed, in order, once each (SPEC §12 events). */
import { describe, expect, it } from 'vitest';
import type { HistoryEntry, RunStatus } from '../../src/interpreter/types.js';
import type { Engine, Unwatch } from '../../src/runtime/engine.js';
import { rejection, waitForHistory, waitUntil, type SuiteContext } from './harness.js';

const WATCHED_FLOW = `
  dsl: flowline/v1
  name: watched
  version: 1
  signals:
    go: {}
  steps:
    - waitSignal: go
    - id: flaky
      call: test.flaky
      retry: { maxAttempts: 3, initialInterval: 1ms, jitter: 0 }
`;

interface Collected {
  readonly entries: HistoryEntry[];
  readonly ended: RunStatus[];
  unwatch: Unwatch;
}

async function collect(engine: Engine, runId: string, fromIndex: number): Promise<Collected> {
  expect(engine.watchHistory, 'the runtime implements watchHistory').toBeTypeOf('function');
  const collected: Collected = { entries: [], ended: [], unwatch: () => undefined };
  collected.unwatch = await engine.watchHistory!(runId, fromIndex, {
    onEntries: (entries) => collected.entries.push(...entries),
    onEnded: (status) => collected.ended.push(status),
  });
  return collected;
}

export function watchCases(ctx: SuiteContext): void {
  describe('watchHistory (SPEC §12 events)', () => {
    it('delivers the backlog, then every committed entry in order without gaps, then the end', async () => {
      let attempts = 0;
      const h = await ctx.setup({
        'test.flaky': async () => {
          if (++attempts === 1) throw new Error('first attempt fails');
          return { ok: true };
        },
      });
      const definition = await h.deploy(WATCHED_FLOW);
      const { runId } = await h.engine.start(definition.name);
      await waitForHistory(h.engine, runId, (e) => e.type === 'RunStarted');
      const first = await collect(h.engine, runId, 0);
      const second = await collect(h.engine, runId, 0);
      await h.engine.signal(runId, 'go');
      await waitUntil(() => first.ended.length > 0 && second.ended.length > 0, 'both watchers are told the run ended');
      const history = await h.engine.history(runId);
      expect(history.some((e) => e.type === 'StepRetried')).toBe(true);
      expect(first.entries).toEqual(history);
      expect(second.entries).toEqual(history);
      expect(first.ended).toEqual(['completed']);
      first.unwatch();
      second.unwatch();
    });

    it('starts from a given index (resume) and tells a watcher of an ended run at once', async () => {
      const h = await ctx.setup({ 'test.flaky': async () => ({ ok: true }) });
      const result = await h.run(WATCHED_FLOW, { signals: [{ name: 'go' }] });
      const history = await h.engine.history(result.runId);
      const resumed = await collect(h.engine, result.runId, 3);
      await waitUntil(() => resumed.ended.length > 0, 'the watcher is told the run ended');
      expect(resumed.entries).toEqual(history.slice(3));
      expect(resumed.ended).toEqual(['completed']);
      resumed.unwatch();
    });

    it('stops calling a watcher once it unwatched', async () => {
      const h = await ctx.setup({ 'test.flaky': async () => ({ ok: true }) });
      const definition = await h.deploy(WATCHED_FLOW);
      const { runId } = await h.engine.start(definition.name);
      await waitForHistory(h.engine, runId, (e) => e.type === 'RunStarted');
      const stopped = await collect(h.engine, runId, 0);
      const kept = await collect(h.engine, runId, 0);
      const seenBefore = stopped.entries.length;
      stopped.unwatch();
      await h.engine.signal(runId, 'go');
      await waitUntil(() => kept.ended.length > 0, 'the remaining watcher is told the run ended');
      expect(stopped.entries).toHaveLength(seenBefore);
      expect(stopped.ended).toEqual([]);
      kept.unwatch();
    });

    it('refuses an unknown run with RunNotFound', async () => {
      const h = await ctx.setup({});
      expect(h.engine.watchHistory).toBeTypeOf('function');
      const refused = await rejection(h.engine.watchHistory!('no-such-run', 0, { onEntries: () => undefined }));
      expect(refused.type).toBe('RunNotFound');
    });
  });
}
