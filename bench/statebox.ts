/**
 * The embedded peer: @wmfs/statebox, an in-process Amazon States Language interpreter (its default
 * in-memory store), on the same 3-step flow as Flowline's `seq3` — three Task states whose module
 * resource answers at once. `startExecution(…, { sendResponse: 'COMPLETE' })` resolves when the
 * execution ended, the counterpart of Flowline's `start` + `result`.
 */
import Statebox from '@wmfs/statebox';
import type { EmbeddedResult } from './embedded.js';
import { pool, round } from './redis-harness.js';
import { nowMs, percentile } from './stats.js';

/** The parts of statebox's (untyped) API the bench uses. */
interface StateboxApi {
  readonly ready: Promise<unknown>;
  createModuleResources(modules: Record<string, new () => { run(event: unknown, context: { sendTaskSuccess(output: unknown): void }): void }>): void;
  createStateMachines(machines: Record<string, unknown>, env: Record<string, unknown>): Promise<unknown>;
  startExecution(input: unknown, machine: string, options: { sendResponse: 'COMPLETE' }): Promise<{ status: string }>;
}

/** `steps` Task states in sequence, each on the no-op module, each output kept at its own path. Pure. */
function sequenceMachine(steps: number): Record<string, unknown> {
  const States: Record<string, unknown> = {};
  for (let i = 0; i < steps; i++) {
    States[`s${i}`] = { Type: 'Task', Resource: 'module:noop', ResultPath: `$.s${i}`, ...(i === steps - 1 ? { End: true } : { Next: `s${i + 1}` }) };
  }
  return { StartAt: 's0', States };
}

/** Measures `runs` executions of the 3-step machine, `inFlight` at a time, after a short warm-up. */
export async function measureStatebox(runs: number, inFlight: number, steps = 3): Promise<EmbeddedResult> {
  const statebox = new (Statebox as unknown as new (options: object) => StateboxApi)({ messages: { info: () => undefined } });
  await statebox.ready;
  statebox.createModuleResources({
    noop: class {
      run(_event: unknown, context: { sendTaskSuccess(output: unknown): void }): void {
        context.sendTaskSuccess(null);
      }
    },
  });
  const name = `seq${steps}`;
  await statebox.createStateMachines({ [name]: sequenceMachine(steps) }, {});
  let failed = 0;
  const runOnce = async (): Promise<number> => {
    const started = nowMs();
    const execution = await statebox.startExecution({}, name, { sendResponse: 'COMPLETE' });
    if (execution.status !== 'SUCCEEDED') failed++;
    return nowMs() - started;
  };
  await pool(Math.min(runs, 20), inFlight, async () => void (await runOnce()));
  failed = 0;
  const latencies: number[] = [];
  const started = nowMs();
  await pool(runs, inFlight, async () => void latencies.push(await runOnce()));
  const seconds = (nowMs() - started) / 1000;
  return {
    flow: `statebox ${name}`,
    stepsPerRun: steps,
    runs,
    inFlight,
    flowsPerSecond: round(runs / seconds),
    stepsPerSecond: round((runs * steps) / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    failedRuns: failed,
  };
}
