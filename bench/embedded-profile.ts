/**
 * One embedded engine running seq3 `runs` times, `inFlight` at a time: the workload to profile
 * with `node --cpu-prof --import tsx bench/embedded-profile.ts [runs] [inFlight]`, summarised by
 * bench/cpuprofile-summary.ts.
 */
import { createEmbeddedEngine } from '../src/index.js';
import noopActivities from './noop-activities.js';
import { sequenceFlow } from './redis-flows.js';
import { pool } from './redis-harness.js';
import { nowMs } from './stats.js';

const runs = Number(process.argv[2] ?? 9000);
const inFlight = Number(process.argv[3] ?? 1);
const flow = sequenceFlow(3);
const engine = createEmbeddedEngine({ activities: noopActivities });
await engine.deploy(flow.definition);
const started = nowMs();
await pool(runs, inFlight, async () => {
  const { runId } = await engine.start(flow.definition.name, { input: flow.input });
  await engine.result(runId, { wait: true, timeoutMs: 600_000 });
});
const seconds = (nowMs() - started) / 1000;
console.log(JSON.stringify({ runs, inFlight, flowsPerSecond: Math.round(runs / seconds), heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20) }));
await engine.close();
