/** What every Redis verb shares: the `--redis`/`--prefix`/`--json` options, opening an engine, and printing. */
import type { Command } from 'commander';
import { FlowlineError, type ValidationIssue } from '../../errors.js';
import type { RedisEngine } from '../../runtime/redis/index.js';
import { DEFAULT_PREFIX, DEFAULT_REDIS_URL } from '../../runtime/redis/defaults.js';
import { CliExit, EXIT_INVALID, describeError } from '../output.js';
import { codecFromEnv } from '../../observability/codec.js';

/** Options every Redis verb accepts. */
export interface RedisCliOptions {
  redis?: string;
  prefix?: string;
  json?: boolean;
}

/** Adds `--redis`, `--prefix` and `--json` to a verb. */
export function withRedisOptions(command: Command): Command {
  return command
    .option('--redis <url>', `Redis URL, e.g. redis://user:pass@host:6379/0 or rediss://… (default: $FLOWLINE_REDIS_URL or ${DEFAULT_REDIS_URL})`)
    .option('--prefix <prefix>', `key prefix of this Flowline deployment (default: $FLOWLINE_PREFIX or ${DEFAULT_PREFIX})`)
    .option('--json', 'machine-readable JSON output');
}

/** The URL and prefix a verb uses: flag, then environment, then default. */
export function resolveTarget(options: RedisCliOptions): { url: string; prefix: string } {
  return {
    url: options.redis ?? process.env.FLOWLINE_REDIS_URL ?? DEFAULT_REDIS_URL,
    prefix: options.prefix ?? process.env.FLOWLINE_PREFIX ?? DEFAULT_PREFIX,
  };
}

/** A URL without its password, for messages. Pure. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * Opens an engine, checks Redis answers, runs `work`, closes the engine. Flowline errors become
 * exit code 2 with their message (a refused call is bad input, not a failed run).
 */
export async function withEngine<T>(options: RedisCliOptions, work: (engine: RedisEngine) => Promise<T>): Promise<T> {
  const { url, prefix } = resolveTarget(options);
  let engine: RedisEngine;
  // Loaded on use: ioredis and BullMQ are most of a short command's start-up time.
  const { createRedisEngine } = await import('../../runtime/redis/index.js');
  try {
    // Payload codec from FLOWLINE_CODEC_KEYS: every process of a deployment must use the same keys.
    const codec = codecFromEnv();
    engine = createRedisEngine({ url, prefix, ...(codec ? { codec } : {}) });
  } catch (error) {
    throw new CliExit(EXIT_INVALID, describeError(error));
  }
  // The connection's own error (refused, TLS certificate, wrong password) says more than the
  // command's "max retries" failure: keep the last one for the message.
  let connectionError: Error | undefined;
  engine.runtime.client.on('error', (error: Error) => (connectionError = error));
  try {
    try {
      await engine.runtime.client.ping();
    } catch (error) {
      const reason = connectionError?.message ?? (error as Error).message;
      throw new CliExit(EXIT_INVALID, `cannot reach Redis at ${redactUrl(url)}: ${reason} (is it running? set --redis or FLOWLINE_REDIS_URL)`);
    }
    return await work(engine);
  } catch (error) {
    if (error instanceof FlowlineError) throw new CliExit(EXIT_INVALID, describeError(error));
    throw error;
  } finally {
    await engine.close().catch(() => undefined);
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
