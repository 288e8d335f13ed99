/**
 * The queue dashboard: bull-board showing a deployment's BullMQ queues, mounted on any bull-board
 * server adapter (Express, Fastify, …). The queues come from the Redis adapter's catalog
 * (runtime/redis/queue-probe.ts), so this room touches bull-board and nothing of Redis itself.
 */
import type { IServerAdapter } from '@bull-board/api/typings/app';
import { DEFAULT_PREFIX, QueueCatalog, type RedisConnection } from '../runtime/redis/queue-probe.js';

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

/**
 * Registers Flowline's queues with `serverAdapter` (an `ExpressAdapter`, `FastifyAdapter`, …
 * from `@bull-board/<server>`), then keeps looking for new ones. Side effects: a Redis connection
 * shared by every queue, a periodic SCAN.
 */
export async function mountQueueBoard(serverAdapter: IServerAdapter, options: QueueBoardOptions = {}): Promise<QueueBoard> {
  // Loaded on demand: importing Flowline must not load the dashboard's packages.
  const [{ createBullBoard }, { BullMQAdapter }] = await Promise.all([import('@bull-board/api'), import('@bull-board/api/bullMQAdapter')]);
  const catalog = new QueueCatalog(options.connection, options.prefix ?? DEFAULT_PREFIX);
  const readOnlyMode = options.readOnly ?? true;
  const shown = new Set<string>();
  const board = createBullBoard({
    queues: [],
    serverAdapter,
    options: { uiConfig: { boardTitle: options.title ?? 'Flowline' } },
  });

  const sortedNames = (): readonly string[] => [...shown].sort();
  const refresh = async (): Promise<readonly string[]> => {
    for (const { name, queue } of await catalog.current()) {
      if (shown.has(name)) continue;
      shown.add(name);
      board.addQueue(new BullMQAdapter(queue, { readOnlyMode, description: describeQueue(name) }));
    }
    return sortedNames();
  };
  try {
    await refresh();
  } catch (error) {
    await catalog.close({ force: true });
    throw error;
  }

  const intervalMs = options.refreshIntervalMs ?? 30_000;
  const timer = intervalMs > 0 ? setInterval(() => void refresh().catch(() => undefined), intervalMs) : undefined;
  timer?.unref();
  let closing: Promise<void> | undefined;
  return {
    queues: sortedNames,
    refresh,
    close() {
      closing ??= (async () => {
        if (timer) clearInterval(timer);
        await catalog.close();
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
