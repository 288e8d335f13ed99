/**
 * Counts Redis commands and round trips per step with MONITOR, filtered to one key prefix (so other
 * clients of a shared Redis do not count), for the floor and for Flowline. MONITOR slows Redis,
 * so this is its own short pass, never mixed with throughput measurements.
 *
 * How commands are counted: every MONITOR line whose arguments name a key under the prefix.
 * Lines from inside a Lua script (source "lua") are commands but not round trips; every other
 * line is one request from a client (a pipelined batch counts once per command, so this is an
 * upper bound on round trips). Requests are split into BullMQ's (keys of a BullMQ queue:
 * `<prefix>:<queue>:…`) and Flowline's own (run state, history, outbox, indexes, definitions,
 * the pub/sub channel).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { measureFloor } from './floor.js';
import { sequenceFlow, type BenchFlow } from './redis-flows.js';
import { RunEnds, benchPrefix, childWorkers, cleanupPrefix, inProcessWorker, pool, round } from './redis-harness.js';
import { createRedisEngine } from '../src/redis.js';

/** What one MONITOR pass saw, per step. */
export interface RoundTrips {
  readonly steps: number;
  /** All commands (requests plus commands inside Lua scripts) per step. */
  readonly commandsPerStep: number;
  /** Commands sent by clients (not from inside Lua) per step; a pipeline counts once per command. */
  readonly requestsPerStep: number;
  /** Round trips per step: a pipeline or MULTI/EXEC block counts once. */
  readonly roundTripsPerStep: number;
  /** Round trips on BullMQ queue keys per step. */
  readonly bullmqRoundTripsPerStep: number;
  /** Round trips on Flowline's own keys per step. */
  readonly flowlineRoundTripsPerStep: number;
  /** Busiest client commands (command and key family) per step. */
  readonly topRequests: readonly { readonly request: string; readonly perStep: number }[];
}

/**
 * Commands a client sends back to back (each within this many ms of the previous line Redis ran)
 * are one round trip: a pipeline is executed as one burst, while a client that waits for a reply
 * before its next command leaves at least a network round trip plus its own processing between them.
 */
const SAME_BURST_MS = 0.05;

class MonitorCounter {
  private commands = 0;
  private readonly requests = new Map<string, number>();
  private roundTrips = 0;
  private bullmq = 0;
  private own = 0;
  private lastSource = '';
  private lastAt = 0;
  private readonly inMulti = new Set<string>();
  /** The open burst: whether it touched the prefix, and whose keys. */
  private burst: { touched: boolean; bullmq: boolean } | null = null;
  private readonly queue: RegExp;

  constructor(private readonly prefix: string) {
    this.queue = new RegExp(`^${prefix}:(activities\\.[^:]+|timers|interpreter|schedules|floor|delayed):`);
  }

  see(at: number, args: readonly string[], source: string): void {
    const keys = args.filter((a) => a.startsWith(`${this.prefix}:`));
    if (source === 'lua') {
      this.lastAt = at;
      if (keys.length > 0) this.commands++;
      return;
    }
    const command = String(args[0]).toLowerCase();
    const same = source === this.lastSource && (this.inMulti.has(source) || at - this.lastAt < SAME_BURST_MS);
    if (!same) this.closeBurst();
    this.burst ??= { touched: false, bullmq: false };
    if (command === 'multi') this.inMulti.add(source);
    if (command === 'exec' || command === 'discard') this.inMulti.delete(source);
    this.lastSource = source;
    this.lastAt = at;
    if (keys.length === 0) return;
    this.commands++;
    const isBullmq = keys.some((k) => this.queue.test(k));
    if (!this.burst.touched) this.burst = { touched: true, bullmq: isBullmq };
    const family = (keys[0] as string).slice(this.prefix.length + 1).replace(/\{[^}]*\}/g, '{id}');
    const name = `${command} ${isBullmq ? 'bullmq' : 'flowline'}:${family.split(':').slice(0, 3).join(':')}`;
    this.requests.set(name, (this.requests.get(name) ?? 0) + 1);
  }

  private closeBurst(): void {
    if (this.burst?.touched) {
      this.roundTrips++;
      if (this.burst.bullmq) this.bullmq++;
      else this.own++;
    }
    this.burst = null;
  }

  result(steps: number): RoundTrips {
    this.closeBurst();
    const requests = [...this.requests.values()].reduce((a, b) => a + b, 0);
    return {
      steps,
      commandsPerStep: round(this.commands / steps),
      requestsPerStep: round(requests / steps),
      roundTripsPerStep: round(this.roundTrips / steps),
      bullmqRoundTripsPerStep: round(this.bullmq / steps),
      flowlineRoundTripsPerStep: round(this.own / steps),
      topRequests: [...this.requests.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 16)
        .map(([request, count]) => ({ request, perStep: round(count / steps) })),
    };
  }
}

