/**
 * Redis memory of one run that loops for long (issue 17, decision 0014): a `repeat` with one no-op
 * activity per pass, run to N passes (default 100,000) once with `continueAsNew` every 1,000
 * passes and once without. At each checkpoint it reads the bytes the run's own keys hold (MEMORY
 * USAGE of `run:{id}` and its state, history, outbox, timers and activity keys), so other users
 * of a shared Redis do not disturb the number. With continue-as-new the bytes stay flat; without,
 * the history grows by every pass.
 *
 *   npx tsx bench/loop-memory.ts [--passes 100000] [--every 1000] [--checkpoints 10000,50000,100000] [--only with|without]
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadDefinition } from '../src/definition/load.js';
import { createRedisEngine, startWorker } from '../src/redis.js';
import { KeyLayout } from '../src/runtime/redis/keys.js';
import { benchPrefix, cleanupPrefix } from './redis-harness.js';
import { nowMs } from './stats.js';

const FLOW = `dsl: flowline/v1
name: bench-loop
version: 1
input:
  schema: { type: object, required: [done, total, every], properties: { done: { type: integer }, total: { type: integer }, every: { type: integer } } }
queries:
  passes: \${ $input.done + $vars.passes }
steps:
  - set: { passes: 0 }
  - repeat:
      steps:
        - call: bench.noop
          assign:
            passes: \${ $vars.passes + 1 }
      until: \${ $vars.passes >= $input.every or $input.done + $vars.passes >= $input.total }
  - if: \${ $input.done + $vars.passes < $input.total }
    continueAsNew:
      input:
        done: \${ $input.done + $vars.passes }
        total: \${ $input.total }
        every: \${ $input.every }
output: \${ $input.done + $vars.passes }
`;

interface Checkpoint {
  readonly passes: number;
  readonly runBytes: number;
  readonly historyBytes: number;
  readonly historyEntries: number;
  readonly generation: number;
  readonly seconds: number;
}

async function runKeyBytes(redis: Redis, keys: KeyLayout, runId: string): Promise<{ total: number; history: number; entries: number }> {
  const k = keys.run(runId);
  const names = [k.run, k.state, k.history, k.outbox, k.timers, k.acts, k.heartbeats];
  const pipeline = redis.pipeline();
  for (const name of names) pipeline.memory('USAGE', name, 'SAMPLES', '0');
  pipeline.llen(k.history);
  const replies = (await pipeline.exec()) ?? [];
  const sizes = replies.slice(0, names.length).map(([, value]) => (typeof value === 'number' ? value : 0));
  return { total: sizes.reduce((a, b) => a + b, 0), history: sizes[2] ?? 0, entries: Number(replies[names.length]?.[1] ?? 0) };
}

async function measure(url: string, label: string, passes: number, every: number, checkpoints: readonly number[]): Promise<Checkpoint[]> {
  const prefix = benchPrefix(`loop-${label}`);
  const admin = new Redis(url);
  const keys = new KeyLayout(prefix);
  // A generous expression time bound: the machine may be busy, and this measures memory, not speed.
  const limits = { expression: { timeoutMs: 5_000 } };
  const worker = await startWorker({ url, prefix, limits, maintenanceIntervalMs: 0, concurrency: 1, activities: { 'bench.noop': async () => null } });
  const engine = createRedisEngine({ url, prefix, limits });
  const found: Checkpoint[] = [];
  try {
    const definition = loadDefinition(FLOW, { file: 'bench-loop.yaml' });
    await engine.deploy(definition);
    const started = nowMs();
    const { runId } = await engine.start('bench-loop', { input: { done: 0, total: passes, every } });
    const pending = [...checkpoints];
    for (;;) {
      const done = Number(await engine.query(runId, 'passes'));
      if (pending.length > 0 && done >= pending[0]!) {
        pending.shift();
        const bytes = await runKeyBytes(admin, keys, runId);
        const described = await engine.describe(runId);
        const point = { passes: done, runBytes: bytes.total, historyBytes: bytes.history, historyEntries: bytes.entries, generation: described.generation, seconds: Math.round((nowMs() - started) / 100) / 10 };
        found.push(point);
        process.stderr.write(`  ${label}: ${JSON.stringify(point)}\n`);
      }
      const result = await engine.result(runId);
      if (result.status !== 'running') {
        if (result.status !== 'completed' || result.output !== passes) throw new Error(`${label}: the run ended ${result.status} with ${JSON.stringify(result.output ?? result.error)}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return found;
  } finally {
    await engine.close();
    await worker.close({ force: true });
    await cleanupPrefix(admin, prefix);
    admin.disconnect();
  }
}

const { values } = parseArgs({
  options: {
    passes: { type: 'string', default: '100000' },
    every: { type: 'string', default: '1000' },
    checkpoints: { type: 'string', default: '10000,50000,100000' },
    only: { type: 'string' },
    redis: { type: 'string', default: process.env.FLOWLINE_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const passes = Number(values.passes);
const checkpoints = values.checkpoints.split(',').map(Number).filter((n) => n <= passes);
const report: Record<string, Checkpoint[]> = {};
if (values.only !== 'without') report.withContinueAsNew = await measure(values.redis, 'with', passes, Number(values.every), checkpoints);
if (values.only !== 'with') report.withoutContinueAsNew = await measure(values.redis, 'without', passes, passes, checkpoints);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
