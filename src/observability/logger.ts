/**
 * Structured logs with pino: a process logger (level and destination from the environment), a
 * per-flow child that redacts the flow's `redact` paths, and per-run/step/attempt children that
 * carry `runId, workflow, version, stepPath, attempt` on every line.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { parseRedactPath, REDACTED, toPinoPaths as expandPinoPaths } from './redaction.js';
import { globalRedactPathsFromEnv } from './run-redactor.js';

/** Options of {@link createLogger}; each falls back to the environment, then to a default. */
export interface LoggerOptions {
  /** `FLOWLINE_LOG_LEVEL`, default `info`. One of trace, debug, info, warn, error, fatal, silent. */
  readonly level?: string;
  /** Append JSON lines to this file (`FLOWLINE_LOG_FILE`); default stderr, so stdout stays for command output. */
  readonly file?: string;
  /** Write here instead (tests, custom transports). Wins over `file`. */
  readonly destination?: DestinationStream;
  /** Paths redacted on every line, added to `FLOWLINE_REDACT`. */
  readonly redact?: readonly string[];
  /** `name` field of every line (default `flowline`). */
  readonly name?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The identity of a run (and optionally one of its steps and attempts) stamped on log lines. */
export interface RunLogFields {
  readonly runId: string;
  readonly workflow: string;
  readonly version: number;
  readonly stepPath?: string;
  readonly stepId?: string;
  readonly attempt?: number;
}

/**
 * The logger of an engine whose caller gave none: JSON lines on stderr (or `FLOWLINE_LOG_FILE`),
 * level from `FLOWLINE_LOG_LEVEL`, default `warn` so that embedding Flowline stays quiet. An
 * unknown level falls back to `warn`: a typo must not break handlers that log.
 */
export function defaultEngineLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const wanted = env.FLOWLINE_LOG_LEVEL?.trim().toLowerCase();
  const level = wanted && (wanted === 'silent' || wanted in pino.levels.values) ? wanted : 'warn';
  return createLogger({ level, env });
}

/**
 * One engine's logger, made on first use (most engines never log): `given` when its caller passed
 * one, else {@link defaultEngineLogger}. Held by the engine, not the process, so two engines can
 * log to two places.
 */
export function lazyLogger(given?: Logger): () => Logger {
  let logger = given;
  return () => (logger ??= defaultEngineLogger());
}

/** The redact paths in force on a logger created here, so children can extend rather than replace them. */
const redactPathsOf = new WeakMap<Logger, readonly string[]>();
/** Per-flow children, cached by root and flow identity: compiling redaction once per flow version, not per run. */
const flowChildren = new WeakMap<Logger, Map<string, Logger>>();

/**
 * Creates the process logger. Side effects: opens `file` for appending when given (created with
 * its directory if missing). Redact paths that pino cannot compile are dropped with a warning line.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const paths = [...globalRedactPathsFromEnv(env), ...(options.redact ?? [])];
  const { pinoPaths, rejected } = toPinoPaths(paths);
  const destination =
    options.destination ??
    (options.file ?? env.FLOWLINE_LOG_FILE
      ? pino.destination({ dest: options.file ?? env.FLOWLINE_LOG_FILE, mkdir: true, sync: true, append: true })
      : pino.destination({ fd: 2, sync: true }));
  const logger = pino(
    {
      name: options.name ?? 'flowline',
      level: options.level ?? env.FLOWLINE_LOG_LEVEL ?? 'info',
      redact: { paths: pinoPaths, censor: REDACTED },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  redactPathsOf.set(logger, pinoPaths);
  if (rejected.length > 0) logger.warn({ rejected }, 'ignored redact paths that are not valid JSON paths');
  return logger;
}

/**
 * The child logger for one flow version: adds the flow's `redact` paths to the parent's.
 * Cached per parent and flow (name, version, digest).
 * Side effects: compiles the redaction once per flow.
 */
export function flowLogger(
  parent: Logger,
  definition: { readonly name: string; readonly version: number; readonly digest?: string; readonly redact?: readonly string[] },
): Logger {
  const key = `${definition.name}@${definition.version}#${definition.digest ?? ''}`;
  let cache = flowChildren.get(parent);
  if (!cache) flowChildren.set(parent, (cache = new Map()));
  const cached = cache.get(key);
  if (cached) return cached;

  const inherited = redactPathsOf.get(parent) ?? [];
  const { pinoPaths, rejected } = toPinoPaths(definition.redact ?? []);
  const all = [...new Set([...inherited, ...pinoPaths])];
  // No bindings here: runLogger adds workflow and version with the run id (pino would repeat them).
  const child = pinoPaths.length === 0 ? parent.child({}) : parent.child({}, { redact: { paths: all, censor: REDACTED } });
  redactPathsOf.set(child, all);
  if (rejected.length > 0) {
    child.warn({ workflow: definition.name, version: definition.version, rejected }, 'ignored redact paths of this flow that are not valid JSON paths');
  }
  cache.set(key, child);
  return child;
}

/**
 * A child logger carrying a run's identity (and a step path and attempt when given). Side effects: none.
 * Pass a {@link flowLogger} as `parent` so the flow's redaction applies.
 */
export function runLogger(parent: Logger, fields: RunLogFields): Logger {
  const bindings: Record<string, unknown> = { runId: fields.runId, workflow: fields.workflow, version: fields.version };
  if (fields.stepPath !== undefined) bindings.stepPath = fields.stepPath;
  if (fields.stepId !== undefined) bindings.stepId = fields.stepId;
  if (fields.attempt !== undefined) bindings.attempt = fields.attempt;
  const child = parent.child(bindings);
  const paths = redactPathsOf.get(parent);
  if (paths) redactPathsOf.set(child, paths);
  return child;
}

/** Our paths in pino's syntax; those that do not parse are returned as `rejected`. */
function toPinoPaths(paths: readonly string[]): { pinoPaths: string[]; rejected: string[] } {
  const pinoPaths: string[] = [];
  const rejected: string[] = [];
  for (const path of paths) {
    const segments = parseRedactPath(path);
    if (!segments) rejected.push(path);
    else pinoPaths.push(...expandPinoPaths(segments));
  }
  return { pinoPaths, rejected };
}
