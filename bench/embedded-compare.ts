/**
 * Embedded runtime against @wmfs/statebox in alternating rounds (seq3, 200 in flight and one at a
 * time), then a steps/s check of one long-lived engine from 1k to 100k steps (are later steps as
 * cheap as the first, with every finished run retained?). Prints one JSON line per measurement.
 * Usage: tsx bench/embedded-compare.ts [rounds=3] [only=all|pairs|growth]
 */
import { createEmbeddedEngine } from '../src/index.js';
import { measureEmbedded } from './embedded.js';
import noopActivities from './noop-activities.js';
import { sequenceFlow } from './redis-flows.js';
import { pool } from './redis-harness.js';
import { measureStatebox } from './statebox.js';
import { nowMs } from './stats.js';

const rounds = Number(process.argv[2] ?? 3);
const only = process.argv[3] ?? 'all';

async function growth(totalSteps: number): Promise<void> {
  const flow = sequenceFlow(3);
  const engine = createEmbeddedEngine({ activities: noopActivities });
  await engine.deploy(flow.definition);
  const marks = [1_000, 10_000, 25_000, 50_000, 75_000, totalSteps];
  let done = 0;
  for (const mark of marks) {
    const runs = Math.round((mark - done) / flow.steps);
    const started = nowMs();
    await pool(runs, 50, async () => {
      const { runId } = await engine.start(flow.definition.name, { input: flow.input });
      await engine.result(runId, { wait: true, timeoutMs: 600_000 });
    });
    const seconds = (nowMs() - started) / 1000;
    done += runs * flow.steps;
    const heapMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
    console.log(JSON.stringify({ growth: `${done - runs * flow.steps}..${done} steps`, stepsPerSecond: Math.round((runs * flow.steps) / seconds), heapMiB }));
  }
  await engine.close();
}

if (only === 'all' || only === 'pairs') {
  for (let round = 0; round < rounds; round++) {
    for (const inFlight of [200, 1]) {
      const runs = inFlight === 1 ? 1000 : 5000;
      const flowline = await measureEmbedded(sequenceFlow(3), runs, inFlight);
      const statebox = await measureStatebox(runs, inFlight);
      console.log(JSON.stringify({ round, inFlight, flowline: flowline.flowsPerSecond, flowlineP50: flowline.p50Ms, flowlineP99: flowline.p99Ms, statebox: statebox.flowsPerSecond, stateboxP50: statebox.p50Ms, ratio: Math.round((flowline.flowsPerSecond / statebox.flowsPerSecond) * 100) / 100 }));
    }
  }
}
if (only === 'all' || only === 'growth') await growth(100_000);
