/** Heap retained per finished seq3 run in one embedded engine (node --expose-gc). */
import { createEmbeddedEngine } from '../src/index.js';
import noopActivities from './noop-activities.js';
import { sequenceFlow } from './redis-flows.js';
import { pool } from './redis-harness.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const runs = Number(process.argv[2] ?? 5000);
const flow = sequenceFlow(3);
const engine = createEmbeddedEngine({ activities: noopActivities });
await engine.deploy(flow.definition);
const once = async (): Promise<void> => {
  const { runId } = await engine.start(flow.definition.name, { input: flow.input });
  await engine.result(runId, { wait: true, timeoutMs: 600_000 });
};
await pool(100, 1, once);
gc();
const before = process.memoryUsage();
await pool(runs, 1, once);
await new Promise((r) => setTimeout(r, 10));
gc();
const after = process.memoryUsage();
console.log(JSON.stringify({ runs, heapBytesPerRun: Math.round((after.heapUsed - before.heapUsed) / runs), externalBytesPerRun: Math.round((after.external + after.arrayBuffers - before.external - before.arrayBuffers) / runs) }));
await engine.close();
