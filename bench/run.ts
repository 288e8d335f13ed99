/**
 * `npm run bench`: measures the floor (a hand-written BullMQ chain), Flowline on Redis, BullMQ's
 * FlowProducer and the embedded runtime side by side against one local Redis, prints a table and
 * writes JSON to bench/results/<timestamp>.json (docs/benchmarks.md).
 *
 *   npm run bench [-- --quick] [--only redis,floor] [--waiting 100000] [--redis URL]
 *   npm run bench -- --compare a.json b.json
 *
 * Sections (for --only): floor, redis, latency, roundtrips, waiting, timers, flowproducer, embedded.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { measureEmbedded } from './embedded.js';
import { measureFlowProducer } from './fanout-flowproducer.js';
import { measureFloor } from './floor.js';
import { measureWaitingRuns } from './memory.js';
import { fanOutFlow, forEachFlow, sequenceFlow } from './redis-flows.js';
import { ROOT, benchPrefix, commandDelta, commandStats, perStepCounters, round, serverCounters } from './redis-harness.js';
import { measurePairedLatency } from './redis-latency.js';
import { floorRoundTrips, flowlineRoundTrips } from './redis-roundtrips.js';
import { measureThroughput } from './redis-throughput.js';
import { measureTimers } from './timers.js';
import { compareResults, printReport, type BenchReport } from './redis-report.js';

const SECTIONS = ['floor', 'redis', 'latency', 'roundtrips', 'waiting', 'timers', 'flowproducer', 'embedded'] as const;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    waiting: { type: 'string' },
    compare: { type: 'boolean', default: false },
    redis: { type: 'string', default: process.env.FLOWLINE_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});

if (values.compare) {
  if (positionals.length !== 2) {
    process.stderr.write('usage: npm run bench -- --compare a.json b.json\n');
    process.exit(2);
  }
  const [a, b] = positionals.map((file) => JSON.parse(readFileSync(file as string, 'utf8')) as BenchReport);
  process.stdout.write(compareResults(a as BenchReport, b as BenchReport));
  process.exit(0);
}

const quick = values.quick;
const url = values.redis;
const only = new Set((values.only ?? SECTIONS.join(',')).split(',').map((s) => s.trim()));
for (const name of only) {
  if (!(SECTIONS as readonly string[]).includes(name)) {
    process.stderr.write(`unknown section "${name}" (one of ${SECTIONS.join(', ')})\n`);
    process.exit(2);
  }
}
const wants = (name: (typeof SECTIONS)[number]): boolean => only.has(name);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Sizes of the full run and of --quick. */
const SIZES = quick
  ? { floorFlows: 300, floorUnloaded: 20, seq: [200, 10], fan: [60, 5], each: [6, 2], rtRuns: 30, pairedRounds: 3, waiting: 10_000, timers: 40, fp: 100, fpUnloaded: 5, embedded: 0.2 }
  : { floorFlows: 2000, floorUnloaded: 100, seq: [2000, 50], fan: [400, 30], each: [40, 5], rtRuns: 100, pairedRounds: 10, waiting: 100_000, timers: 200, fp: 400, fpUnloaded: 30, embedded: 1 };
const waitingRuns = values.waiting === undefined ? SIZES.waiting : Number(values.waiting);

async function machine(): Promise<BenchReport['meta']> {
  const redis = new Redis(url);
  const info = await redis.info('server');
  const hz = ((await redis.config('GET', 'hz')) as string[])[1];
  redis.disconnect();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    quick,
    commit,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    redisHz: Number(hz),
    loadAverageAtStart: loadavg().map(round),
    loadAverageAtEnd: [],
    waitingRuns,
  };
}

