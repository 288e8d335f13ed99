/** The run store and its commit script against a real Redis: revision check, create semantics, outbox, timers, retention. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RunAlreadyExistsError, RunNotFoundError } from '../../src/errors.js';
import type { RunState } from '../../src/interpreter/types.js';
import { createClient, parseRedisUrl } from '../../src/runtime/redis/connection.js';
import { KeyLayout } from '../../src/runtime/redis/keys.js';
import { withScripts, type ScriptedClient } from '../../src/runtime/redis/scripts.js';
import { RunStore, decodeState, encodeState, type CommitInput } from '../../src/runtime/redis/store.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix();
const keys = new KeyLayout(prefix);
let client: ScriptedClient;
let raw: Redis;
let store: RunStore;

function state(runId: string, revision: number, status: RunState['status'] = 'running'): RunState {
  return {
    runId,
    workflow: { name: 'demo', version: 1, digest: 'd1' },
    status,
    input: { n: 1 },
    vars: {},
    output: null,
    error: null,
    startedAt: 1000,
    updatedAt: 1000 + revision,
    endedAt: status === 'running' ? null : 2000,
    revision,
    historyLength: revision,
    retries: 0,
    parent: null,
    core: { marker: revision },
  };
}

function commit(runId: string, expected: number, next: RunState, extra: Partial<CommitInput> = {}): CommitInput {
  return {
    expectedRevision: expected,
    state: next,
    terminal: next.status !== 'running',
    retentionMs: 60_000,
    history: [{ index: next.revision - 1, at: next.updatedAt, type: 'VariablesSet' }],
    outbox: [],
    timersAdded: [],
    timersRemoved: [],
    activitiesAdded: [],
    activitiesRemoved: [],
    ...extra,
  };
}

beforeAll(() => {
  client = withScripts(createClient(parseRedisUrl(TEST_REDIS_URL), { blocking: false }));
  raw = rawClient();
  store = new RunStore(client, keys);
});

afterAll(async () => {
  await deletePrefix(raw, prefix);
  await client.quit();
  await raw.quit();
});

describe('RunStore.commit', () => {
  it('creates a run, then applies a transition only on the expected revision', async () => {
    expect(await store.commit('r1', commit('r1', -1, state('r1', 1)))).toEqual({ ok: true });
    expect((await store.loadState('r1'))?.revision).toBe(1);

    // A decision made on a stale revision is refused with the current one.
    expect(await store.commit('r1', commit('r1', 0, state('r1', 1)))).toEqual({ ok: false, currentRevision: 1 });
    expect(await store.commit('r1', commit('r1', 1, state('r1', 2)))).toEqual({ ok: true });
    const loaded = await store.loadState('r1');
    expect(loaded?.revision).toBe(2);
    expect(loaded?.core).toEqual({ marker: 2 });
    expect((await store.history('r1')).map((h) => h.index)).toEqual([0, 1]);
  });

  it('refuses to create a run whose id is running, and reports a missing run', async () => {
    await store.commit('r2', commit('r2', -1, state('r2', 1)));
    await expect(store.commit('r2', commit('r2', -1, state('r2', 1)))).rejects.toBeInstanceOf(RunAlreadyExistsError);
    await expect(store.commit('nope', commit('nope', 3, state('nope', 4)))).rejects.toBeInstanceOf(RunNotFoundError);
  });

  it('records outbox entries, pending timers and awaited activities, and clears dispatched entries', async () => {
    await store.commit('r3', commit('r3', -1, state('r3', 1)));
    const entries = ['{"at":1,"rev":2,"i":0,"command":{"type":"StartTimer","seq":1,"at":5000,"purpose":"wait"}}', '{"at":1,"rev":2,"i":1,"command":{"type":"CancelTimer","seq":9}}'];
    await store.commit(
      'r3',
      commit('r3', 1, state('r3', 2), {
        outbox: entries,
        timersAdded: [{ seq: 1, at: 5000 }],
        activitiesAdded: [4, 5],
      }),
    );
    expect((await store.readOutbox('r3')).map((e) => e.entry.command.type)).toEqual(['StartTimer', 'CancelTimer']);
    expect(await store.pendingTimers('r3')).toEqual([{ seq: 1, at: 5000 }]);
    expect(await store.isActivityAwaited('r3', 4)).toBe(true);
    expect(await store.clearOutbox('r3', [entries[0]])).toBe(1);
    expect(await store.clearOutbox('r3', [entries[1]])).toBe(0);

    await store.commit('r3', commit('r3', 2, state('r3', 3), { timersRemoved: [1], activitiesRemoved: [4] }));
    expect(await store.pendingTimers('r3')).toEqual([]);
    expect(await store.isActivityAwaited('r3', 4)).toBe(false);
    expect(await store.isActivityAwaited('r3', 5)).toBe(true);
  });

  it('expires a finished run after the retention and drops what it awaited; a retry keeps it again', async () => {
    await store.commit('r4', commit('r4', -1, state('r4', 1), { activitiesAdded: [1], timersAdded: [{ seq: 2, at: 9 }] }));
    await store.commit('r4', commit('r4', 1, state('r4', 2, 'failed')));
    const k = keys.run('r4');
    const ttl = await raw.pttl(k.run);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await raw.pttl(k.history)).toBeGreaterThan(0);
    expect(await raw.exists(k.timers, k.acts)).toBe(0);

    await store.commit('r4', commit('r4', 2, state('r4', 3, 'running')));
    expect(await raw.pttl(k.run)).toBe(-1);
    expect(await raw.pttl(k.history)).toBe(-1);
  });

  it('replaces a finished run when the same id is started again', async () => {
    await store.commit('r5', commit('r5', -1, state('r5', 1)));
    await store.commit('r5', commit('r5', 1, state('r5', 2, 'completed')));
    expect(await store.commit('r5', commit('r5', -1, state('r5', 1)))).toEqual({ ok: true });
    expect((await store.history('r5')).length).toBe(1);
    expect(await raw.pttl(keys.run('r5').run)).toBe(-1);
  });

  it('keeps every key of a run in one Cluster hash slot', () => {
    const tags = keys.runKeyList('a:b{c}').map((key) => /\{([^}]*)\}/.exec(key)?.[1]);
    expect(new Set(tags).size).toBe(1);
  });
});

describe('stored state encoding', () => {
  const long = JSON.stringify({ runId: 'r', core: { nodes: Array.from({ length: 40 }, (_, i) => ({ id: `n${i}`, type: 'step', waits: [] })) } });

  it('deflates a resting state from 256 bytes and reads it back exactly', () => {
    const stored = encodeState(long, true) as Buffer;
    expect(stored[0]).toBe(0x01);
    expect(stored.length).toBeLessThan(long.length / 2);
    expect(decodeState(stored)).toBe(long);
  });

  it('keeps a state plain when it is short or about to change (an activity is awaited)', () => {
    expect(encodeState(long, false)).toBe(long);
    expect(encodeState('{"a":"é"}', true)).toBe('{"a":"é"}');
    expect(decodeState(Buffer.from(long, 'utf8'))).toBe(long);
  });

  it('reports damaged compressed data instead of returning garbage', () => {
    const stored = encodeState(long, true) as Buffer;
    expect(() => decodeState(Buffer.concat([stored.subarray(0, 10), Buffer.from('xx')]))).toThrow();
  });
});
