/**
 * Flowline on Redis, one flow at one worker set-up: flows/s and steps/s under load, latency from
 * start to end (loaded, and unloaded one run at a time), INFO commandstats calls per step and
 * Redis memory per finished run (before retention expiry).
 */
import { Redis } from 'ioredis';
import { createRedisEngine } from '../src/redis.js';
import type { BenchFlow } from './redis-flows.js';
import {
  RunEnds,
  benchPrefix,
  childWorkers,
  cleanupPrefix,
  commandDelta,
  commandStats,
  inProcessWorker,
  pool,
  prefixBytes,
  round,
  usedMemory,
  perStepCounters,
  serverCounters,
} from './redis-harness.js';
import { nowMs, percentile } from './stats.js';

/** One throughput configuration. */
export interface ThroughputOptions {
  readonly url: string;
  readonly flow: BenchFlow;
  /** 1 = one in-process worker (startWorker); more = that many child worker processes. */
  readonly workers: number;
  readonly concurrency: number;
  /** Runs in the loaded batch. */
  readonly runs: number;
  /** Runs started one at a time (each after the previous ended). */
  readonly unloadedRuns: number;
  /** Runs kept in flight by the starter during the loaded batch. */
  readonly inFlight?: number;
  /** Child worker processes even for one worker (default: one worker runs in this process). */
  readonly processes?: boolean;
  /** Eager execution on the workers (default true). */
  readonly eager?: boolean;
}

/** What one configuration measured. */
export interface ThroughputResult {
  readonly flow: string;
  readonly stepsPerRun: number;
  readonly workers: number;
  readonly workerMode: string;
  /** Eager execution on the workers (docs/decisions/0013-eager-execution.md). */
  readonly eager: boolean;
  readonly concurrency: number;
  readonly runs: number;
  readonly flowsPerSecond: number;
  readonly stepsPerSecond: number;
  readonly loadedP50Ms: number;
  readonly loadedP99Ms: number;
  readonly unloadedP50Ms: number;
  readonly unloadedP99Ms: number;
  readonly unloadedStepP50Ms: number;
  /** INFO commandstats calls (all clients of this Redis) during the loaded batch, per step. */
  readonly commandsPerStep: number;
  /** Redis CPU time (user + sys, whole server) per step during the loaded batch, µs. */
  readonly redisCpuUsPerStep: number;
  /** Bytes Redis received / sent (whole server) per step during the loaded batch. */
  readonly netInBytesPerStep: number;
  readonly netOutBytesPerStep: number;
  /**
   * CPU time of the bench process per step during the loaded batch, µs (user + system): engine,
   * harness and — with an in-process worker — the worker, i.e. Node's cost per transition.
   */
  readonly nodeCpuUsPerStep: number;
  /** Calls per second the same Redis served with no bench running just before (other clients). */
  readonly backgroundCallsPerSecond: number;
  /** Busiest commands (INFO commandstats), calls per step. */
  readonly topCommands: readonly { readonly command: string; readonly perStep: number }[];
  /** used_memory growth over the loaded batch, per finished run. */
  readonly usedMemoryPerRunBytes: number;
  /** MEMORY USAGE of the prefix's keys, per finished run. */
  readonly keyBytesPerRun: number;
  readonly failedRuns: number;
}

/** Measures one configuration on a fresh prefix; removes its keys after. */
export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const { url, flow } = options;
  const eager = options.eager ?? true;
  const prefix = benchPrefix(`${flow.key}-w${options.workers}c${options.concurrency}${eager ? '' : '-lazy'}`);
  const admin = new Redis(url);
  const engine = createRedisEngine({ url, prefix });
  await engine.deploy(flow.definition);
  const ends = await RunEnds.open(url, prefix);
  const workers =
    options.workers === 1 && !options.processes
      ? await inProcessWorker(url, prefix, options.concurrency, eager)
      : await childWorkers(url, prefix, options.concurrency, options.workers, eager);
  const runOnce = async (): Promise<{ latency: number; status: string }> => {
    const startedAt = nowMs();
    const { runId } = await engine.start(flow.definition.name, { input: flow.input });
    const end = await ends.waitFor(runId);
    return { latency: end.at - startedAt, status: end.status };
  };
  try {
    // Warm-up: connections, scripts, the definition cache, JIT.
    await pool(Math.max(1, Math.min(50, options.runs, Math.round(150 / flow.steps))), 50, async () => void (await runOnce()));
    ends.forget();

    const idleBefore = await commandStats(admin);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const background = commandDelta(idleBefore, await commandStats(admin)).total;

    const memoryBefore = await usedMemory(admin);
    const keysBefore = await prefixBytes(admin, prefix);
    const statsBefore = await commandStats(admin);
    const countersBefore = await serverCounters(admin);
    const cpuBefore = process.cpuUsage();
    const latencies: number[] = [];
    let failed = 0;
    const started = nowMs();
    await pool(options.runs, options.inFlight ?? 200, async () => {
      const { latency, status } = await runOnce();
      latencies.push(latency);
      if (status !== 'completed') failed++;
    });
    const seconds = (nowMs() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const counters = await serverCounters(admin);
    const commands = commandDelta(statsBefore, await commandStats(admin));
    const memoryAfter = await usedMemory(admin);
    const keysAfter = await prefixBytes(admin, prefix);

    const unloaded: number[] = [];
    for (let i = 0; i < options.unloadedRuns; i++) {
      const { latency, status } = await runOnce();
      unloaded.push(latency);
      if (status !== 'completed') failed++;
    }
    const steps = options.runs * flow.steps;
    return {
      flow: flow.key,
      stepsPerRun: flow.steps,
      workers: options.workers,
      workerMode: workers.mode,
      eager,
      concurrency: options.concurrency,
      runs: options.runs,
      flowsPerSecond: round(options.runs / seconds),
      stepsPerSecond: round(steps / seconds),
      loadedP50Ms: round(percentile(latencies, 50)),
      loadedP99Ms: round(percentile(latencies, 99)),
      unloadedP50Ms: round(percentile(unloaded, 50)),
      unloadedP99Ms: round(percentile(unloaded, 99)),
      unloadedStepP50Ms: round(percentile(unloaded, 50) / flow.steps),
      commandsPerStep: round(commands.total / steps),
      ...perStepCounters(countersBefore, counters, steps),
      nodeCpuUsPerStep: round((cpu.user + cpu.system) / steps),
      backgroundCallsPerSecond: background,
      topCommands: commands.top.map((c) => ({ command: c.command, perStep: round(c.calls / steps) })),
      usedMemoryPerRunBytes: Math.round((memoryAfter - memoryBefore) / options.runs),
      keyBytesPerRun: Math.round((keysAfter.bytes - keysBefore.bytes) / options.runs),
      failedRuns: failed,
    };
  } finally {
    await workers.close();
    await ends.close();
    await engine.close();
    await cleanupPrefix(admin, prefix);
    admin.disconnect();
  }
}
