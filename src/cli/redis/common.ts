/** What every Redis verb shares: the `--redis`/`--prefix`/`--json`/`--redis-timeout` options, opening an engine, and printing. */
import type { Command } from 'commander';
import { FlowlineError, RedisConfigError, RedisUnavailableError, type ValidationIssue } from '../../errors.js';
import type { RedisEngine } from '../../runtime/redis/index.js';
import { DEFAULT_PREFIX, DEFAULT_REDIS_URL } from '../../runtime/redis/defaults.js';
import { redactRedisUrl } from '../../runtime/redis/redact-url.js';
import { CliExit, EXIT_INVALID, describeError } from '../output.js';
import { codecFromEnv } from '../../codec/payload-codec.js';

/** Options every Redis verb accepts. */
export interface RedisCliOptions {
  redis?: string;
  prefix?: string;
  json?: boolean;
  redisTimeout?: string;
}

/** How long a verb waits for Redis to answer one command when neither flag nor environment says (ms). */
export const DEFAULT_REDIS_TIMEOUT_MS = 10_000;

/**
 * Adds `--redis`, `--prefix`, `--json` and (unless `redisTimeout: false`: the worker waits
 * through outages instead) `--redis-timeout` to a verb.
 */
export function withRedisOptions(command: Command, options: { redisTimeout?: boolean } = {}): Command {
  command
    .option('--redis <url>', `Redis URL, e.g. redis://user:pass@host:6379/0 or rediss://… (default: $FLOWLINE_REDIS_URL or ${DEFAULT_REDIS_URL})`)
    .option('--prefix <prefix>', `key prefix of this Flowline deployment (default: $FLOWLINE_PREFIX or ${DEFAULT_PREFIX})`)
    .option('--json', 'machine-readable JSON output');
  if (options.redisTimeout === false) return command;
  return command.option(
    '--redis-timeout <ms>',
    `give up (exit 2, RedisUnavailable) when Redis does not answer a command within this many ms (default: $FLOWLINE_REDIS_TIMEOUT or ${DEFAULT_REDIS_TIMEOUT_MS})`,
  );
}

/** The command timeout of a verb: `--redis-timeout`, then FLOWLINE_REDIS_TIMEOUT, then the default. Throws CliExit. */
export function resolveRedisTimeout(options: RedisCliOptions): number {
  if (options.redisTimeout !== undefined) return parsePositiveInt(options.redisTimeout, '--redis-timeout') ?? DEFAULT_REDIS_TIMEOUT_MS;
  const fromEnv = process.env.FLOWLINE_REDIS_TIMEOUT;
  if (fromEnv !== undefined && fromEnv !== '') return parsePositiveInt(fromEnv, 'FLOWLINE_REDIS_TIMEOUT') ?? DEFAULT_REDIS_TIMEOUT_MS;
  return DEFAULT_REDIS_TIMEOUT_MS;
}

/** The URL and prefix a verb uses: flag, then environment, then default. */
export function resolveTarget(options: RedisCliOptions): { url: string; prefix: string } {
  return {
    url: options.redis ?? process.env.FLOWLINE_REDIS_URL ?? DEFAULT_REDIS_URL,
    prefix: options.prefix ?? process.env.FLOWLINE_PREFIX ?? DEFAULT_PREFIX,
  };
}

/** A URL without its password, for messages, even when the password is not percent-encoded. Pure. */
export function redactUrl(url: string): string {
  return redactRedisUrl(url);
}

/**
 * Opens an engine, checks Redis answers, runs `work`, closes the engine. Flowline errors become
 * exit code 2 with their message (a refused call is bad input, not a failed run). Every command
 * is bounded by the verb's Redis timeout, so a Redis that does not answer ends the verb with
 * RedisUnavailable instead of hanging it.
 */
export async function withEngine<T>(options: RedisCliOptions, work: (engine: RedisEngine) => Promise<T>): Promise<T> {
  const { url, prefix } = resolveTarget(options);
  const commandTimeoutMs = resolveRedisTimeout(options);
  let engine: RedisEngine;
  // Loaded on use: ioredis and BullMQ are most of a short command's start-up time.
  const [{ createRedisEngine }, { translateRedisError }, { describeRedisFailure, formatSeconds, isAuthFailure, isCommandTimeout }] = await Promise.all([
    import('../../runtime/redis/index.js'),
    import('../../runtime/redis/errors.js'),
    import('../../runtime/redis/reachability.js'),
  ]);
  try {
    // Payload codec from FLOWLINE_CODEC_KEYS: every process of a deployment must use the same keys.
    const codec = codecFromEnv();
    engine = createRedisEngine({ url, prefix, commandTimeoutMs, ...(codec ? { codec } : {}) });
  } catch (error) {
    throw new CliExit(EXIT_INVALID, describeError(error));
  }
  // The connection's own error (refused, TLS certificate, wrong password) says more than the
  // command's "max retries" failure: keep the last one for the message.
  let connectionError: Error | undefined;
  engine.runtime.client.on('error', (error: Error) => (connectionError = error));
  let unavailable = false;
  try {
    try {
      await engine.runtime.client.ping();
    } catch (error) {
      const cause = isCommandTimeout(error) ? (error as Error) : (connectionError ?? (error as Error));
      if (isAuthFailure(cause)) {
        throw new RedisConfigError(`authentication failed at ${redactUrl(url)}: wrong password or user; check the password in --redis or FLOWLINE_REDIS_URL`);
      }
      throw isCommandTimeout(cause)
        ? new RedisUnavailableError(`Redis at ${redactUrl(url)} did not answer within ${formatSeconds(commandTimeoutMs)}; check that it is running and reachable`, cause, { timedOut: true })
        : new RedisUnavailableError(`cannot reach Redis at ${redactUrl(url)}: ${describeRedisFailure(cause)}; check that it is running and reachable (set --redis or FLOWLINE_REDIS_URL)`, cause);
    }
    return await work(engine);
  } catch (caught) {
    const error = translateRedisError(caught, 'running the command', engine.runtime.target);
    if (!(error instanceof FlowlineError)) throw error;
    unavailable = error instanceof RedisUnavailableError;
    const hint = error instanceof RedisUnavailableError && error.timedOut ? ' (--redis-timeout to wait longer)' : '';
    throw new CliExit(EXIT_INVALID, `${describeError(error)}${hint}`);
  } finally {
    // After Redis stopped answering, waiting for it to answer a QUIT would be one more timeout.
    await engine.close({ force: unavailable }).catch(() => undefined);
  }
}

/** `file:line:col  message  (hint)`, as `flowline validate` prints it. Pure. */
export function formatIssue(issue: ValidationIssue, file: string): string {
  const where = `${issue.file ?? file}:${issue.line ?? 1}:${issue.column ?? 1}`;
  return `${where}  ${issue.message}${issue.hint ? `  (${issue.hint})` : ''}`;
}

/** Parses a positive integer option. Throws CliExit. */
export function parsePositiveInt(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw new CliExit(EXIT_INVALID, `${what} must be a positive integer, not "${value}"`);
  return Number(value);
}

/** Collects a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