/**
 * Runs `work` while `redis-cli monitor` streams every command (ioredis's own MONITOR mode loses
 * track of its replies on a busy server, so the bench reads redis-cli's output instead).
 */
async function monitored<T>(url: string, prefix: string, work: () => Promise<T>): Promise<{ value: T; counter: MonitorCounter }> {
  const counter = new MonitorCounter(prefix);
  const cli = spawn('redis-cli', ['-u', url, 'monitor'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: cli.stdout });
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  lines.on('line', (line) => {
    if (line === 'OK') return ready();
    const match = /^(\d+\.\d+) \[\d+ ([^\]]+)\] (.*)$/.exec(line);
    if (!match) return;
    const args = [...(match[3] as string).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string);
    counter.see(Number(match[1]) * 1000, args, match[2] as string);
  });
  await started;
  try {
    return { value: await work(), counter };
  } finally {
    // Let the last lines arrive, then stop the monitor.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = new Promise((resolve) => cli.once('exit', resolve));
    cli.kill('SIGTERM');
    await exited;
  }
}

/** The floor's commands and round trips per step: 3-step chains run one at a time (unloaded). */
export async function floorRoundTrips(url: string, flows: number): Promise<RoundTrips> {
  const prefix = benchPrefix('rt-floor');
  const { counter } = await monitored(url, prefix, () =>
    measureFloor({ redisUrl: url, prefix, flows: 1, stepsPerFlow: 3, concurrency: 50, unloadedFlows: flows }),
  );
  // measureFloor runs one warm-up flow and one "loaded" flow before the unloaded ones; all are counted.
  return counter.result((2 + flows) * 3);
}

/**
 * Flowline's commands and round trips per step on `flow`, runs one at a time (unloaded, so the
 * requests of concurrent runs cannot be mistaken for one pipeline), served by one worker at
 * concurrency 50: in-process (`startWorker`, no observer) or a child `flowline worker` process
 * (with the CLI's observability: logs, metrics, spans).
 */
export async function flowlineRoundTrips(url: string, runs: number, flow: BenchFlow = sequenceFlow(3), worker: 'in-process' | 'child' = 'in-process', eager = true): Promise<RoundTrips> {
  const prefix = benchPrefix(`rt-${flow.key}${eager ? '' : '-lazy'}`);
  const engine = createRedisEngine({ url, prefix });
  const admin = new Redis(url);
  await engine.deploy(flow.definition);
  const ends = await RunEnds.open(url, prefix);
  const workers = worker === 'in-process' ? await inProcessWorker(url, prefix, 50, eager) : await childWorkers(url, prefix, 50, 1, eager);
  const runOne = async (): Promise<void> => {
    await ends.waitFor((await engine.start(flow.definition.name, { input: flow.input })).runId);
  };
  try {
    // Warm up (script loading, definition cache) outside the count.
    await pool(10, 10, runOne);
    const { counter } = await monitored(url, prefix, () => pool(runs, 1, runOne));
    return counter.result(runs * flow.steps);
  } finally {
    await workers.close();
    await ends.close();
    await engine.close();
    await cleanupPrefix(admin, prefix);
    admin.disconnect();
  }
}
