/**
 * Runs the conformance suite on the Redis runtime against a real Redis (127.0.0.1:6379): each
 * test gets its own key prefix, an engine and an in-process worker serving its activities; every
 * run's history must replay strictly through the core (every decision as recorded) and reproduce its stored state.
 */
import { afterAll, expect } from 'vitest';
import type { ActivityMap } from '../../src/activities/types.js';
import type { Engine } from '../../src/runtime/engine.js';
import { createRedisEngine, RedisEngine, startWorker, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from '../redis/helpers.js';
import { defineConformanceSuite } from './suite.js';
import { expectStrictReplay } from './strict-replay-check.js';

const prefixes: string[] = [];
const workers = new WeakMap<Engine, WorkerHandle>();

async function makeEngine(activities: ActivityMap): Promise<Engine> {
  const prefix = uniquePrefix('fltest-conf');
  prefixes.push(prefix);
  const engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  const worker = await startWorker({ url: TEST_REDIS_URL, prefix, activities, concurrency: 20, maintenanceIntervalMs: 0 });
  workers.set(engine, worker);
  // Closing the engine (done by the suite after each test) also stops its worker.
  const close = engine.close.bind(engine);
  engine.close = async () => {
    await worker.close({ force: true });
    await close();
  };
  return engine;
}

async function replayEveryRun(engine: Engine): Promise<void> {
  expect(engine).toBeInstanceOf(RedisEngine);
  const redis = engine as RedisEngine;
  for (const summary of await engine.list({ limit: 1000 })) {
    await expectStrictReplay(await redis.inspect(summary.runId), `run ${summary.runId} (${summary.name})`);
  }
}

afterAll(async () => {
  const client = rawClient();
  for (const prefix of prefixes) await deletePrefix(client, prefix);
  await client.quit();
});

defineConformanceSuite('redis runtime', makeEngine, { afterTest: replayEveryRun });
