/** Helpers of the Redis tests: a unique key prefix per test file, a raw client, and cleanup of every key under a prefix. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the tests use (a real server on 127.0.0.1:6379 unless FLOWLINE_TEST_REDIS_URL says otherwise). */
export const TEST_REDIS_URL = process.env.FLOWLINE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh prefix, e.g. `fltest-3f9a…`. */
export function uniquePrefix(label = 'fltest'): string {
  return `${label}-${randomBytes(6).toString('hex')}`;
}

/** A plain client for assertions and cleanup. */
export function rawClient(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
}

/** Deletes every key under `prefix:` (SCAN + UNLINK). */
export async function deletePrefix(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
