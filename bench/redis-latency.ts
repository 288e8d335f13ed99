/**
 * Unloaded latency per step, Flowline against the floor, measured in alternating rounds (floor,
 * Flowline, floor, …) so a machine whose load drifts during the bench weighs on both alike.
 */
import { createRedisEngine } from '../src/redis.js';
import { measureFloor } from './floor.js';
import { sequenceFlow } from './redis-flows.js';
import { RunEnds, benchPrefix, cleanupPrefix, inProcessWorker, round } from './redis-harness.js';
import { Redis } from 'ioredis';
import { nowMs, percentile } from './stats.js';

/** Per-step latency of 3-step flows run one at a time, both sides measured in the same rounds. */
export interface PairedLatency {
  readonly rounds: number;
  readonly runsPerRound: number;
  /** Median over all floor flows of (flow latency ÷ 3). */
  readonly floorStepP50Ms: number;
  readonly flowlineStepP50Ms: number;
  readonly floorFlowP99Ms: number;
  readonly flowlineFlowP99Ms: number;
  readonly ratio: number;
  /** The same Flowline side with eager execution off, measured in the same rounds. */
  readonly noEager?: { readonly flowlineStepP50Ms: number; readonly flowlineFlowP99Ms: number; readonly ratio: number };
}

/** One Flowline side: an engine and an in-process worker on a prefix of their own. */
async function flowlineSide(url: string, eager: boolean) {
  const flow = sequenceFlow(3);
  const prefix = benchPrefix(eager ? 'paired' : 'paired-lazy');
  const engine = createRedisEngine({ url, prefix });
  await engine.deploy(flow.definition);
  const ends = await RunEnds.open(url, prefix);
  const workers = await inProcessWorker(url, prefix, 50, eager);
  const latencies: number[] = [];
  return {
    latencies,
    async runOnce(record = true): Promise<void> {
      const started = nowMs();
      const end = await ends.waitFor((await engine.start(flow.definition.name)).runId);
      if (record) latencies.push(end.at - started);
    },
    async close(admin: Redis): Promise<void> {
      await workers.close();
      await ends.close();
      await engine.close();
      await cleanupPrefix(admin, prefix);
    },
  };
}

/**
 * `rounds` × (`runsPerRound` floor flows, then as many Flowline seq3 runs on one in-process worker
 * at concurrency 50 with eager execution, then as many without).
 */
export async function measurePairedLatency(url: string, rounds: number, runsPerRound: number): Promise<PairedLatency> {
  const admin = new Redis(url);
  const eager = await flowlineSide(url, true);
  const lazy = await flowlineSide(url, false);
  const floorMedians: number[] = [];
  let floorP99 = 0;
  try {
    for (let i = 0; i < 5; i++) {
      await eager.runOnce(false);
      await lazy.runOnce(false);
    }
    for (let r = 0; r < rounds; r++) {
      const floor = await measureFloor({ redisUrl: url, prefix: benchPrefix('paired-floor'), flows: 1, stepsPerFlow: 3, concurrency: 50, unloadedFlows: runsPerRound });
      floorMedians.push(floor.unloaded.flowP50Ms);
      floorP99 = Math.max(floorP99, floor.unloaded.flowP99Ms);
      for (let i = 0; i < runsPerRound; i++) await eager.runOnce();
      for (let i = 0; i < runsPerRound; i++) await lazy.runOnce();
    }
    // measureFloor reports per-call percentiles only: the floor side is the median of its rounds' medians.
    const floorStep = percentile(floorMedians, 50) / 3;
    const side = (latencies: number[]) => {
      const step = percentile(latencies, 50) / 3;
      return { flowlineStepP50Ms: round(step), flowlineFlowP99Ms: round(percentile(latencies, 99)), ratio: round(step / floorStep) };
    };
    return { rounds, runsPerRound, floorStepP50Ms: round(floorStep), floorFlowP99Ms: round(floorP99), ...side(eager.latencies), noEager: side(lazy.latencies) };
  } finally {
    await eager.close(admin);
    await lazy.close(admin);
    admin.disconnect();
  }
}
