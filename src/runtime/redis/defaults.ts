/**
 * Defaults of the Redis runtime, in a module with no imports so the CLI can name them without
 * loading ioredis and BullMQ (which cost most of a short command's start-up).
 */

/** Redis used when neither `--redis` nor FLOWLINE_REDIS_URL says otherwise. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Key prefix (and BullMQ prefix) of a deployment when none is given. */
export const DEFAULT_PREFIX = 'flowline';
