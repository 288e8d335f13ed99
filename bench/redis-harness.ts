/**
 * Shared plumbing of the Redis benchmarks: unique prefixes and their clean-up, INFO snapshots
 * (commandstats, memory), Flowline workers in-process or as child processes, and run-end tracking
 * through the prefix's pub/sub channel (so waiting for results adds no Redis reads).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { startWorker, type WorkerHandle } from '../src/redis.js';
import noopActivities from './noop-activities.js';
import { nowMs } from './stats.js';

/** The repository root (bin/flowline.js lives there). */
export const ROOT = resolve(import.meta.dirname, '..');

/** A fresh key prefix for one measurement. */
export function benchPrefix(name: string): string {
  return `flbench-${name}-${randomBytes(3).toString('hex')}`;
}

/** Deletes every key under `prefix` (SCAN + UNLINK). Returns how many were deleted. */
export async function cleanupPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Calls per command from INFO commandstats (counts commands run inside Lua scripts too). */
export async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const stats = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) stats.set(match[1], Number(match[2]));
  }
  return stats;
}

/** The difference of two commandstats snapshots: total calls and the busiest commands. */
export interface CommandDelta {
  readonly total: number;
  readonly top: readonly { readonly command: string; readonly calls: number }[];
}

/** `after − before`, leaving out the INFO calls the bench itself made. Pure. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>, topN = 8): CommandDelta {
  const rows: { command: string; calls: number }[] = [];
  for (const [command, calls] of after) {
    if (command === 'info') continue;
    const delta = calls - (before.get(command) ?? 0);
    if (delta > 0) rows.push({ command, calls: delta });
  }
  rows.sort((a, b) => b.calls - a.calls);
  return { total: rows.reduce((sum, r) => sum + r.calls, 0), top: rows.slice(0, topN) };
}

/** Redis CPU seconds (user + sys) and network bytes so far (INFO cpu, INFO stats): all clients of the server. */
export interface ServerCounters {
  readonly cpuSeconds: number;
  readonly netInBytes: number;
  readonly netOutBytes: number;
}

/** Reads {@link ServerCounters}. */
export async function serverCounters(redis: Redis): Promise<ServerCounters> {
  const cpu = await redis.info('cpu');
  const stats = await redis.info('stats');
  const field = (pattern: RegExp, text: string): number => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    cpuSeconds: field(/used_cpu_sys:([\d.]+)/, cpu) + field(/used_cpu_user:([\d.]+)/, cpu),
    netInBytes: field(/total_net_input_bytes:(\d+)/, stats),
    netOutBytes: field(/total_net_output_bytes:(\d+)/, stats),
  };
}

/** Per-step Redis CPU (µs) and bytes received/sent between two {@link ServerCounters}. Pure. */
export function perStepCounters(before: ServerCounters, after: ServerCounters, steps: number): { redisCpuUsPerStep: number; netInBytesPerStep: number; netOutBytesPerStep: number } {
  return {
    redisCpuUsPerStep: round(((after.cpuSeconds - before.cpuSeconds) * 1e6) / steps),
    netInBytesPerStep: Math.round((after.netInBytes - before.netInBytes) / steps),
    netOutBytesPerStep: Math.round((after.netOutBytes - before.netOutBytes) / steps),
  };
}

/** INFO memory used_memory, in bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

/** Bytes held by the keys of a prefix, in all and by key family (`run:{id}:history`, `idx:all`…). */
export interface PrefixBytes {
  readonly keys: number;
  readonly bytes: number;
  readonly byFamily: Readonly<Record<string, { keys: number; bytes: number }>>;
}

/**
 * Bytes held by the keys under `prefix` (sum of MEMORY USAGE … SAMPLES 0, pipelined): unlike a
 * used_memory delta, other clients of a shared Redis do not disturb it.
 */
export async function prefixBytes(redis: Redis, prefix: string): Promise<PrefixBytes> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  const byFamily: Record<string, { keys: number; bytes: number }> = {};
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, value], i) => {
      if (error || typeof value !== 'number') return;
      keys++;
      bytes += value;
      const family = keyFamily(prefix, batch[i] as string);
      const entry = (byFamily[family] ??= { keys: 0, bytes: 0 });
      entry.keys++;
      entry.bytes += value;
    });
  } while (cursor !== '0');
  return { keys, bytes, byFamily };
}

