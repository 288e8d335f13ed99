/**
 * Every public error class of Flowline. Each has a stable `type` that callers (and the CLI's
 * `--json` output) can match on; messages are for people and may change.
 *
 * These are errors *of the API* (a refused call, an invalid document). A workflow's own failure
 * is not thrown: it is run state (`status`, `error`) and history.
 */
import { formatDuration } from './format-duration.js';

/** Where a problem sits in a document. Lines and columns are 1-based. */
export interface ValidationIssue {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** JSON pointer into the document, e.g. `/steps/0/call`. */
  readonly pointer: string;
  readonly message: string;
  /** How to fix it, for a non-developer. */
  readonly hint?: string;
}

/**
 * Base class: a stable machine-readable `type` plus a human message; `cause` (standard `Error`
 * cause) keeps the lower-level error it was made from, for logs and debuggers.
 */
export class FlowlineError extends Error {
  readonly type: string;
  readonly details?: unknown;
  constructor(type: string, message: string, details?: unknown, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = type;
    this.type = type;
    this.details = details;
  }
}

/** A document that cannot be loaded: every problem found, in source order. */
export class DefinitionInvalidError extends FlowlineError {
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[], file?: string) {
    const first = issues[0];
    const where = first ? `${file ?? first.file ?? '<document>'}:${first.line ?? 0}:${first.column ?? 0}` : file ?? '';
    super(
      'DefinitionInvalid',
      `${issues.length} problem${issues.length === 1 ? '' : 's'} in ${where}${first ? `: ${first.message}` : ''}`,
    );
    this.issues = issues;
  }
}

/** Deploying a name+version that already exists with different content. */
export class DefinitionConflictError extends FlowlineError {
  constructor(name: string, version: number) {
    super(
      'DefinitionConflict',
      `${name} version ${version} is already deployed with different content; definitions are immutable — deploy it as version ${version + 1}`,
      { name, version },
    );
  }
}

export class DefinitionNotFoundError extends FlowlineError {
  constructor(name: string, version?: number) {
    super(
      'DefinitionNotFound',
      version === undefined
        ? `no workflow named "${name}" is deployed (deploy it first with \`flowline deploy\`)`
        : `${name} version ${version} is not deployed`,
      { name, version },
    );
  }
}

export class RunNotFoundError extends FlowlineError {
  constructor(runId: string) {
    super('RunNotFound', `no run with id "${runId}" (it may never have existed, or expired after retention)`, { runId });
  }
}

export class RunAlreadyExistsError extends FlowlineError {
  constructor(runId: string) {
    super('RunAlreadyExists', `a run with id "${runId}" is already running; choose another id or wait for it to end`, {
      runId,
    });
  }
}

/** The operation needs a running run (signal, cancel…) or a failed one (retry). */
export class RunNotActiveError extends FlowlineError {
  constructor(runId: string, status: string, operation: string) {
    super('RunNotActive', `cannot ${operation} run "${runId}": it is ${status}`, { runId, status, operation });
  }
}

/** A run cannot move to the asked version: `details.blockers` names each step that blocks it (docs/decisions/0015). */
export class MigrationBlockedError extends FlowlineError {
  constructor(runId: string, fromVersion: number, toVersion: number, blockers: readonly { readonly step: string | null; readonly reason: string }[]) {
    const listed = blockers.map((b) => (b.step === null ? b.reason : `${b.step}: ${b.reason}`)).join('; ');
    super('MigrationBlocked', `run "${runId}" cannot move from v${fromVersion} to v${toVersion}: ${listed}`, { runId, fromVersion, toVersion, blockers });
  }
}

/** A `list --where` condition that cannot be read. */
export class WhereInvalidError extends FlowlineError {
  constructor(condition: string, hint: string) {
    super('WhereInvalid', `cannot read the condition "${condition}": ${hint}`, { condition });
  }
}

export class InputInvalidError extends FlowlineError {
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[] = []) {
    super('InputInvalid', message, { issues });
    this.issues = issues;
  }
}

export class SignalNotDeclaredError extends FlowlineError {
  constructor(name: string, declared: readonly string[]) {
    super(
      'SignalNotDeclared',
      `signal "${name}" is not declared by this workflow${declared.length ? ` (declared: ${declared.join(', ')})` : ' (it declares none)'}`,
      { name, declared },
    );
  }
}

