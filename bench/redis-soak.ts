/**
 * The Redis soak (not part of `npm test`): N runs (default 10,000) through two worker processes,
 * then checks that every run completed, each step was applied once, and that Redis memory goes
 * back to its baseline once the (shortened) retention has expired.
 *
 *   npx tsx bench/redis-soak.ts [--runs 10000] [--workers 2] [--concurrency 50] [--retention 30s] [--redis URL]
 *
 * Prints one JSON report on stdout. Exit code 1 when a check fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadDefinition } from '../src/definition/load.js';
import { parseDuration } from '../src/definition/duration.js';
import { createRedisEngine } from '../src/runtime/redis/index.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '50' },
    retention: { type: 'string', default: '30s' },
    redis: { type: 'string', default: process.env.FLOWLINE_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const RUNS = Number(values.runs);
const WORKERS = Number(values.workers);
const retentionMs = parseDuration(values.retention);
const url = values.redis as string;
const prefix = `flsoak-${randomBytes(4).toString('hex')}`;
const root = resolve(import.meta.dirname, '..');

const FLOW = loadDefinition(
  `dsl: flowline/v1
name: soak
version: 1
steps:
  - id: a
    call: soak.step
    with: { n: 1 }
  - set: { seen: true }
  - id: b
    call: soak.step
    with: { n: 2 }
  - id: c
    call: soak.step
    with: { n: 3 }
output: \${ $steps.c.n }
`,
  { file: 'soak.yaml' },
);

function spawnWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [resolve(root, 'bin/flowline.js'), 'worker', '--activities', 'bench/fixtures/soak-activities.ts', '--concurrency', String(values.concurrency), '--retention', values.retention as string, '--maintenance-interval', '5000'],
    { cwd: root, env: { ...process.env, FLOWLINE_PREFIX: prefix, FLOWLINE_REDIS_URL: url }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((ready, fail) => {
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes('worker ready')) ready(child);
    });
    child.on('exit', (code) => fail(new Error(`worker exited ${code}: ${err}`)));
  });
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

/** Number of keys under the prefix and their total MEMORY USAGE (other tenants of the Redis don't count). */
async function prefixFootprint(redis: Redis): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    keys += batch.length;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key);
    for (const reply of (await pipeline.exec()) ?? []) bytes += Number(reply?.[1] ?? 0);
  } while (cursor !== '0');
  return { keys, bytes };
}

async function main(): Promise<number> {
  const redis = new Redis(url);
  const baselineBytes = await usedMemory(redis);
  const engine = createRedisEngine({ url, prefix, limits: { retentionMs } });
  await engine.deploy(FLOW);
  const workers = await Promise.all(Array.from({ length: WORKERS }, spawnWorker));

  // Completions are counted from the runtime's `ended` notices (the indexes may already have
  // dropped the first runs when the retention is shorter than the soak).
  const completed = new Set<string>();
  const notEnded = new Set<string>();
  const subscriber = new Redis(url);
  await subscriber.subscribe(`${prefix}:events`);
  subscriber.on('message', (_channel: string, text: string) => {
    const message = JSON.parse(text) as { kind: string; runId: string; status: string };
    if (message.kind !== 'ended') return;
    if (message.status === 'completed') completed.add(message.runId);
    else notEnded.add(message.runId);
  });

  const started = Date.now();
  let next = 0;
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (next < RUNS) {
        next++;
        ids.push((await engine.start('soak')).runId);
      }
    }),
  );
  const startedAllMs = Date.now() - started;
  let peakBytes = 0;
  for (;;) {
    peakBytes = Math.max(peakBytes, await usedMemory(redis));
    if (completed.size + notEnded.size >= RUNS) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await subscriber.quit();
  const elapsedMs = Date.now() - started;

  // Each step applied once: sample the 200 latest runs' histories (earlier ones may have expired already).
  let duplicates = 0;
  let sampled = 0;
  for (const runId of ids.slice(-200)) {
    const history = await engine.history(runId).catch(() => null);
    if (!history) continue;
    sampled++;
    const seqs = history.filter((e) => e.type === 'ActivityCompleted').map((e) => e.seq);
    if (seqs.length !== 3 || new Set(seqs).size !== 3) duplicates++;
  }
  const notCompleted = RUNS - completed.size;
  const atEnd = await prefixFootprint(redis);

  // Wait for retention to expire and the workers' maintenance to prune the indexes.
  const deadline = Date.now() + retentionMs + 120_000;
  let afterBytes = await usedMemory(redis);
  let after = await prefixFootprint(redis);
  while (Date.now() < deadline && after.keys > 40) {
    await new Promise((r) => setTimeout(r, 2000));
    afterBytes = await usedMemory(redis);
    after = await prefixFootprint(redis);
  }
  const keysAfter = after.keys;
  for (const w of workers) w.kill('SIGTERM');
  await engine.close();

  const report = {
    runs: RUNS,
    workers: WORKERS,
    startedAllMs,
    elapsedMs,
    runsPerSecond: Math.round((RUNS / elapsedMs) * 1000),
    stepsPerSecond: Math.round(((RUNS * 4) / elapsedMs) * 1000),
    notCompleted,
    sampledRuns: sampled,
    sampledRunsWithDuplicateSteps: duplicates,
    prefixKeysAtEnd: atEnd.keys,
    prefixBytesAtEnd: atEnd.bytes,
    prefixKeysAfterRetention: after.keys,
    prefixBytesAfterRetention: after.bytes,
    baselineBytes,
    peakBytes,
    afterRetentionBytes: afterBytes,
    // Whole-server figures: other tenants of a shared Redis move them too.
    serverGrowthAfterRetentionBytes: afterBytes - baselineBytes,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  // Clean up whatever is left (queue meta keys).
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = nextCursor;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
  return notCompleted === 0 && duplicates === 0 && sampled > 0 && keysAfter <= 40 ? 0 : 1;
}

process.exitCode = await main();
