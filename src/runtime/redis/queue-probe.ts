/**
 * Operators' views of Flowline's queues, Redis side: finds the BullMQ queues under a prefix and
 * opens them ({@link QueueCatalog}, which the bull-board UI in src/dashboard/ shows), and reads
 * job counts, Redis memory and liveness for the worker's /metrics and /healthz
 * ({@link QueueProbe}). Lives in the Redis adapter because these need BullMQ `Queue` objects and
 * an ioredis client; the UI itself does not.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectionOptions, createClient, type RedisConnection } from './connection.js';
import { DEFAULT_PREFIX, KeyLayout } from './keys.js';
import type { QueueJobCounts, RedisMemory } from '../../observability/metrics.js';
import { RUN_STATUSES, type RunStatus } from '../../interpreter/types.js';

export type { RedisConnection } from './connection.js';
export { DEFAULT_PREFIX } from './keys.js';

/** A BullMQ queue of a Flowline deployment, as bull-board's BullMQ adapter takes it. */
export type FlowlineQueue = Queue;

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
 * The queues under a prefix, each opened once on a connection of its own (not blocking: an
 * unreachable Redis makes a scan fail instead of hang). Side effects: a Redis connection; SCAN
 * on each {@link QueueCatalog.current} call.
 */
export class QueueCatalog {
  /** The catalog's connection; the probe reads INFO and the status indexes on it too. */
  readonly client: Redis;
  private readonly queues = new Map<string, Queue>();

  constructor(
    connection: RedisConnection | undefined,
    readonly prefix: string = DEFAULT_PREFIX,
  ) {
    this.client = createClient(connectionOptions(connection), { blocking: false });
    // An 'error' listener keeps ioredis from printing every reconnection attempt as unhandled.
    this.client.on('error', () => undefined);
  }

  /** The queues that exist now, sorted by name; those seen for the first time are opened. */
  async current(): Promise<Array<{ readonly name: string; readonly queue: FlowlineQueue }>> {
    const names = await discoverQueueNames(this.client, this.prefix);
    return names.map((name) => {
      let queue = this.queues.get(name);
      if (!queue) this.queues.set(name, (queue = new Queue(name, { connection: this.client, prefix: this.prefix })));
      return { name, queue };
    });
  }

  /** Closes the queues and the connection; `force` drops the connection without waiting for Redis. */
  async close(options: { readonly force?: boolean } = {}): Promise<void> {
    if (options.force) {
      this.client.disconnect();
      return;
    }
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/**
 * Scrape-time readings for the metrics collectors and the liveness probe. Side effects: a Redis
 * connection; SCAN and BullMQ count commands on each reading.
 */
export class QueueProbe {
  private readonly catalog: QueueCatalog;

  constructor(connection: RedisConnection | undefined, prefix: string = DEFAULT_PREFIX) {
    this.catalog = new QueueCatalog(connection, prefix);
  }

  /** Job counts of every Flowline queue under the prefix. */
  async jobCounts(): Promise<QueueJobCounts[]> {
    return Promise.all(
      (await this.catalog.current()).map(async ({ name, queue }) => {
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
    const info = await this.catalog.client.info('memory');
    const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return { usedBytes: field('used_memory'), maxBytes: field('maxmemory') };
  }

  /** Runs kept in Redis by status, from the status indexes (one ZCARD each, pipelined). */
  async runCounts(): Promise<Record<RunStatus, number>> {
    const keys = new KeyLayout(this.catalog.prefix);
    const pipeline = this.catalog.client.pipeline();
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
    return (await this.catalog.client.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    await this.catalog.close();
  }
}
