/**
 * The Redis runtime's own errors, and the one place where the numeric codes returned by the Lua
 * scripts (lua/*.lua headers) become typed errors.
 */
import { DefinitionConflictError, FlowlineError, RedisConfigError, RedisUnavailableError, RunAlreadyExistsError, RunNotFoundError } from '../../errors.js';
import { describeRedisFailure, formatSeconds, isAuthFailure, isCommandTimeout } from './reachability.js';

export { RedisUnavailableError };

/** Codes returned by lua/*.lua as the first element of their reply (or as the reply). */
export const ScriptCode = {
  Ok: 1,
  NoChange: 0,
  RevisionConflict: -1,
  RunRunning: -2,
  RunMissing: -3,
  DefinitionConflict: -4,
  LatestMoved: -5,
} as const;

/**
 * A start on the cached latest version of a workflow found that a newer version was deployed
 * meanwhile (nothing was stored). Internal: the engine resolves the latest version again and retries.
 */
export class LatestVersionMovedError extends FlowlineError {
  constructor(name: string, latest: number) {
    super('LatestVersionMoved', `a newer version of "${name}" (v${latest}) was deployed while the run was being started`, { name, latest });
  }
}

/** A transition kept losing the optimistic-concurrency race (pathological contention on one run). */
export class TransitionConflictError extends FlowlineError {
  constructor(runId: string, attempts: number) {
    super('TransitionConflict', `run "${runId}" changed under ${attempts} consecutive attempts to update it; try again`, {
      runId,
      attempts,
    });
  }
}

/** Stored data that cannot be what Flowline wrote (a bug, or keys edited by hand). */
export class CorruptStateError extends FlowlineError {
  constructor(message: string) {
    super('CorruptState', message);
  }
}

/** Context a code needs to become a meaningful error. */
export interface CodeContext {
  readonly runId?: string;
  readonly name?: string;
  readonly version?: number;
}

/**
 * Maps a failing script code to its typed error. RevisionConflict is not an error to callers
 * (the transition loop retries) and is mapped only when the retries are exhausted.
 */
export function errorForCode(code: number, context: CodeContext): FlowlineError {
  switch (code) {
    case ScriptCode.RunRunning:
      return new RunAlreadyExistsError(context.runId ?? '?');
    case ScriptCode.RunMissing:
      return new RunNotFoundError(context.runId ?? '?');
    case ScriptCode.DefinitionConflict:
      return new DefinitionConflictError(context.name ?? '?', context.version ?? 0);
    case ScriptCode.RevisionConflict:
      return new TransitionConflictError(context.runId ?? '?', 1);
    case ScriptCode.LatestMoved:
      return new LatestVersionMovedError(context.name ?? '?', context.version ?? 0);
    default:
      return new CorruptStateError(`unexpected script reply code ${code}`);
  }
}

/** True for errors that mean "Redis could not be reached / the connection dropped". */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'].includes(code)) {
    return true;
  }
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue|Reached the max retries/i.test(error.message)
  );
}

/** Where a runtime talks to, for messages: `redis://host:port` (no credentials) and its command timeout. */
export interface RedisTarget {
  readonly description: string;
  readonly commandTimeoutMs?: number;
}

/**
 * Turns a Redis failure into a typed error: no answer in time or no connection become
 * RedisUnavailableError, a refused password RedisConfigError; other errors pass through.
 */
export function translateRedisError(error: unknown, where: string, target?: RedisTarget): unknown {
  if (error instanceof FlowlineError) return error;
  const at = target ? ` at ${target.description}` : '';
  if (isAuthFailure(error)) {
    return new RedisConfigError(`authentication failed${at} while ${where}: wrong password or user; check the user and password in the Redis URL`);
  }
  if (isCommandTimeout(error)) {
    const within = target?.commandTimeoutMs === undefined ? 'in time' : `within ${formatSeconds(target.commandTimeoutMs)}`;
    return new RedisUnavailableError(`Redis${at} did not answer ${within} while ${where}; check that it is running and reachable`, error, {
      timedOut: true,
    });
  }
  if (isConnectionError(error)) {
    return new RedisUnavailableError(
      `Redis${at} could not be reached (or the connection was lost) while ${where}: ${describeRedisFailure(error)}; check that it is running and reachable`,
      error,
    );
  }
  return error;
}
