/**
 * Cost of search attributes per transition (issue 17, docs/decisions/0015): the same looping flow
 * (one no-op call and one variable change per pass, so every activity answer changes `$vars` and
 * re-evaluates every attribute) with three attributes (keyword, number, time) and without any.
 * Measured on the embedded runtime (the core's evaluation alone) and on Redis (evaluation plus the
 * index writes in the commit script), alternating the two flows, several rounds; prints µs per
 * transition for each and the ratio measured in the same run.
 *
 * Run: npx tsx bench/search-attributes.ts [--passes 400] [--rounds 3]   (Redis at FLOWLINE_REDIS_URL or 127.0.0.1:6379)
 *
 * Last run (--passes 300 --rounds 3; 2 cores shared, load average 19, so absolute numbers are
 * inflated — compare within a line):
 *   embedded   without:  660.0 µs/transition   with 3 attributes:  964.0 µs   extra 304 µs (+46 %)
 *   redis      without: 5647.9 µs/transition   with 3 attributes: 6124.5 µs   extra 477 µs (+8.4 %)
 * The extra is the three JSONata evaluations (only when `$vars`/top-level outputs changed — here on
 * every answer, the worst case) plus, on Redis, the changed attributes' SREM/SADD/ZADD in the
 * commit script and ~100 bytes more state.
 */
import { Redis } from 'ioredis';
import { loadDefinition } from '../src/definition/load.js';
import { createEmbeddedEngine } from '../src/runtime/memory/index.js';
import { createRedisEngine } from '../src/redis.js';
import { benchPrefix, cleanupPrefix, inProcessWorker } from './redis-harness.js';
import noopActivities from './noop-activities.js';
import { nowMs } from './stats.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const PASSES = arg('passes', 400);
const ROUNDS = arg('rounds', 3);
const URL = process.env.FLOWLINE_REDIS_URL ?? 'redis://127.0.0.1:6379';

function flow(withAttributes: boolean): string {
  return [
    'dsl: flowline/v1',
    `name: bench-search-${withAttributes ? 'on' : 'off'}`,
    'version: 1',
    ...(withAttributes
      ? [
          'searchAttributes:',
          "  customer: { type: keyword, value: '${ $input.customer }' }",
          "  total: { type: number, value: '${ $vars.n * 10 }' }",
          "  renewsAt: { type: time, value: '${ $fromMillis(1800000000000 + $vars.n * 1000) }' }",
        ]
      : []),
    'steps:',
    '  - set: { n: 0 }',
    '  - repeat:',
    '      steps:',
    '        - call: bench.noop',
    "          assign: { n: '${ $vars.n + 1 }' }",
    `      until: '\${ $vars.n >= ${PASSES} }'`,
    '',
  ].join('\n');
}

async function measure(label: string, runOnce: (withAttributes: boolean) => Promise<number>): Promise<void> {
  const samples: Record<'on' | 'off', number[]> = { on: [], off: [] };
  await runOnce(true); // warm-up
  await runOnce(false);
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so drift on a busy machine hits both.
    for (const withAttributes of round % 2 === 0 ? [true, false] : [false, true]) {
      const transitions = 2 * PASSES + 2;
      samples[withAttributes ? 'on' : 'off'].push(((await runOnce(withAttributes)) * 1000) / transitions);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const on = median(samples.on);
  const off = median(samples.off);
  console.log(
    `${label.padEnd(10)} without: ${off.toFixed(1).padStart(7)} µs/transition   with 3 attributes: ${on.toFixed(1).padStart(7)} µs/transition   ` +
      `extra: ${(on - off).toFixed(1)} µs (${((on / off - 1) * 100).toFixed(1)} %)`,
  );
}

const definitions = { on: loadDefinition(flow(true)), off: loadDefinition(flow(false)) };

await measure('embedded', async (withAttributes) => {
  const engine = createEmbeddedEngine({ activities: noopActivities, limits: { expression: { timeoutMs: 5000 } } });
  const started = nowMs();
  const result = await engine.run(withAttributes ? definitions.on : definitions.off, { input: { customer: 'ann' } });
  const elapsed = nowMs() - started;
  if (result.status !== 'completed') throw new Error(`run ended ${result.status}: ${JSON.stringify(result.error)}`);
  await engine.close();
  return elapsed;
});

const prefix = benchPrefix('search');
const redis = new Redis(URL);
const engine = createRedisEngine({ url: URL, prefix });
const workers = await inProcessWorker(URL, prefix, 4);
try {
  await engine.deploy(definitions.on);
  await engine.deploy(definitions.off);
  await measure('redis', async (withAttributes) => {
    const definition = withAttributes ? definitions.on : definitions.off;
    const started = nowMs();
    const { runId } = await engine.start(definition.name, { input: { customer: 'ann' } });
    const result = await engine.result(runId, { wait: true, timeoutMs: 120_000 });
    const elapsed = nowMs() - started;
    if (result.status !== 'completed') throw new Error(`run ended ${result.status}: ${JSON.stringify(result.error)}`);
    return elapsed;
  });
  const indexed = await redis.zcard(`${prefix}:sa:{total}:number`);
  console.log(`redis index check: ${indexed} run(s) in ${prefix}:sa:{total}:number`);
} finally {
  await workers.close();
  await engine.close();
  await cleanupPrefix(redis, prefix);
  await redis.quit();
}
