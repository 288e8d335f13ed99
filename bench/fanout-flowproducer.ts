/**
 * The 10-way fan-out/fan-in done with BullMQ's FlowProducer, without Flowline: a parent job with
 * `width` children (no-op processors); the flow ends when the parent is processed. Compared with
 * Flowline's `parallel` of the same width plus a joining call (bench/redis-flows.ts fanOutFlow).
 */
import { FlowProducer, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { cleanupPrefix, pool, round } from './redis-harness.js';
import { nowMs, percentile } from './stats.js';

/** What the FlowProducer measurement found. */
export interface FlowProducerResult {
  readonly width: number;
  readonly concurrency: number;
  readonly flows: number;
  readonly flowsPerSecond: number;
  /** Jobs per second (children + parent). */
  readonly jobsPerSecond: number;
  readonly loadedP50Ms: number;
  readonly loadedP99Ms: number;
  readonly unloadedP50Ms: number;
}

/** Measures `flows` parent-with-children flows, `inFlight` at a time, one in-process worker per queue at `concurrency`. */
export async function measureFlowProducer(options: {
  readonly url: string;
  readonly prefix: string;
  readonly flows: number;
  readonly width: number;
  readonly concurrency: number;
  readonly unloadedFlows: number;
  readonly inFlight?: number;
}): Promise<FlowProducerResult> {
  const { url, prefix, width } = options;
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const producer = new FlowProducer({ connection, prefix });
  const waiters = new Map<string, () => void>();
  const noop = async (): Promise<null> => null;
  const children = new Worker('fp-children', noop, { connection: connection.duplicate(), prefix, concurrency: options.concurrency });
  const parents = new Worker(
    'fp-parent',
    async (job) => {
      waiters.get(job.data.flow as string)?.();
      return null;
    },
    { connection: connection.duplicate(), prefix, concurrency: options.concurrency },
  );
  await Promise.all([children.waitUntilReady(), parents.waitUntilReady()]);
  let counter = 0;
  const runOne = async (): Promise<number> => {
    const flow = `f${counter++}`;
    const started = nowMs();
    const done = new Promise<void>((resolve) => waiters.set(flow, resolve));
    await producer.add({
      name: 'parent',
      queueName: 'fp-parent',
      data: { flow },
      opts: { removeOnComplete: true, removeOnFail: true },
      children: Array.from({ length: width }, (_, i) => ({
        name: 'child',
        queueName: 'fp-children',
        data: { flow, i },
        opts: { removeOnComplete: true, removeOnFail: true },
      })),
    });
    await done;
    waiters.delete(flow);
    return nowMs() - started;
  };
  try {
    await pool(Math.min(50, options.flows), 50, async () => void (await runOne()));
    const latencies: number[] = [];
    const started = nowMs();
    await pool(options.flows, options.inFlight ?? 200, async () => void latencies.push(await runOne()));
    const seconds = (nowMs() - started) / 1000;
    const unloaded: number[] = [];
    for (let i = 0; i < options.unloadedFlows; i++) unloaded.push(await runOne());
    return {
      width,
      concurrency: options.concurrency,
      flows: options.flows,
      flowsPerSecond: round(options.flows / seconds),
      jobsPerSecond: round((options.flows * (width + 1)) / seconds),
      loadedP50Ms: round(percentile(latencies, 50)),
      loadedP99Ms: round(percentile(latencies, 99)),
      unloadedP50Ms: round(percentile(unloaded, 50)),
    };
  } finally {
    await Promise.all([children.close(), parents.close()]);
    await producer.close();
    for (const name of ['fp-children', 'fp-parent']) {
      const queue = new Queue(name, { connection, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await cleanupPrefix(connection, prefix);
    await connection.quit();
  }
}
