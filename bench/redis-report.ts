/**
 * The shape of one `npm run bench` result (the JSON in bench/results/), its readable table, and
 * the comparison of two results (`--compare a.json b.json`).
 */
import type { EmbeddedResult } from './embedded.js';
import type { FlowProducerResult } from './fanout-flowproducer.js';
import type { FloorResult } from './floor.js';
import type { WaitingRunsResult } from './memory.js';
import type { PairedLatency } from './redis-latency.js';
import type { RoundTrips } from './redis-roundtrips.js';
import type { ThroughputResult } from './redis-throughput.js';
import type { TimerResult } from './timers.js';

/** One ratio to the floor (or to FlowProducer) with its target. */
export interface Ratio {
  readonly value: number;
  readonly target: string;
}

/** The targets of issue 15, each a ratio measured in one run. */
export type RatioName =
  | 'stepsPerSecondVsFloor'
  | 'stepsPerSecondVsFloorNoEager'
  | 'unloadedStepLatencyVsFloor'
  | 'unloadedStepLatencyVsFloorNoEager'
  | 'roundTripsPerStep'
  | 'roundTripsPerStepNoEager'
  | 'roundTripsPerStepBeyondBullmq'
  | 'bytesPerWaitingRun'
  | 'fanOutVsFlowProducer'
  | 'twoProcessesVsOne'
  | 'embeddedVsStateboxInFlight'
  | 'embeddedVsStateboxOneAtATime';

/** Everything one run measured. Sections skipped with --only are absent (or empty lists). */
export interface BenchReport {
  meta: {
    date: string;
    quick: boolean;
    commit: string;
    cpus: number;
    cpuModel: string;
    node: string;
    redis: string;
    redisHz: number;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
    waitingRuns: number;
  };
  floor?: FloorResult;
  /** INFO commandstats calls per step over the whole floor measurement (all clients of this Redis). */
  floorCommandsPerStep?: number;
  /** Redis CPU and network bytes per step over the whole floor measurement (whole server). */
  floorServer?: { redisCpuUsPerStep: number; netInBytesPerStep: number; netOutBytesPerStep: number; nodeCpuUsPerStep?: number };
  redis: ThroughputResult[];
  /** Unloaded latency per step, floor and Flowline in alternating rounds (the latency target uses it). */
  pairedLatency?: PairedLatency;
  roundTrips?: { floor: RoundTrips; seq3: RoundTrips; 'seq3-no-eager'?: RoundTrips; 'seq3-cli-worker': RoundTrips; fanout10: RoundTrips };
  waiting?: WaitingRunsResult;
  timers: TimerResult[];
  flowProducer?: FlowProducerResult;
  embedded: EmbeddedResult[];
  ratios: Partial<Record<RatioName, Ratio>>;
}

