/** The Redis runtime's public surface: the engine, the worker, schedules and their options. */
export { createRedisEngine, DEFAULT_COMMAND_TIMEOUT_MS, RedisEngine, type RedisEngineOptions } from './engine.js';
export { DEFAULT_STARTUP_TIMEOUT_MS, startWorker, type WorkerStartOptions, type WorkerHandle } from './worker.js';
export { ScheduleManager, type ScheduleSpec, type ScheduleInfo } from './schedules.js';
export { RedisUnavailableError, TransitionConflictError, CorruptStateError } from './errors.js';
export { DEFAULT_REDIS_URL, parseRedisUrl, type RedisConnection } from './connection.js';
export { DEFAULT_PREFIX } from './keys.js';