/** A key without its prefix, run id and BullMQ job id: `run:{id}:history`, `activities.default:id`. Pure. */
export function keyFamily(prefix: string, key: string): string {
  return key
    .slice(prefix.length + 1)
    .replace(/\{[^}]*\}/g, '{id}')
    .replace(/:(act|tmr|chd|ntf|cch)-[^:]+/g, ':<job>')
    .replace(/:[0-9a-f]{8}-[0-9a-f-]{27,}/g, ':<id>')
    .replace(/:\d+$/g, ':<n>');
}

/** Flowline workers serving one prefix. */
export interface WorkerSet {
  /** "in-process" (startWorker) or "child processes" (bin/flowline.js worker). */
  readonly mode: string;
  close(): Promise<void>;
}

/** One worker in this process (`startWorker`, no observer), serving the no-op activities; `eager: false` queues every attempt as a job. */
export async function inProcessWorker(url: string, prefix: string, concurrency: number, eager = true): Promise<WorkerSet> {
  const handle: WorkerHandle = await startWorker({ url, prefix, activities: noopActivities, concurrency, maintenanceIntervalMs: 0, eager });
  return { mode: 'in-process startWorker', close: () => handle.close() };
}

/** `count` worker processes: `node bin/flowline.js worker --activities bench/noop-activities.ts --concurrency N --prefix P`. */
export async function childWorkers(url: string, prefix: string, concurrency: number, count: number, eager = true): Promise<WorkerSet> {
  const children = await Promise.all(Array.from({ length: count }, () => spawnWorker(url, prefix, concurrency, eager)));
  return {
    mode: `${count} child process${count === 1 ? '' : 'es'} (bin/flowline.js worker)`,
    close: async () => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

function spawnWorker(url: string, prefix: string, concurrency: number, eager: boolean): Promise<ChildProcess> {
  const args = [resolve(ROOT, 'bin/flowline.js'), 'worker', '--activities', 'bench/noop-activities.ts', '--concurrency', String(concurrency), '--prefix', prefix, '--redis', url, '--maintenance-interval', '600000', ...(eager ? [] : ['--no-eager'])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, FLOWLINE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((ready, fail) => {
    let stderr = '';
    const onExit = (code: number | null): void => fail(new Error(`worker exited ${code}: ${stderr}`));
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 20_000) stderr += chunk.toString();
      if (stderr.includes('worker ready')) {
        child.off('exit', onExit);
        ready(child);
      }
    });
    child.on('exit', onExit);
  });
}

/** Tracks run ends announced on `<prefix>:events`: when each run ended and with which status. */
export class RunEnds {
  private readonly ended = new Map<string, { at: number; status: string }>();
  private readonly waiters = new Map<string, () => void>();

  private constructor(private readonly subscriber: Redis) {}

  /** Subscribes before any run starts. */
  static async open(url: string, prefix: string): Promise<RunEnds> {
    const subscriber = new Redis(url, { maxRetriesPerRequest: null });
    const ends = new RunEnds(subscriber);
    subscriber.on('message', (_channel: string, text: string) => {
      const message = JSON.parse(text) as { kind: string; runId: string; status: string };
      if (message.kind !== 'ended') return;
      ends.ended.set(message.runId, { at: nowMs(), status: message.status });
      ends.waiters.get(message.runId)?.();
    });
    await subscriber.subscribe(`${prefix}:events`);
    return ends;
  }

  /** Resolves when `runId` has ended (at once when it already has), with its end time and status. */
  waitFor(runId: string, timeoutMs = 600_000): Promise<{ at: number; status: string }> {
    const known = this.ended.get(runId);
    if (known) return Promise.resolve(known);
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        this.waiters.delete(runId);
        fail(new Error(`run ${runId} did not end within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(runId, () => {
        clearTimeout(timer);
        this.waiters.delete(runId);
        done(this.ended.get(runId) as { at: number; status: string });
      });
    });
  }

  /** How many runs ended with each status. */
  statusCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { status } of this.ended.values()) counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }

  forget(): void {
    this.ended.clear();
  }

  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}

/** Runs `task(i)` for i in [0, count) with at most `parallel` in flight. */
export async function pool(count: number, parallel: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Shortens numbers for tables and JSON (3 significant digits). Pure. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 4)));
}