/** A fixed-width text table. Pure. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(cells[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n';
}

/** The whole report as text tables. Pure. */
export function printReport(report: BenchReport): string {
  const m = report.meta;
  const parts: string[] = [
    `\nFlowline bench ${m.date}${m.quick ? ' (quick)' : ''} — commit ${m.commit}, ${m.cpus}× ${m.cpuModel}, Node ${m.node}, Redis ${m.redis} (hz ${m.redisHz}), load ${m.loadAverageAtStart.join(' ')} → ${m.loadAverageAtEnd.join(' ')}\n`,
  ];
  const throughput: (string | number)[][] = [];
  if (report.floor) {
    const f = report.floor;
    throughput.push(['floor: BullMQ chain seq3', 'in-process', f.concurrency, f.flows, f.loaded.flowsPerSecond.toFixed(0), f.loaded.stepsPerSecond.toFixed(0), f.loaded.p50Ms.toFixed(1), f.loaded.p99Ms.toFixed(1), f.unloaded.flowP50Ms.toFixed(1), f.unloaded.flowP99Ms.toFixed(1), f.unloaded.stepP50Ms.toFixed(2), report.floorCommandsPerStep ?? '', '', '', '']);
  }
  for (const r of report.redis) {
    throughput.push([
      `flowline ${r.flow}${r.eager === false ? ' no eager' : ''}`,
      workersLabel(r),
      r.concurrency,
      r.runs,
      r.flowsPerSecond,
      r.stepsPerSecond,
      r.loadedP50Ms,
      r.loadedP99Ms,
      r.unloadedP50Ms,
      r.unloadedP99Ms,
      r.unloadedStepP50Ms,
      r.commandsPerStep,
      r.keyBytesPerRun,
      r.usedMemoryPerRunBytes,
      r.failedRuns,
    ]);
  }
  if (report.flowProducer) {
    const f = report.flowProducer;
    throughput.push(['BullMQ FlowProducer 10+1', 'in-process', f.concurrency, f.flows, f.flowsPerSecond, f.jobsPerSecond, f.loadedP50Ms, f.loadedP99Ms, f.unloadedP50Ms, '', '', '', '', '', '']);
  }
  if (throughput.length > 0) {
    parts.push(
      'Throughput and latency on Redis (latency = start → end, ms; steps = activity jobs)\n',
      table(['what', 'workers', 'conc', 'runs', 'flows/s', 'steps/s', 'p50', 'p99', 'unl p50', 'unl p99', 'unl ms/step', 'cmds/step', 'key B/run', 'used B/run', 'failed'], throughput),
    );
    const server: (string | number)[][] = [];
    if (report.floorServer) server.push(['floor: BullMQ chain seq3', 'in-process', 50, report.floorServer.redisCpuUsPerStep, report.floorServer.netInBytesPerStep, report.floorServer.netOutBytesPerStep, report.floorServer.nodeCpuUsPerStep ?? '']);
    for (const r of report.redis) server.push([`flowline ${r.flow}${r.eager === false ? ' no eager' : ''}`, workersLabel(r), r.concurrency, r.redisCpuUsPerStep, r.netInBytesPerStep, r.netOutBytesPerStep, r.nodeCpuUsPerStep ?? '']);
    parts.push(
      '\nWork per step under load (Redis: INFO cpu / stats deltas, whole server; Node: the bench process — engine and, in-process, the worker)\n',
      table(['what', 'workers', 'conc', 'Redis CPU µs', 'bytes in', 'bytes out', 'Node CPU µs'], server),
    );
    const busiest = report.redis.find((r) => r.flow === 'seq3' && r.workers === 1 && r.concurrency === 50 && r.eager !== false);
    if (busiest) {
      parts.push(`Top commands (INFO commandstats, calls per step, seq3 in-process c50; ${busiest.backgroundCallsPerSecond} calls/s from other clients before): ${busiest.topCommands.map((c) => `${c.command} ${c.perStep}`).join(', ')}\n`);
    }
  }
  if (report.pairedLatency) {
    const p = report.pairedLatency;
    parts.push(
      `\nUnloaded latency per step, seq3, ${p.rounds} alternating rounds of ${p.runsPerRound} runs: floor ${p.floorStepP50Ms} ms (flow p99 ${p.floorFlowP99Ms}), ` +
        `Flowline in-process ${p.flowlineStepP50Ms} ms (flow p99 ${p.flowlineFlowP99Ms}) → ${p.ratio}×` +
        (p.noEager ? `; without eager execution ${p.noEager.flowlineStepP50Ms} ms (flow p99 ${p.noEager.flowlineFlowP99Ms}) → ${p.noEager.ratio}×` : '') +
        '\n',
    );
  }
  if (report.roundTrips) {
    const rows = Object.entries(report.roundTrips).map(([name, r]) => [name, r.steps, r.commandsPerStep, r.requestsPerStep, r.roundTripsPerStep, r.bullmqRoundTripsPerStep, r.flowlineRoundTripsPerStep]);
    parts.push(
      '\nRedis work per step, one run at a time (MONITOR, keys of the bench prefix only)\n',
      table(['what', 'steps', 'commands', 'client cmds', 'round trips', 'on BullMQ keys', 'on Flowline keys'], rows),
    );
    parts.push(`Flowline seq3 requests per step: ${report.roundTrips.seq3.topRequests.map((t) => `${t.request} ${t.perStep}`).join('; ')}\n`);
  }
  if (report.waiting) {
    const w = report.waiting;
    parts.push(
      `\nWaiting on a signal: ${w.runs} runs, ${w.keyBytesPerRun} B/run (MEMORY USAGE; used_memory ${w.usedMemoryPerRunBytes} B/run) — ${Object.entries(w.keyBytesPerRunByFamily).map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
        `started ${w.startsPerSecond}/s, signalled ${w.signalsPerSecond}/s, completed ${w.completed}, signal errors ${w.signalErrors}, not completed ${w.notCompleted}\n`,
    );
  }
  if (report.timers.length > 0) {
    parts.push(
      '\nTimer lateness (wait 200ms, ms after due)\n',
      table(['hz', 'runs', 'p50', 'p99', 'end p50', 'end p99', 'bare BullMQ p50', 'bare BullMQ p99', 'failed'], report.timers.map((t) => [t.hz, t.runs, t.latenessP50Ms, t.latenessP99Ms, t.endLatenessP50Ms, t.endLatenessP99Ms, t.bullmqLatenessP50Ms, t.bullmqLatenessP99Ms, t.failedRuns])),
    );
  }
  if (report.embedded.length > 0) {
    parts.push('\nEmbedded runtime (no Redis)\n', table(['flow', 'runs', 'in flight', 'flows/s', 'steps/s', 'p50 ms', 'p99 ms', 'failed'], report.embedded.map((e) => [e.flow, e.runs, e.inFlight, e.flowsPerSecond, e.stepsPerSecond, e.p50Ms, e.p99Ms, e.failedRuns])));
  }
  const ratioRows = Object.entries(report.ratios).map(([name, r]) => [name, r.value, r.target, verdict(name, r)]);
  if (ratioRows.length > 0) parts.push('\nTargets (same run)\n', table(['ratio', 'value', 'target', 'met'], ratioRows));
  return parts.join('');
}

/** "in-process", "1 process", "2 processes". Pure. */
export function workersLabel(r: ThroughputResult): string {
  if (!r.workerMode.includes('child')) return 'in-process';
  return r.workers === 1 ? '1 process' : `${r.workers} processes`;
}

function verdict(_name: string, ratio: Ratio): string {
  if (ratio.target === 'report') return '';
  const match = /^(>=|<=|>|<)\s*([\d.]+)$/.exec(ratio.target);
  if (!match) return '?';
  const bound = Number(match[2]);
  const ok = { '>=': ratio.value >= bound, '<=': ratio.value <= bound, '>': ratio.value > bound, '<': ratio.value < bound }[match[1] as '>=' | '<=' | '>' | '<'];
  return ok ? 'yes' : 'NO';
}

/** Numeric leaves of a report by path; list elements are named by flow/workers/concurrency/hz. Pure. */
export function flatten(value: unknown, path = '', out = new Map<string, number>()): Map<string, number> {
  if (typeof value === 'number') out.set(path, value);
  else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const o = (item ?? {}) as Record<string, unknown>;
      const label = [o.flow, o.eager === false ? 'no-eager' : undefined, o.workers === undefined ? undefined : `w${String(o.workers)}${String(o.workerMode ?? '').includes('child') ? 'p' : ''}`, o.concurrency === undefined ? undefined : `c${String(o.concurrency)}`, o.hz === undefined ? undefined : `hz${String(o.hz)}`, o.command, o.request]
        .filter((x) => x !== undefined)
        .join('/');
      flatten(item, `${path}[${label || i}]`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) flatten(child, path ? `${path}.${key}` : key, out);
  }
  return out;
}

/** The measurements two reports share, with their change. Pure. */
export function compareResults(a: BenchReport, b: BenchReport): string {
  const left = flatten({ ...a, meta: undefined });
  const right = flatten({ ...b, meta: undefined });
  const rows: (string | number)[][] = [];
  for (const [path, before] of left) {
    const after = right.get(path);
    if (after === undefined) continue;
    const change = before === 0 ? (after === 0 ? '0%' : 'new') : `${(((after - before) / Math.abs(before)) * 100).toFixed(1)}%`;
    rows.push([path, Number(before.toPrecision(4)), Number(after.toPrecision(4)), change]);
  }
  return `a: ${a.meta.date} (commit ${a.meta.commit}, load ${a.meta.loadAverageAtStart.join(' ')})\nb: ${b.meta.date} (commit ${b.meta.commit}, load ${b.meta.loadAverageAtStart.join(' ')})\n\n${table(['measurement', 'a', 'b', 'change'], rows)}`;
}
