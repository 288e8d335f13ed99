/**
 * Redis connections: parsing `redis://`/`rediss://` URLs (passwords, ACL users, TLS, db),
 * creating ioredis clients with the right retry behaviour, and the `noeviction` check.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { RedisConfigError } from '../../errors.js';

/** Default URL when neither `--redis` nor FLOWLINE_REDIS_URL is given. */
import { DEFAULT_REDIS_URL } from './defaults.js';

export { DEFAULT_REDIS_URL };

/** Where to connect: a URL, or ioredis options (host, port, password, tls…). */
export type RedisConnection = string | RedisOptions;

/**
 * ioredis options for a URL. `rediss://` turns TLS on (with SNI); user and password are decoded
 * from the URL; `/N` selects database N. Pure. Throws RedisConfigError for a malformed URL.
 */
export function parseRedisUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisConfigError(`"${url}" is not a Redis URL; expected redis://[user:password@]host[:port][/db] or rediss://…`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisConfigError(`"${url}" is not a Redis URL: the scheme must be redis:// or rediss://`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const options: RedisOptions = { host, port: parsed.port ? Number(parsed.port) : 6379 };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '') {
    if (!/^\d+$/.test(db)) throw new RedisConfigError(`"${url}": the path must be a database number`);
    options.db = Number(db);
  }
  if (parsed.protocol === 'rediss:') options.tls = { servername: host };
  return options;
}

/** The options of a connection description. Pure. */
export function connectionOptions(connection: RedisConnection | undefined): RedisOptions {
  if (connection === undefined) return parseRedisUrl(DEFAULT_REDIS_URL);
  return typeof connection === 'string' ? parseRedisUrl(connection) : { ...connection };
}

/** A human-readable `host:port` of a connection, without credentials. Pure. */
export function describeConnection(options: RedisOptions): string {
  return `${options.tls ? 'rediss' : 'redis'}://${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

/**
 * A client for commands. `blocking: true` (workers, subscribers) retries forever
 * (`maxRetriesPerRequest: null`) so a Redis restart needs no manual step; otherwise a command
 * fails after a few reconnection attempts so API callers get an error instead of hanging.
 * Side effect: opens a connection.
 */
export function createClient(options: RedisOptions, role: { blocking: boolean }): Redis {
  return new Redis({
    ...options,
    maxRetriesPerRequest: role.blocking ? null : (options.maxRetriesPerRequest ?? 3),
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    enableReadyCheck: true,
  });
}

/**
 * Refuses a Redis whose `maxmemory-policy` is not `noeviction`: with eviction, Redis may silently
 * drop run state, queued jobs and timers under memory pressure. Reads CONFIG GET, falling back to
 * INFO memory when CONFIG is disabled or not allowed (managed Redis, ACLs). Throws RedisConfigError.
 */
export async function assertNoEviction(client: Redis): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as unknown as string[];
    policy = reply[1];
  } catch {
    try {
      const info = await client.info('memory');
      policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
    } catch {
      policy = undefined;
    }
  }
  if (policy === undefined) {
    throw new RedisConfigError(
      'cannot read maxmemory-policy (CONFIG GET and INFO memory were both refused); Flowline needs maxmemory-policy noeviction',
    );
  }
  if (policy !== 'noeviction') {
    throw new RedisConfigError(
      `Redis maxmemory-policy is "${policy}", but Flowline needs "noeviction": with eviction Redis may silently delete ` +
        'run state, queued jobs and timers when memory is full. Fix: `CONFIG SET maxmemory-policy noeviction` ' +
        '(and `maxmemory-policy noeviction` in redis.conf), or use a dedicated Redis for Flowline.',
    );
  }
}