export class SignalPayloadInvalidError extends FlowlineError {
  readonly issues: readonly ValidationIssue[];
  constructor(name: string, issues: readonly ValidationIssue[]) {
    super(
      'SignalPayloadInvalid',
      `payload of signal "${name}" does not match its schema: ${issues.map((i) => `${i.pointer || '/'} ${i.message}`).join('; ')}`,
      { name, issues },
    );
    this.issues = issues;
  }
}

export class QueryNotFoundError extends FlowlineError {
  constructor(name: string, declared: readonly string[]) {
    super(
      'QueryNotFound',
      `query "${name}" is not declared by this workflow${declared.length ? ` (declared: ${declared.join(', ')})` : ''}`,
      { name, declared },
    );
  }
}

/** A payload (input, output, signal data) above the configured limit. */
export class PayloadTooLargeError extends FlowlineError {
  constructor(what: string, sizeBytes: number, limitBytes: number) {
    super(
      'PayloadTooLarge',
      `${what} is ${sizeBytes} bytes, above the limit of ${limitBytes} bytes; store large data elsewhere and pass a reference`,
      { what, sizeBytes, limitBytes },
    );
  }
}

export class ActivityModuleError extends FlowlineError {
  constructor(message: string) {
    super('ActivityModuleInvalid', message);
  }
}

/** A worker's or engine's `rateLimits` option is malformed (docs/decisions/0016-rate-limits.md). */
export class RateLimitInvalidError extends FlowlineError {
  constructor(message: string) {
    super('RateLimitInvalid', message);
  }
}

/** Redis is unreachable or misconfigured (e.g. maxmemory-policy is not noeviction). */
export class RedisConfigError extends FlowlineError {
  constructor(message: string) {
    super('RedisConfig', message);
  }
}

/** Waiting for a result took longer than the caller allowed. */
export class WaitTimeoutError extends FlowlineError {
  constructor(runId: string, timeoutMs: number) {
    super('WaitTimeout', `run "${runId}" did not finish within ${formatDuration(timeoutMs)}`, { runId, timeoutMs });
  }
}

/**
 * Redis refused a write because it reached `maxmemory` (with `noeviction`, as Flowline requires).
 * Nothing of the refused call was stored; it can be repeated once memory is freed.
 */
export class RedisFullError extends FlowlineError {
  constructor(usage: { usedBytes?: number; maxBytes?: number } = {}) {
    const known = usage.usedBytes !== undefined && usage.maxBytes !== undefined && usage.maxBytes > 0;
    super(
      'RedisFull',
      `Redis has reached maxmemory (${known ? `${formatBytes(usage.usedBytes ?? 0)}/${formatBytes(usage.maxBytes ?? 0)}` : 'limit reached'}); ` +
        'raise maxmemory or free space; nothing was stored',
      usage,
    );
  }
}

/** A byte count for people: `812.4 KB`, `1.2 MB`. Pure. */
function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Redis did not answer in time, refused the connection, or the connection was lost. Retry once
 * Redis is back. `timedOut` is true when Redis accepted the connection but did not answer in
 * time (stopped, overloaded, or a network dropping packets).
 */
export class RedisUnavailableError extends FlowlineError {
  readonly timedOut: boolean;
  constructor(message: string, cause?: unknown, options: { timedOut?: boolean } = {}) {
    super('RedisUnavailable', message, cause instanceof Error ? { cause: cause.message } : undefined);
    this.timedOut = options.timedOut ?? false;
  }
}

/** The embedded engine was closed: it starts no more runs. */
export class EngineClosedError extends FlowlineError {
  constructor() {
    super('EngineClosed', 'this engine was closed; create a new one to start runs');
  }
}

/** A try run (the studio's "Try it", `POST /v1/try`) asked for something this server cannot do. */
export class TryInvalidError extends FlowlineError {
  constructor(message: string) {
    super('TryInvalid', message);
  }
}

/** Too many try runs at once on this server: each holds a private engine until it ends. */
export class TryBusyError extends FlowlineError {
  constructor(limit: number) {
    super('TryBusy', `${limit} try runs are already going on this server; try again in a few seconds`, { limit });
  }
}
