/**
 * Redis connections: parsing `redis://`/`rediss://` URLs (passwords, ACL users, TLS, db),
 * creating ioredis clients with the right retry behaviour, and the `noeviction` check.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { RedisConfigError } from '../../errors.js';
import { redactRedisUrl } from './redact-url.js';

/** Default URL when neither `--redis` nor FLOWLINE_REDIS_URL is given. */
import { DEFAULT_REDIS_URL } from './defaults.js';

export { DEFAULT_REDIS_URL };

/** Where to connect: a URL, or ioredis options (host, port, password, tls…). */
export type RedisConnection = string | RedisOptions;

/**
 * ioredis options for a URL. `rediss://` turns TLS on (with SNI); user and password are decoded
 * from the URL; `/N` selects database N. Pure. Throws RedisConfigError for a malformed URL; its
 * message shows the URL without its password (which, not percent-encoded, may be the very cause).
 */
export function parseRedisUrl(url: string): RedisOptions {
  const shown = `"${redactRedisUrl(url)}"`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisConfigError(`${shown} is not a Redis URL; expected redis://[user:password@]host[:port][/db] or rediss://…${encodingHint(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisConfigError(`${shown} is not a Redis URL: the scheme must be redis:// or rediss://`);
  }
  if (parsed.hash !== '') {
    throw new RedisConfigError(`${shown} is not a Redis URL: it has a # part${encodingHint(url)}`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const options: RedisOptions = { host, port: parsed.port ? Number(parsed.port) : 6379 };
  try {
    if (parsed.username) options.username = decodeURIComponent(parsed.username);
    if (parsed.password) options.password = decodeURIComponent(parsed.password);
  } catch {
    throw new RedisConfigError(`${shown}: the user or password has a % that is not followed by two hex digits (write % as %25)`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '') {
    if (!/^\d+$/.test(db)) throw new RedisConfigError(`${shown}: the path must be a database number${encodingHint(url)}`);
    options.db = Number(db);
  }
  if (parsed.protocol === 'rediss:') options.tls = { servername: host };
  return options;
}

/** How to write special characters in a user or password, for a URL that has a user-info part (an `@`). Pure. */
function encodingHint(url: string): string {
  if (!url.includes('@')) return '';
  return '; if the user or password holds @ : / # ? or %, percent-encode them (@ → %40, : → %3A, / → %2F, # → %23, ? → %3F, % → %25)';
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

/** What a client is for. */
export interface ClientRole {
  /**
   * Workers and subscribers retry forever (`maxRetriesPerRequest: null`) so a Redis restart needs
   * no manual step; other clients fail a command after a few reconnection attempts.
   */
  readonly blocking: boolean;
  /**
   * Fail a command (and a connection attempt) Redis does not answer within this many ms, so a
   * Redis that accepts connections but does not answer (stopped, or packets dropped) cannot
   * hang a caller. Unset: wait as long as it takes (workers ride out outages).
   */
  readonly commandTimeoutMs?: number;
}

/** A client with the retry and timeout behaviour of its role. Side effect: opens a connection. */
export function createClient(options: RedisOptions, role: ClientRole): Redis {
  return new Redis({
    ...options,
    maxRetriesPerRequest: role.blocking ? null : (options.maxRetriesPerRequest ?? 3),
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    enableReadyCheck: true,
    // disconnectTimeout: a dropped connection to a Redis that does not answer is destroyed soon
    // instead of keeping the process alive for ioredis's default 2 s.
    ...(role.commandTimeoutMs === undefined
      ? {}
      : { commandTimeout: role.commandTimeoutMs, connectTimeout: role.commandTimeoutMs, disconnectTimeout: Math.min(role.commandTimeoutMs, 500) }),
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
  } catch (error) {
    // A wrong password or a lost connection is not CONFIG being disabled: say what it is.
    if (isAuthOrConnectionFailure(error)) throw error;
    try {
      const info = await client.info('memory');
      policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
    } catch (infoError) {
      if (isAuthOrConnectionFailure(infoError)) throw infoError;
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

/** Errors that are not "CONFIG is refused" (NOPERM, unknown command): auth, timeouts, lost connections. Pure. */
function isAuthOrConnectionFailure(error: unknown): boolean {
  return error instanceof Error && /WRONGPASS|NOAUTH|invalid password|Command timed out|Connection is closed|ECONN|ETIMEDOUT|max retries/i.test(error.message);
}
