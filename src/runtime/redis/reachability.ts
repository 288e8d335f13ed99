/**
 * Whether Redis answers: plain reasons for connection failures, and the bounded wait a worker
 * does at start-up (retrying with backoff, saying what it waits for) before it gives up.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { RedisConfigError, RedisUnavailableError } from '../../errors.js';
import { describeConnection } from './connection.js';

/** True when Redis refused the user or password (WRONGPASS, NOAUTH, old-style "invalid password"). Pure. */
export function isAuthFailure(error: unknown): boolean {
  return error instanceof Error && /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(error.message);
}

/** True when ioredis gave up on a command because Redis did not answer within `commandTimeout`. Pure. */
export function isCommandTimeout(error: unknown): boolean {
  return error instanceof Error && /Command timed out/i.test(error.message);
}

/** `1.5 s`, `30 s`. Pure. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** A short reason for a failed connection or command, for people (no command arguments). Pure. */
export function describeRedisFailure(error: unknown, commandTimeoutMs?: number): string {
  if (!(error instanceof Error)) return String(error);
  if (isAuthFailure(error)) return 'authentication failed: wrong password or user';
  if (isCommandTimeout(error)) return commandTimeoutMs === undefined ? 'no answer in time' : `no answer within ${formatSeconds(commandTimeoutMs)}`;
  switch ((error as { code?: unknown }).code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ECONNRESET':
      return 'connection reset';
    default:
      return error.message;
  }
}

/** The refusal of a wrong user or password, as a typed error. Pure. */
export function authFailureError(options: RedisOptions): RedisConfigError {
  return new RedisConfigError(
    `authentication failed at ${describeConnection(options)}: wrong password or user; check the user and password in the Redis URL ` +
      '(percent-encode @ : / # ? in them)',
  );
}

/** How long a worker waits for Redis at start-up, and who hears about the wait. */
export interface StartupWaitOptions {
  /** Give up after this long (ms). */
  readonly timeoutMs: number;
  /** Told after each failed attempt, with the reason and the delay before the next one. */
  readonly onWaiting?: (reason: string, retryInMs: number) => void;
}

/** Longest single attempt and longest pause between attempts (ms). */
const MAX_ATTEMPT_MS = 5_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * Resolves once Redis answers a PING, retrying with backoff (0.25 s doubling to 5 s; each attempt
 * at most 5 s or a third of the wait) until
 * `timeoutMs`. Throws RedisConfigError at once for a wrong user or password (retrying cannot
 * fix it) and RedisUnavailableError, with the last reason, when time is up. Side effect: opens
 * and closes short-lived connections.
 */
export async function waitForRedis(options: RedisOptions, wait: StartupWaitOptions): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  let backoffMs = 250;
  for (;;) {
    // A few attempts fit in the wait, so a Redis that does not answer is reported before giving up.
    const attemptMs = Math.max(100, Math.min(MAX_ATTEMPT_MS, wait.timeoutMs / 3, deadline - Date.now()));
    const failure = await pingOnce(options, attemptMs);
    if (failure === undefined) return;
    if (isAuthFailure(failure)) throw authFailureError(options);
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new RedisUnavailableError(
        `Redis at ${describeConnection(options)} could not be used for ${formatSeconds(wait.timeoutMs)} of retries (last: ${describeRedisFailure(failure)}); ` +
          'check that it is running and reachable',
        failure,
        { timedOut: isCommandTimeout(failure) },
      );
    }
    const pauseMs = Math.min(backoffMs, left);
    wait.onWaiting?.(describeRedisFailure(failure, attemptMs), pauseMs);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  }
}

/** One connection attempt and PING within `timeoutMs`; the failure, or undefined when Redis answered. */
async function pingOnce(options: RedisOptions, timeoutMs: number): Promise<Error | undefined> {
  const client = new Redis({
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
  });
  // The connection's own error (refused, WRONGPASS, TLS) says more than the command's "Connection is closed".
  let connectionError: Error | undefined;
  client.on('error', (error: Error) => (connectionError ??= error));
  let timer: NodeJS.Timeout | undefined;
  try {
    const gaveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Command timed out')), timeoutMs);
    });
    await Promise.race([client.connect().then(() => client.ping()), gaveUp]);
    return undefined;
  } catch (error) {
    return connectionError ?? (error as Error);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