async function main(): Promise<void> {
  const report: BenchReport = { meta: await machine(), redis: [], timers: [], embedded: [], ratios: {} };
  log(`flowline bench${quick ? ' (quick)' : ''}: Redis ${report.meta.redis} at ${url}, load ${report.meta.loadAverageAtStart.join(' ')}`);

  if (wants('floor')) {
    log('floor: hand-written BullMQ chain, 3 steps, concurrency 50');
    const admin = new Redis(url);
    const before = await commandStats(admin);
    const countersBefore = await serverCounters(admin);
    report.floor = await measureFloor({ redisUrl: url, prefix: benchPrefix('floor'), flows: SIZES.floorFlows, stepsPerFlow: 3, concurrency: 50, unloadedFlows: SIZES.floorUnloaded });
    // measureFloor runs min(50, flows) warm-up flows, the loaded batch and the unloaded flows: all counted.
    const steps = (Math.min(50, SIZES.floorFlows) + SIZES.floorFlows + SIZES.floorUnloaded) * 3;
    report.floorServer = perStepCounters(countersBefore, await serverCounters(admin), steps);
    report.floorCommandsPerStep = round(commandDelta(before, await commandStats(admin)).total / steps);
    admin.disconnect();
  }
  if (wants('redis')) {
    for (const flow of [sequenceFlow(3), fanOutFlow(10), forEachFlow(100, 10)]) {
      const [runs, unloaded] = flow.key === 'seq3' ? SIZES.seq : flow.key === 'fanout10' ? SIZES.fan : SIZES.each;
      for (const workers of [1, 2]) {
        for (const concurrency of [1, 50]) {
          log(`redis: ${flow.key}, ${workers} worker${workers > 1 ? 's' : ''}, concurrency ${concurrency}`);
          report.redis.push(
            await measureThroughput({ url, flow, workers, concurrency, runs: concurrency === 1 ? Math.ceil((runs as number) / 2) : (runs as number), unloadedRuns: unloaded as number }),
          );
        }
      }
    }
  }
  if (wants('latency')) {
    log(`latency: unloaded seq3, floor and Flowline in ${SIZES.pairedRounds} alternating rounds`);
    report.pairedLatency = await measurePairedLatency(url, SIZES.pairedRounds, 20);
  }
  if (wants('roundtrips')) {
    log('roundtrips: MONITOR pass, one run at a time, on the floor and on Flowline (seq3, fanout10; seq3 on a CLI worker)');
    report.roundTrips = {
      floor: await floorRoundTrips(url, SIZES.rtRuns),
      seq3: await flowlineRoundTrips(url, SIZES.rtRuns, sequenceFlow(3)),
      'seq3-cli-worker': await flowlineRoundTrips(url, SIZES.rtRuns, sequenceFlow(3), 'child'),
      fanout10: await flowlineRoundTrips(url, Math.ceil(SIZES.rtRuns / 3), fanOutFlow(10)),
    };
  }
  if (wants('waiting')) {
    log(`waiting: ${waitingRuns} runs waiting on a signal`);
    report.waiting = await measureWaitingRuns(url, waitingRuns, log);
  }
  if (wants('timers')) {
    for (const hz of [10, 100]) {
      log(`timers: wait 200ms, hz ${hz}`);
      report.timers.push(await measureTimers(url, SIZES.timers, hz));
    }
  }
  if (wants('flowproducer')) {
    log('flowproducer: BullMQ FlowProducer, parent with 10 children, concurrency 50');
    report.flowProducer = await measureFlowProducer({ url, prefix: benchPrefix('fp'), flows: SIZES.fp, width: 10, concurrency: 50, unloadedFlows: SIZES.fpUnloaded });
  }
  if (wants('embedded')) {
    const scale = (n: number): number => Math.max(1, Math.round(n * SIZES.embedded));
    const plan = [
      [sequenceFlow(3), scale(3000), 50],
      [fanOutFlow(10), scale(600), 50],
      [forEachFlow(100, 10), scale(60), 10],
      [sequenceFlow(1000), scale(5), 1],
      [forEachFlow(10_000, 10), 1, 1],
    ] as const;
    for (const [flow, runs, inFlight] of plan) {
      log(`embedded: ${flow.key}`);
      report.embedded.push(await measureEmbedded(flow, runs, inFlight));
    }
  }

  report.ratios = ratios(report);
  report.meta.loadAverageAtEnd = loadavg().map(round);
  const dir = resolve(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `${report.meta.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(printReport(report));
  process.stdout.write(`\nJSON: ${file}\n`);
}

/** The target ratios (issue 6), from measurements of this run. Pure. */
function ratios(report: BenchReport): BenchReport['ratios'] {
  const out: BenchReport['ratios'] = {};
  const seq = report.redis.find((r) => r.flow === 'seq3' && r.workers === 1 && r.concurrency === 50);
  const fan = report.redis.find((r) => r.flow === 'fanout10' && r.workers === 1 && r.concurrency === 50);
  if (seq && report.floor) {
    out.stepsPerSecondVsFloor = { value: round(seq.stepsPerSecond / report.floor.loaded.stepsPerSecond), target: '>= 0.5' };
  }
  if (report.pairedLatency) out.unloadedStepLatencyVsFloor = { value: report.pairedLatency.ratio, target: '<= 1.5' };
  else if (seq && report.floor) out.unloadedStepLatencyVsFloor = { value: round(seq.unloadedStepP50Ms / report.floor.unloaded.stepP50Ms), target: '<= 1.5' };
  if (report.roundTrips) {
    out.roundTripsPerStepBeyondBullmq = {
      value: round(report.roundTrips.seq3.roundTripsPerStep - report.roundTrips.floor.roundTripsPerStep),
      target: '<= 2',
    };
  }
  if (report.waiting) out.bytesPerWaitingRun = { value: report.waiting.keyBytesPerRun, target: '<= 2048' };
  if (fan && report.flowProducer) out.fanOutVsFlowProducer = { value: round(fan.flowsPerSecond / report.flowProducer.flowsPerSecond), target: '> 1' };
  return out;
}

try {
  await main();
  process.exit(0);
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
