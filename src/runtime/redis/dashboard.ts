/**
 * Operators' views of Flowline's queues, Redis side: finds the BullMQ queues under a prefix,
 * registers them with a bull-board server adapter (Express, Fastify, …), and reads job counts,
 * Redis memory and liveness for the worker's /metrics and /healthz. Lives here because these
 * need BullMQ `Queue` objects and an ioredis client.
 */
import type { IServerAdapter } from '@bull-board/api/typings/app';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectionOptions, createClient, type RedisConnection } from './connection.js';
import { DEFAULT_PREFIX, KeyLayout } from './keys.js';
import type { QueueJobCounts, RedisMemory } from '../../observability/metrics.js';
import { RUN_STATUSES, type RunStatus } from '../../interpreter/types.js';

/** Options of {@link mountQueueBoard}. */
export interface QueueBoardOptions {
  /** Redis URL or ioredis options (default redis://127.0.0.1:6379). */
  readonly connection?: RedisConnection;
  /** Flowline key prefix, which is also the BullMQ prefix (default `flowline`). */
  readonly prefix?: string;
  /** Hide retry/remove/promote buttons (default true: Flowline's runs own their jobs). */
  readonly readOnly?: boolean;
  /** Look for new queues (e.g. a new task queue) this often, in ms (default 30 000; 0 = never). */
  readonly refreshIntervalMs?: number;
  /** Title shown in the UI (default `Flowline`). */
  readonly title?: string;
}

/** A bull-board showing Flowline's queues. */
export interface QueueBoard {
  /** Queue names shown, sorted. */
  queues(): readonly string[];
  /** Scans Redis for queues that appeared since, and adds them. Resolves to the names shown. */
  refresh(): Promise<readonly string[]>;
  /** Stops refreshing and closes the queues and the connection. */
  close(): Promise<void>;
}

/** Escapes glob characters so a prefix is matched literally by SCAN MATCH. Pure. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Names of the BullMQ queues under `prefix`: every key `<prefix>:<queue>:meta`. Side effects: SCAN
 * (non-blocking, in batches), never KEYS.
 */
export async function discoverQueueNames(client: Redis, prefix: string = DEFAULT_PREFIX): Promise<string[]> {
  const names = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${globLiteral(prefix)}:*:meta`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const name = key.slice(prefix.length + 1, -':meta'.length);
      // Run keys hold `{…}` hash tags; BullMQ queue names never contain ':'.
      if (name !== '' && !name.includes(':')) names.add(name);
    }
  } while (cursor !== '0');
  return [...names].sort();
}

/**
 * Registers Flowline's queues with `serverAdapter` (an `ExpressAdapter`, `FastifyAdapter`, …
 * from `@bull-board/<server>`), then keeps looking for new ones. Side effects: a Redis connection
 * shared by every queue, a periodic SCAN.
 */
export async function mountQueueBoard(serverAdapter: IServerAdapter, options: QueueBoardOptions = {}): Promise<QueueBoard> {
  // Loaded on demand: importing Flowline must not load the dashboard's packages.
  const [{ createBullBoard }, { BullMQAdapter }] = await Promise.all([import('@bull-board/api'), import('@bull-board/api/bullMQAdapter')]);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  // Not blocking: an unreachable Redis fails the start-up scan with an error instead of hanging.
  const client = createClient(connectionOptions(options.connection), { blocking: false });
  client.on('error', () => undefined);
  const readOnlyMode = options.readOnly ?? true;
  const queues = new Map<string, Queue>();
  const board = createBullBoard({
    queues: [],
    serverAdapter,
    options: { uiConfig: { boardTitle: options.title ?? 'Flowline' } },
  });

  const refresh = async (): Promise<readonly string[]> => {
    for (const name of await discoverQueueNames(client, prefix)) {
      if (queues.has(name)) continue;
      const queue = new Queue(name, { connection: client, prefix });
      queues.set(name, queue);
      board.addQueue(new BullMQAdapter(queue, { readOnlyMode, description: describeQueue(name) }));
    }
    return [...queues.keys()].sort();
  };
  try {
    await refresh();
  } catch (error) {
    client.disconnect();
    throw error;
  }

  const intervalMs = options.refreshIntervalMs ?? 30_000;
  const timer = intervalMs > 0 ? setInterval(() => void refresh().catch(() => undefined), intervalMs) : undefined;
  timer?.unref();
  let closing: Promise<void> | undefined;
  return {
    queues: () => [...queues.keys()].sort(),
    refresh,
    close() {
      closing ??= (async () => {
        if (timer) clearInterval(timer);
        await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
        await client.quit().catch(() => client.disconnect());
      })();
      return closing;
    },
  };
}

/** A line shown under each queue in the UI. Pure. */
function describeQueue(name: string): string {
  if (name.startsWith('activities.')) return `activity attempts of task queue "${name.slice('activities.'.length)}"`;
  switch (name) {
    case 'timers':
      return 'durable timers: waits, retry backoff, step and run timeouts';
    case 'interpreter':
      return 'child runs and parent notifications';
    case 'schedules':
      return 'cron and interval schedules';
    default:
      return 'Flowline queue';
  }
}

/**
 * Scrape-time readings for the metrics collectors and the liveness probe, on a connection of its
 * own (not blocking: an unreachable Redis makes a reading fail instead of hang). Side effects:
 * a Redis connection; SCAN and BullMQ count commands on each reading.
 */
export class QueueProbe {
  private readonly client: Redis;
  private readonly queues = new Map<string, Queue>();

  constructor(
    connection: RedisConnection | undefined,
    private readonly prefix: string = DEFAULT_PREFIX,
  ) {
    this.client = createClient(connectionOptions(connection), { blocking: false });
    this.client.on('error', () => undefined);
  }

  /** Job counts of every Flowline queue under the prefix. */
  async jobCounts(): Promise<QueueJobCounts[]> {
    const names = await discoverQueueNames(this.client, this.prefix);
    return Promise.all(
      names.map(async (name) => {
        let queue = this.queues.get(name);
        if (!queue) this.queues.set(name, (queue = new Queue(name, { connection: this.client, prefix: this.prefix })));
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
        return {
          queue: name,
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          prioritized: counts.prioritized ?? 0,
          failed: counts.failed ?? 0,
        };
      }),
    );
  }

  /** `used_memory` and `maxmemory` from INFO memory. */
  async memory(): Promise<RedisMemory> {
    const info = await this.client.info('memory');
    const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return { usedBytes: field('used_memory'), maxBytes: field('maxmemory') };
  }

  /** Runs kept in Redis by status, from the status indexes (one ZCARD each, pipelined). */
  async runCounts(): Promise<Record<RunStatus, number>> {
    const keys = new KeyLayout(this.prefix);
    const pipeline = this.client.pipeline();
    for (const status of RUN_STATUSES) pipeline.zcard(keys.indexStatus(status));
    const replies = (await pipeline.exec()) ?? [];
    const counts = {} as Record<RunStatus, number>;
    RUN_STATUSES.forEach((status, i) => {
      const [error, value] = replies[i] ?? [];
      if (error) throw error;
      counts[status] = Number(value ?? 0);
    });
    return counts;
  }

  /** True when Redis answers PING. */
  async ping(): Promise<boolean> {
    return (await this.client.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
