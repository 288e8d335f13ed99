/**
 * A finished run is kept packed (run-record.ts) and read back on demand: what history, describe,
 * result, inspect and watchHistory answer must be exactly what the live run held, and the retention sweep must drop only expired runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedEngine, ManualClock, type EmbeddedEngine } from '../../../src/runtime/memory/index.js';
import type { HistoryEntry } from '../../../src/interpreter/types.js';
import { call, definition, waitSignal } from './definitions.js';

const engines: EmbeddedEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

const HOUR = 3_600_000;

describe('finished runs (packed)', () => {
  it('history, describe, result and inspect read back exactly what the live run held', async () => {
    const e = createEmbeddedEngine({ activities: { 'odd.values': () => ({ n: 1, nested: { list: [1, null, 'x'] }, none: null }) } });
    engines.push(e);
    const flow = definition('odd', [waitSignal(0, 'go', HOUR), call(1, 'odd.values')], { signals: { go: {} } });
    await e.deploy(flow);
    const { runId } = await e.start('odd');
    const live: HistoryEntry[] = [];
    await e.watchHistory(runId, 0, { onEntries: (entries) => live.push(...entries) });
    const running = e.inspect(runId);
    await e.signal(runId, 'go', { n: 1 });
    const result = await e.result(runId, { wait: true });
    expect(result).toStrictEqual({ runId, status: 'completed', output: { n: 1, nested: { list: [1, null, 'x'] }, none: null }, error: null });
    expect(await e.result(runId)).toStrictEqual(result);

    const history = await e.history(runId);
    expect(history).toStrictEqual(live);
    expect(history.length).toBeGreaterThan(running.history.length);
    // Each read is a copy: changing one cannot change the run.
    (history[0] as { type: string }).type = 'Changed';
    expect((await e.history(runId))[0]!.type).toBe('RunStarted');

    const ended = e.inspect(runId);
    expect(ended.state.status).toBe('completed');
    expect(ended.state.revision).toBeGreaterThan(running.state.revision);
    expect(ended.history).toStrictEqual(live);
    expect((await e.describe(runId)).status).toBe('completed');

    const replayed: HistoryEntry[] = [];
    let endedWith: string | undefined;
    await e.watchHistory(runId, 2, { onEntries: (entries) => replayed.push(...entries), onEnded: (status) => (endedWith = status) });
    expect(replayed).toStrictEqual(live.slice(2));
    expect(endedWith).toBe('completed');
  });

  it('a long history, packed in chunks while the run goes on, reads back whole and in order', async () => {
    const e = createEmbeddedEngine({ activities: { 'n.id': (n: number) => n } });
    engines.push(e);
    // 300 calls write 1,200 entries: more than one chunk (run-record.ts) before the wait.
    const steps = Array.from({ length: 300 }, (_, i) => call(i, 'n.id', { with: i }));
    const flow = definition('long', [...steps, waitSignal(300, 'go')], { signals: { go: {} } });
    await e.deploy(flow);
    const { runId } = await e.start('long');
    const live: HistoryEntry[] = [];
    await e.watchHistory(runId, 0, { onEntries: (entries) => live.push(...entries) });
    await e.whenStalled();
    const waiting = await e.history(runId);
    expect(waiting.length).toBeGreaterThan(1200);
    expect(waiting).toStrictEqual(live);
    expect(waiting.map((entry) => entry.index)).toStrictEqual(waiting.map((_entry, i) => i));
    await e.signal(runId, 'go');
    expect((await e.result(runId, { wait: true })).status).toBe('completed');
    expect(await e.history(runId)).toStrictEqual(live);
    expect((await e.replay(runId)).deterministic).toBe(true);
  });

  it('the sweep on start drops runs past the retention and keeps the rest', async () => {
    const clock = new ManualClock();
    const e = createEmbeddedEngine({ clock, limits: { retentionMs: 1000 } });
    engines.push(e);
    const flow = definition('short', [{ kind: 'set', path: '/steps/0', set: { a: 1 } }]);
    const old = await e.run(flow, { id: 'old' });
    expect(old.status).toBe('completed');
    clock.advance(600);
    await e.run(flow, { id: 'recent' });
    clock.advance(600);
    // 256 starts trigger a sweep; `old` ended 1200 ms ago, `recent` 600 ms ago.
    for (let i = 0; i < 256; i++) await e.run(flow, { id: `filler-${i}` });
    // What the engine still holds (a lookup would drop an expired run itself, so ask the map).
    const held = (e as unknown as { loop: { runs: Map<string, unknown> } }).loop.runs;
    expect(held.has('old')).toBe(false);
    expect(held.has('recent')).toBe(true);
    expect((await e.result('recent')).status).toBe('completed');
  });
});
