/**
 * The embedded runtime's throughput on the benchmark flows (no Redis): runs started `inFlight` at
 * a time in one engine, each awaited to its end; steps/s and latency from start to result.
 */
import { createEmbeddedEngine } from '../src/index.js';
import noopActivities from './noop-activities.js';
import type { BenchFlow } from './redis-flows.js';
import { pool, round } from './redis-harness.js';
import { nowMs, percentile } from './stats.js';

/** What one embedded measurement found. */
export interface EmbeddedResult {
  readonly flow: string;
  readonly stepsPerRun: number;
  readonly runs: number;
  readonly inFlight: number;
  readonly flowsPerSecond: number;
  readonly stepsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failedRuns: number;
}

/** Measures `runs` runs of `flow`, `inFlight` at a time, after a short warm-up. */
export async function measureEmbedded(flow: BenchFlow, runs: number, inFlight: number): Promise<EmbeddedResult> {
  const engine = createEmbeddedEngine({ activities: noopActivities });
  await engine.deploy(flow.definition);
  let failed = 0;
  const runOnce = async (): Promise<number> => {
    const started = nowMs();
    const { runId } = await engine.start(flow.definition.name, { input: flow.input });
    // A timeout keeps a referenced timer alive while the run goes on (the engine's own timers may be unref'd).
    const result = await engine.result(runId, { wait: true, timeoutMs: 600_000 });
    if (result.status !== 'completed') failed++;
    return nowMs() - started;
  };
  try {
    await pool(Math.min(runs, 20), inFlight, async () => void (await runOnce()));
    failed = 0;
    const latencies: number[] = [];
    const started = nowMs();
    await pool(runs, inFlight, async () => void latencies.push(await runOnce()));
    const seconds = (nowMs() - started) / 1000;
    return {
      flow: flow.key,
      stepsPerRun: flow.steps,
      runs,
      inFlight,
      flowsPerSecond: round(runs / seconds),
      stepsPerSecond: round((runs * flow.steps) / seconds),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      failedRuns: failed,
    };
  } finally {
    await engine.close();
  }
}
