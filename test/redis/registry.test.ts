/** The definition registry against a real Redis: immutable name+version, latest version, pinned lookup. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { WorkflowDefinition } from '../../src/definition/types.js';
import { DefinitionConflictError, DefinitionNotFoundError } from '../../src/errors.js';
import { createClient, parseRedisUrl } from '../../src/runtime/redis/connection.js';
import { KeyLayout } from '../../src/runtime/redis/keys.js';
import { DefinitionRegistry } from '../../src/runtime/redis/registry.js';
import { withScripts, type ScriptedClient } from '../../src/runtime/redis/scripts.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix();
let client: ScriptedClient;
let raw: Redis;

function definition(name: string, version: number, digest: string): WorkflowDefinition {
  return { dsl: 'flowline/v1', name, version, signals: {}, queries: {}, defaults: {}, steps: [], digest };
}

beforeAll(() => {
  client = withScripts(createClient(parseRedisUrl(TEST_REDIS_URL), { blocking: false }));
  raw = rawClient();
});

afterAll(async () => {
  await deletePrefix(raw, prefix);
  await client.quit();
  await raw.quit();
});

describe('DefinitionRegistry', () => {
  it('stores name+version once: same digest is a no-op, a different digest is refused', async () => {
    const registry = new DefinitionRegistry(client, new KeyLayout(prefix));
    expect(await registry.deploy(definition('orders', 1, 'aaa'))).toEqual({ name: 'orders', version: 1, created: true });
    expect(await registry.deploy(definition('orders', 1, 'aaa'))).toEqual({ name: 'orders', version: 1, created: false });
    await expect(registry.deploy(definition('orders', 1, 'bbb'))).rejects.toBeInstanceOf(DefinitionConflictError);
    expect((await registry.get('orders', 1)).digest).toBe('aaa');
  });

  it('resolves the latest version, whatever the deploy order', async () => {
    const registry = new DefinitionRegistry(client, new KeyLayout(prefix));
    await registry.deploy(definition('pay', 3, 'p3'));
    await registry.deploy(definition('pay', 1, 'p1'));
    // A fresh registry (no cache) reads Redis.
    const fresh = new DefinitionRegistry(client, new KeyLayout(prefix));
    expect((await fresh.get('pay')).version).toBe(3);
    expect((await fresh.pinned({ name: 'pay', version: 1, digest: 'p1' })).digest).toBe('p1');
    await expect(fresh.get('pay', 2)).rejects.toBeInstanceOf(DefinitionNotFoundError);
    await expect(fresh.get('nothing')).rejects.toBeInstanceOf(DefinitionNotFoundError);
    expect((await fresh.list()).find((d) => d.name === 'pay')).toEqual({ name: 'pay', versions: [1, 3], latest: 3 });
  });
});
