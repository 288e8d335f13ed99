/** The HTTP API suite on the Redis runtime (real Redis, own key prefix, an in-process worker). */
import { afterAll } from 'vitest';
import { createRedisEngine, startWorker } from '../../src/runtime/redis/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from '../redis/helpers.js';
import { defineApiSuite } from './api.cases.js';

const prefix = uniquePrefix('fltest-http');

afterAll(async () => {
  const client = rawClient();
  await deletePrefix(client, prefix);
  await client.quit();
});

defineApiSuite('HTTP API on the Redis runtime', async (activities) => {
  const engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  const worker = await startWorker({ url: TEST_REDIS_URL, prefix, activities, concurrency: 20, maintenanceIntervalMs: 0 });
  return {
    engine,
    payloadLimitBytes: engine.runtime.limits.payloadBytes,
    close: async () => {
      await worker.close({ force: true });
      await engine.close();
    },
  };
});
