/**
 * The per-process state cache of the transition protocol against a real Redis: a process that
 * decides on a cached state of a run id that was since ended and replaced (same revision, new
 * incarnation) is refused by the generation check and decides again on the fresh state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import type { RunState } from '../../src/interpreter/types.js';
import { createClient, parseRedisUrl } from '../../src/runtime/redis/connection.js';
import { createRedisEngine, type RedisEngine } from '../../src/runtime/redis/index.js';
import { KeyLayout } from '../../src/runtime/redis/keys.js';
import { withScripts, type ScriptedClient } from '../../src/runtime/redis/scripts.js';
import { RunStore, type CommitInput } from '../../src/runtime/redis/store.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('fltest-cache');
let raw: Redis;
let client: ScriptedClient;
let first: RedisEngine;
let second: RedisEngine;

const GATED = loadDefinition(
  ['dsl: flowline/v1', 'name: gated', 'version: 1', 'signals: { go: {} }', 'steps:', '  - waitSignal: go', 'output: ${ $input.n }', ''].join('\n'),
  { file: 'gated.yaml' },
);

function state(runId: string, revision: number): RunState {
  return {
    runId,
    workflow: { name: 'demo', version: 1, digest: 'd1' },
    status: 'running',
    input: {},
    vars: {},
    output: null,
    error: null,
    startedAt: 1000,
    updatedAt: 1000 + revision,
    endedAt: null,
    revision,
    historyLength: revision,
    retries: 0,
    parent: null,
    core: {},
  };
}

function commit(expected: number, next: RunState, generation: string): CommitInput {
  return {
    expectedRevision: expected,
    state: next,
    terminal: false,
    retentionMs: 60_000,
    history: [],
    outbox: [],
    timersAdded: [],
    timersRemoved: [],
    activitiesAdded: [],
    activitiesRemoved: [],
    generation,
  };
}

beforeAll(async () => {
  raw = rawClient();
  client = withScripts(createClient(parseRedisUrl(TEST_REDIS_URL), { blocking: false }));
  // Two processes: each with a state cache of its own.
  first = createRedisEngine({ url: TEST_REDIS_URL, prefix, shareStateCache: false });
  second = createRedisEngine({ url: TEST_REDIS_URL, prefix, shareStateCache: false });
  await first.deploy(GATED);
});

afterAll(async () => {
  await first.close();
  await second.close();
  await client.quit();
  await deletePrefix(raw, prefix);
  await raw.quit();
});

describe('commit generation check', () => {
  it('refuses a commit whose generation is not the run’s, accepts the right one or none', async () => {
    const store = new RunStore(client, new KeyLayout(prefix));
    expect(await store.commit('g1', commit(-1, state('g1', 1), 'alpha'))).toEqual({ ok: true });
    expect(await store.commit('g1', commit(1, state('g1', 2), 'beta'))).toEqual({ ok: false, currentRevision: 1 });
    expect(await store.commit('g1', commit(1, state('g1', 2), 'alpha'))).toEqual({ ok: true });
    expect(await store.commit('g1', commit(2, state('g1', 3), ''))).toEqual({ ok: true });
    expect((await store.load('g1'))?.generation).toBe('alpha');
  });
});

describe('state cache', () => {
  it('a stale cached state of a replaced run is never committed', async () => {
    // `first` creates the run and caches its state (revision 1).
    await first.start('gated', { id: 'replaced', input: { n: 1 } });
    // Another process ends it and starts the id again: a new run, at revision 1 too.
    await second.terminate('replaced');
    await second.start('gated', { id: 'replaced', input: { n: 2 } });
    // `first` signals: its cached state is the old run's; the commit must decide on the new one.
    await first.signal('replaced', 'go');
    const result = await first.result('replaced');
    expect(result.status).toBe('completed');
    expect(result.output).toBe(2);
    const history = await first.history('replaced');
    expect(history.filter((entry) => entry.type === 'RunStarted')).toHaveLength(1);
  });

  it('an event the cached state would ignore is decided again on the fresh state', async () => {
    await first.start('gated', { id: 'moved', input: { n: 3 } });
    // Another process ends the run: `first` still caches it as running, and must not report otherwise.
    await second.signal('moved', 'go');
    await expect(first.signal('moved', 'go')).rejects.toMatchObject({ type: 'RunNotActive' });
    expect((await first.result('moved')).output).toBe(3);
  });

  it('an engine and a worker runtime of one process share the cache (one run handed over without a read)', async () => {
    const a = createRedisEngine({ url: TEST_REDIS_URL, prefix });
    const b = createRedisEngine({ url: TEST_REDIS_URL, prefix });
    try {
      await a.start('gated', { id: 'shared', input: { n: 4 } });
      let loads = 0;
      const load = b.runtime.store.load.bind(b.runtime.store);
      b.runtime.store.load = async (runId) => {
        loads++;
        return load(runId);
      };
      await b.signal('shared', 'go');
      expect(loads).toBe(0);
      expect((await b.result('shared')).output).toBe(4);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
