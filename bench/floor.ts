/**
 * The floor: a hand-written BullMQ chain doing the work of a 3-step flow without Flowline —
 * each step is a job whose processor, on completion, adds the next step's job (no-op handlers).
 * Flowline's per-step overhead on Redis is measured against this (issue 6).
 *
 * Run alone: npx tsx bench/floor.ts [--flows 1000] [--steps 3] [--concurrency 50]
 */
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { parseArgs } from 'node:util';
import { nowMs, percentile } from './stats.js';

interface StepData {
  readonly flow: number;
  readonly step: number;
  readonly startedAt: number;
}

export interface FloorResult {
  readonly flows: number;
  readonly stepsPerFlow: number;
  readonly concurrency: number;
  readonly loaded: { readonly flowsPerSecond: number; readonly stepsPerSecond: number; readonly p50Ms: number; readonly p99Ms: number };
  readonly unloaded: { readonly flowP50Ms: number; readonly flowP99Ms: number; readonly stepP50Ms: number };
}

/** Measures the hand-written chain on a fresh queue under `prefix`; removes its keys after. */
export async function measureFloor(options: {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly flows: number;
  readonly stepsPerFlow: number;
  readonly concurrency: number;
  readonly unloadedFlows: number;
}): Promise<FloorResult> {
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queueName = 'floor';
  const queue = new Queue<StepData>(queueName, { connection, prefix: options.prefix });
  const latencies: number[] = [];
  let finished = 0;
  let onFinished: (() => void) | undefined;
  let target = 0;

  const worker = new Worker<StepData>(
    queueName,
    async (job: Job<StepData>) => {
      const { flow, step, startedAt } = job.data;
      if (step + 1 < options.stepsPerFlow) {
        await queue.add('step', { flow, step: step + 1, startedAt }, { removeOnComplete: true, removeOnFail: true });
      } else {
        latencies.push(nowMs() - startedAt);
        finished++;
        if (finished >= target) onFinished?.();
      }
    },
    { connection: connection.duplicate(), prefix: options.prefix, concurrency: options.concurrency },
  );
  await worker.waitUntilReady();

  const runBatch = async (count: number, oneAtATime: boolean): Promise<number> => {
    finished = 0;
    latencies.length = 0;
    const started = performance.now();
    if (oneAtATime) {
      for (let i = 0; i < count; i++) {
        target = i + 1;
        const done = new Promise<void>((resolve) => (onFinished = resolve));
        await queue.add('step', { flow: i, step: 0, startedAt: nowMs() }, { removeOnComplete: true, removeOnFail: true });
        await done;
      }
    } else {
      target = count;
      const done = new Promise<void>((resolve) => (onFinished = resolve));
      await queue.addBulk(
        Array.from({ length: count }, (_, i) => ({
          name: 'step',
          data: { flow: i, step: 0, startedAt: nowMs() },
          opts: { removeOnComplete: true, removeOnFail: true },
        })),
      );
      await done;
    }
    return (performance.now() - started) / 1000;
  };

  // Warm up connections and scripts.
  await runBatch(Math.min(50, options.flows), false);
  const seconds = await runBatch(options.flows, false);
  const loadedLatencies = [...latencies];
  await runBatch(options.unloadedFlows, true);
  const unloadedLatencies = [...latencies];

  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await connection.quit();

  const flowP50 = percentile(unloadedLatencies, 50);
  return {
    flows: options.flows,
    stepsPerFlow: options.stepsPerFlow,
    concurrency: options.concurrency,
    loaded: {
      flowsPerSecond: options.flows / seconds,
      stepsPerSecond: (options.flows * options.stepsPerFlow) / seconds,
      p50Ms: percentile(loadedLatencies, 50),
      p99Ms: percentile(loadedLatencies, 99),
    },
    unloaded: { flowP50Ms: flowP50, flowP99Ms: percentile(unloadedLatencies, 99), stepP50Ms: flowP50 / options.stepsPerFlow },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      flows: { type: 'string', default: '1000' },
      steps: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '50' },
      redis: { type: 'string', default: process.env.FLOWLINE_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    },
  });
  const result = await measureFloor({
    redisUrl: values.redis,
    prefix: `flbench-floor-${process.pid}`,
    flows: Number(values.flows),
    stepsPerFlow: Number(values.steps),
    concurrency: Number(values.concurrency),
    unloadedFlows: 100,
  });
  console.log(JSON.stringify(result, null, 2));
}
