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
import { RunEnds, benchPrefix, cleanupPrefix, inProcessWorker, pool, round } from './redis-harness.js';
import { createRedisEngine } from '../src/index.js';

/** What one MONITOR pass saw, per step. */
export interface RoundTrips {
  readonly steps: number;
  /** All commands (requests plus commands inside Lua scripts) per step. */
  readonly commandsPerStep: number;
  /** Client requests per step. */
  readonly requestsPerStep: number;
  /** Requests on BullMQ queue keys per step. */
  readonly bullmqRequestsPerStep: number;
  /** Requests on Flowline's own keys per step. */
  readonly flowlineRequestsPerStep: number;
  /** Busiest requests (command and key family) per step. */
  readonly topRequests: readonly { readonly request: string; readonly perStep: number }[];
}

class MonitorCounter {
  private commands = 0;
  private readonly requests = new Map<string, number>();
  private bullmq = 0;
  private own = 0;

  constructor(private readonly prefix: string) {}

  see(args: readonly string[], source: string): void {
    const keys = args.filter((a) => a.startsWith(`${this.prefix}:`));
    if (keys.length === 0) return;
    this.commands++;
    if (source === 'lua') return;
    const queue = new RegExp(`^${this.prefix}:(activities\\.[^:]+|timers|interpreter|schedules|floor):`);
    const isBullmq = keys.some((k) => queue.test(k));
    if (isBullmq) this.bullmq++;
    else this.own++;
    const family = (keys[0] as string).slice(this.prefix.length + 1).replace(/\{[^}]*\}/g, '{id}').replace(/:[0-9a-f-]{8,}.*$/, ':…');
    const name = `${String(args[0]).toLowerCase()} ${isBullmq ? 'bullmq' : 'flowline'}:${family.split(':').slice(0, 3).join(':')}`;
    this.requests.set(name, (this.requests.get(name) ?? 0) + 1);
  }

  result(steps: number): RoundTrips {
    const requests = [...this.requests.values()].reduce((a, b) => a + b, 0);
    return {
      steps,
      commandsPerStep: round(this.commands / steps),
      requestsPerStep: round(requests / steps),
      bullmqRequestsPerStep: round(this.bullmq / steps),
      flowlineRequestsPerStep: round(this.own / steps),
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
    const match = /^\d+\.\d+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
    if (!match) return;
    const args = [...(match[2] as string).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string);
    counter.see(args, match[1] as string);
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

/** The floor's commands and requests per step (3-step chains at concurrency 50). */
export async function floorRoundTrips(url: string, flows: number): Promise<RoundTrips> {
  const prefix = benchPrefix('rt-floor');
  const unloaded = 10;
  const { counter } = await monitored(url, prefix, () =>
    measureFloor({ redisUrl: url, prefix, flows, stepsPerFlow: 3, concurrency: 50, unloadedFlows: unloaded }),
  );
  // measureFloor runs min(50, flows) warm-up flows, the loaded batch, then the unloaded ones.
  return counter.result((Math.min(50, flows) + flows + unloaded) * 3);
}

/** Flowline's commands and requests per step on `flow`, one in-process worker at concurrency 50. */
export async function flowlineRoundTrips(url: string, runs: number, flow: BenchFlow = sequenceFlow(3)): Promise<RoundTrips> {
  const prefix = benchPrefix(`rt-${flow.key}`);
  const engine = createRedisEngine({ url, prefix });
  const admin = new Redis(url);
  await engine.deploy(flow.definition);
  const ends = await RunEnds.open(url, prefix);
  const workers = await inProcessWorker(url, prefix, 50);
  try {
    // Warm up (script loading, definition cache) outside the count.
    await pool(20, 20, async () => {
      await ends.waitFor((await engine.start(flow.definition.name, { input: flow.input })).runId);
    });
    const { counter } = await monitored(url, prefix, () =>
      pool(runs, 100, async () => {
        await ends.waitFor((await engine.start(flow.definition.name, { input: flow.input })).runId);
      }),
    );
    return counter.result(runs * flow.steps);
  } finally {
    await workers.close();
    await ends.close();
    await engine.close();
    await cleanupPrefix(admin, prefix);
    admin.disconnect();
  }
}
