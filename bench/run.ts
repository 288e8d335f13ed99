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
import { measureEmbedded, type EmbeddedResult } from './embedded.js';
import { measureStatebox } from './statebox.js';
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
import { percentile } from './stats.js';

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
    const cpuBefore = process.cpuUsage();
    report.floor = await measureFloor({ redisUrl: url, prefix: benchPrefix('floor'), flows: SIZES.floorFlows, stepsPerFlow: 3, concurrency: 50, unloadedFlows: SIZES.floorUnloaded });
    // measureFloor runs min(50, flows) warm-up flows, the loaded batch and the unloaded flows: all counted.
    const steps = (Math.min(50, SIZES.floorFlows) + SIZES.floorFlows + SIZES.floorUnloaded) * 3;
    const cpu = process.cpuUsage(cpuBefore);
    report.floorServer = { ...perStepCounters(countersBefore, await serverCounters(admin), steps), nodeCpuUsPerStep: round((cpu.user + cpu.system) / steps) };
    report.floorCommandsPerStep = round(commandDelta(before, await commandStats(admin)).total / steps);
    admin.disconnect();
  }
  if (wants('redis')) {
    for (const flow of [sequenceFlow(3), fanOutFlow(10), forEachFlow(100, 10)]) {
      const [runs, unloaded] = flow.key === 'seq3' ? SIZES.seq : flow.key === 'fanout10' ? SIZES.fan : SIZES.each;
      // Eager execution on (default) and off, one in-process worker and two worker processes; for
      // seq3 also one worker process (the two-processes target compares like with like).
      const plan: { workers: number; concurrency: number; eager: boolean; processes?: boolean }[] = [
        { workers: 1, concurrency: 1, eager: true },
        { workers: 1, concurrency: 50, eager: true },
        { workers: 1, concurrency: 50, eager: false },
        ...(flow.key === 'seq3' ? [{ workers: 1, concurrency: 50, eager: true, processes: true }] : []),
        { workers: 2, concurrency: 1, eager: true },
        { workers: 2, concurrency: 50, eager: true },
      ];
      for (const { workers, concurrency, eager, processes } of plan) {
        log(`redis: ${flow.key}, ${workers} worker${workers > 1 || processes ? ' process' : ''}${workers > 1 ? 'es' : ''}, concurrency ${concurrency}${eager ? '' : ', no eager execution'}`);
        report.redis.push(
          await measureThroughput({ url, flow, workers, concurrency, eager, ...(processes ? { processes } : {}), runs: concurrency === 1 ? Math.ceil((runs as number) / 2) : (runs as number), unloadedRuns: unloaded as number }),
        );
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
      'seq3-no-eager': await flowlineRoundTrips(url, SIZES.rtRuns, sequenceFlow(3), 'in-process', false),
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
    // Flowline's embedded runtime and statebox on the 3-step flow, 200 in flight and one at a
    // time, in alternating rounds (the ratio uses the median round).
    for (let pass = 0; pass < 3; pass++) {
      for (const inFlight of [200, 1]) {
        const runs = inFlight === 1 ? scale(1000) : scale(5000);
        log(`embedded: seq3 against statebox, ${inFlight} in flight, round ${pass + 1}`);
        report.embedded.push({ ...(await measureEmbedded(sequenceFlow(3), runs, inFlight)), flow: 'seq3' });
        report.embedded.push(await measureStatebox(runs, inFlight));
      }
    }
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

/** The target ratios (issue 15), from measurements of this run. Pure. */
function ratios(report: BenchReport): BenchReport['ratios'] {
  const out: BenchReport['ratios'] = {};
  const find = (flow: string, workers: number, eager = true, processes = workers > 1) =>
    report.redis.find((r) => r.flow === flow && r.workers === workers && r.concurrency === 50 && r.eager === eager && r.workerMode.includes('child') === processes);
  const seq = find('seq3', 1);
  const seqLazy = find('seq3', 1, false);
  const fan = find('fanout10', 1);
  if (report.floor) {
    const floorSteps = report.floor.loaded.stepsPerSecond;
    if (seq) out.stepsPerSecondVsFloor = { value: round(seq.stepsPerSecond / floorSteps), target: '>= 1' };
    if (seqLazy) out.stepsPerSecondVsFloorNoEager = { value: round(seqLazy.stepsPerSecond / floorSteps), target: 'report' };
  }
  if (report.pairedLatency) {
    out.unloadedStepLatencyVsFloor = { value: report.pairedLatency.ratio, target: '<= 1' };
    if (report.pairedLatency.noEager) out.unloadedStepLatencyVsFloorNoEager = { value: report.pairedLatency.noEager.ratio, target: 'report' };
  } else if (seq && report.floor) out.unloadedStepLatencyVsFloor = { value: round(seq.unloadedStepP50Ms / report.floor.unloaded.stepP50Ms), target: '<= 1' };
  if (report.roundTrips) {
    out.roundTripsPerStep = { value: report.roundTrips.seq3.roundTripsPerStep, target: 'report' };
    if (report.roundTrips['seq3-no-eager']) out.roundTripsPerStepNoEager = { value: report.roundTrips['seq3-no-eager'].roundTripsPerStep, target: 'report' };
    out.roundTripsPerStepBeyondBullmq = { value: round(report.roundTrips.seq3.roundTripsPerStep - report.roundTrips.floor.roundTripsPerStep), target: '<= 2' };
  }
  if (report.waiting) out.bytesPerWaitingRun = { value: report.waiting.keyBytesPerRun, target: '<= 2048' };
  if (fan && report.flowProducer) out.fanOutVsFlowProducer = { value: round(fan.flowsPerSecond / report.flowProducer.flowsPerSecond), target: '>= 1.5' };
  const one = find('seq3', 1, true, true);
  const two = find('seq3', 2);
  if (one && two) out.twoProcessesVsOne = { value: round(two.stepsPerSecond / one.stepsPerSecond), target: '>= 1.6' };
  const versus = (inFlight: number): number | undefined => {
    const pick = (name: string): EmbeddedResult[] => report.embedded.filter((e) => e.flow === name && e.inFlight === inFlight);
    const ours = pick('seq3');
    const peer = pick('statebox seq3');
    if (ours.length === 0 || ours.length !== peer.length) return undefined;
    return round(percentile(ours.map((e, i) => e.flowsPerSecond / peer[i]!.flowsPerSecond), 50));
  };
  const inFlight = versus(200);
  const oneAtATime = versus(1);
  if (inFlight !== undefined) out.embeddedVsStateboxInFlight = { value: inFlight, target: '>= 1.5' };
  if (oneAtATime !== undefined) out.embeddedVsStateboxOneAtATime = { value: oneAtATime, target: '>= 1.5' };
  return out;
}

try {
  await main();
  process.exit(0);
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
