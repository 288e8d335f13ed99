/** "Try it" routes beside the Redis runtime (real Redis, own key prefix): tries never reach Redis. */
import { afterAll, expect } from 'vitest';
import { createRedisEngine } from '../../src/runtime/redis/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from '../redis/helpers.js';
import { defineTrySuite } from './try.cases.js';

const prefix = uniquePrefix('fltest-try');

afterAll(async () => {
  const client = rawClient();
  // Every try ran on a private engine: nothing of it was written under the server's prefix.
  expect(await client.keys(`${prefix}*run*`)).toEqual([]);
  await deletePrefix(client, prefix);
  await client.quit();
});

defineTrySuite('try runs beside the Redis runtime', async () => {
  const engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  return { engine, payloadLimitBytes: engine.runtime.limits.payloadBytes, close: () => engine.close() };
});
