/** `flowline/redis`: the durable runtime on Redis + BullMQ (docs/reference/api.md, docs/guides/operations-redis.md). */
export {
  createRedisEngine,
  RedisEngine,
  startWorker,
  type RedisEngineOptions,
  type WorkerStartOptions,
  type WorkerHandle,
  type ScheduleSpec,
  type ScheduleInfo,
} from './runtime/redis/index.js';
