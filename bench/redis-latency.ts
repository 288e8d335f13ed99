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
}

/** `rounds` × (`runsPerRound` floor flows, then as many Flowline seq3 runs on one in-process worker at concurrency 50). */
export async function measurePairedLatency(url: string, rounds: number, runsPerRound: number): Promise<PairedLatency> {
  const flow = sequenceFlow(3);
  const prefix = benchPrefix('paired');
  const admin = new Redis(url);
  const engine = createRedisEngine({ url, prefix });
  await engine.deploy(flow.definition);
  const ends = await RunEnds.open(url, prefix);
  const workers = await inProcessWorker(url, prefix, 50);
  const floorMedians: number[] = [];
  const flowline: number[] = [];
  let floorP99 = 0;
  try {
    for (let i = 0; i < 5; i++) await ends.waitFor((await engine.start(flow.definition.name)).runId);
    for (let r = 0; r < rounds; r++) {
      const floor = await measureFloor({ redisUrl: url, prefix: benchPrefix('paired-floor'), flows: 1, stepsPerFlow: 3, concurrency: 50, unloadedFlows: runsPerRound });
      floorMedians.push(floor.unloaded.flowP50Ms);
      floorP99 = Math.max(floorP99, floor.unloaded.flowP99Ms);
      for (let i = 0; i < runsPerRound; i++) {
        const started = nowMs();
        const end = await ends.waitFor((await engine.start(flow.definition.name)).runId);
        flowline.push(end.at - started);
      }
    }
    // measureFloor reports per-call percentiles only: the floor side is the median of its rounds' medians.
    const floorStep = percentile(floorMedians, 50) / 3;
    const flowlineStep = percentile(flowline, 50) / 3;
    return {
      rounds,
      runsPerRound,
      floorStepP50Ms: round(floorStep),
      flowlineStepP50Ms: round(flowlineStep),
      floorFlowP99Ms: round(floorP99),
      flowlineFlowP99Ms: round(percentile(flowline, 99)),
      ratio: round(flowlineStep / floorStep),
    };
  } finally {
    await workers.close();
    await ends.close();
    await engine.close();
    await cleanupPrefix(admin, prefix);
    admin.disconnect();
  }
}
