/**
 * A full Redis (`maxmemory` reached under `noeviction`): recognising its refusals, the typed
 * error API callers get, and the gate workers wait on until memory is freed — so they neither
 * re-run activity handlers whose answers cannot be stored nor flood their logs.
 */
import type { Redis } from 'ioredis';
import { RedisFullError } from '../../errors.js';

/** The start of Redis's refusal of a write at maxmemory (also inside scripts and MULTI). */
const OOM_REPLY = /^OOM command not allowed|\bOOM command not allowed when used memory/;

/**
 * True when `error` is Redis refusing a write because maxmemory is reached: the plain reply, a
 * script's refusal, or an EXECABORT whose queued commands were refused for that reason. Pure.
 */
export function isRedisFullError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (OOM_REPLY.test(error.message)) return true;
  const previous = (error as { previousErrors?: unknown }).previousErrors;
  if (/^EXECABORT/.test(error.message) && Array.isArray(previous)) return previous.some((e) => isRedisFullError(e));
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isRedisFullError(cause);
}

/** Used memory and maxmemory (bytes; max 0 = no limit), from INFO memory; undefined when INFO is refused. */
export async function memoryUsage(client: Redis): Promise<{ usedBytes: number; maxBytes: number } | undefined> {
  try {
    const info = await client.info('memory');
    const used = /^used_memory:(\d+)/m.exec(info)?.[1];
    const max = /^maxmemory:(\d+)/m.exec(info)?.[1];
    return used === undefined || max === undefined ? undefined : { usedBytes: Number(used), maxBytes: Number(max) };
  } catch {
    return undefined;
  }
}

/** The RedisFullError for a refusal, with the usage when Redis tells it. */
export async function redisFullError(client: Redis): Promise<RedisFullError> {
  return new RedisFullError((await memoryUsage(client)) ?? {});
}

/** The logger a gate reports to (pino's shape). */
export interface GateLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link MemoryGate}. */
export interface MemoryGateOptions {
  /** How often Redis's memory is looked at while full (ms, default 1 000). */
  readonly probeMs?: number;
  /** The "Redis is full" line is written at most once per this interval (ms, default 30 000). */
  readonly logEveryMs?: number;
  readonly now?: () => number;
}

/** Why a wait on the gate ended without memory: the worker is stopping. */
export class MemoryGateClosedError extends Error {
  constructor() {
    super('the worker is stopping while Redis is full; the job is handed back');
    this.name = 'MemoryGateClosed';
  }
}

/**
 * Open while Redis accepts writes. A refusal (`noteError`) closes it: work waits on
 * `whenWritable()` while a probe reads INFO memory every `probeMs` and opens it again once used
 * memory is below maxmemory (or, when INFO is refused, after a backoff, letting the next write
 * find out). Costs nothing while open: no timer, no call.
 */
export class MemoryGate {
  private full = false;
  private opened: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  private fail: (error: Error) => void = () => undefined;
  private probe: NodeJS.Timeout | undefined;
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  private readonly probeMs: number;
  private readonly logEveryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: Redis,
    private readonly log: GateLogger,
    options: MemoryGateOptions = {},
  ) {
    this.probeMs = options.probeMs ?? 1_000;
    this.logEveryMs = options.logEveryMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** True while Redis is known to refuse writes. */
  get isFull(): boolean {
    return this.full;
  }

  /** Closes the gate when `error` is a maxmemory refusal; returns whether it was. */
  noteError(error: unknown): boolean {
    if (!isRedisFullError(error)) return false;
    this.markFull();
    return true;
  }

  /** Resolves at once while Redis accepts writes, else once it does again. Rejects when the gate is closed for good. */
  whenWritable(): Promise<void> {
    if (this.closed) return Promise.reject(new MemoryGateClosedError());
    return this.full ? this.opened : Promise.resolve();
  }

  /** Stops probing; waiters are released with MemoryGateClosedError. */
  close(): void {
    this.closed = true;
    if (this.probe) clearTimeout(this.probe);
    this.probe = undefined;
    if (this.full) this.fail(new MemoryGateClosedError());
  }

  private markFull(): void {
    if (this.now() - this.lastLogAt >= this.logEveryMs) {
      this.lastLogAt = this.now();
      this.log.warn({ redisFull: true }, 'flowline: Redis is full (maxmemory reached); waiting for memory to be freed');
    }
    if (this.full || this.closed) return;
    this.full = true;
    this.opened = new Promise<void>((resolve, reject) => {
      this.open = resolve;
      this.fail = reject;
    });
    // A waiter that is released by close() must not become an unhandled rejection.
    this.opened.catch(() => undefined);
    this.schedule(this.probeMs);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.probe = setTimeout(() => void this.check(delayMs), delayMs);
    this.probe.unref();
  }

  private async check(delayMs: number): Promise<void> {
    const usage = await memoryUsage(this.client);
    if (this.closed) return;
    if (usage === undefined) {
      // INFO refused (ACLs) or Redis unreachable: after a backoff, let the next write find out.
      if (delayMs >= 4 * this.probeMs) return this.reopen();
      return this.schedule(Math.min(delayMs * 2, 30_000));
    }
    if (usage.maxBytes === 0 || usage.usedBytes < usage.maxBytes) return this.reopen();
    this.schedule(this.probeMs);
  }

  private reopen(): void {
    this.full = false;
    this.probe = undefined;
    this.log.warn({ redisFull: false }, 'flowline: Redis accepts writes again; work resumes');
    this.open();
  }
}
