/**
 * Profiles the Redis runtime per step: an in-process worker and engine on a fresh prefix run 3-step
 * no-op flows one at a time (unloaded) and then many with a fixed number in flight (loaded), and
 * report ms per step, steps/s, Redis commands per step (INFO commandstats deltas, commands inside
 * Lua scripts included) and client round trips per step (socket writes to Redis, split into
 * Flowline's own keys and BullMQ's).
 *
 * Run: npx tsx bench/profile-redis-steps.ts [--unloaded 100] [--flows 500] [--inflight 50] [--concurrency 50]
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createRedisEngine, startWorker } from '../src/redis.js';
import { NOOP, sequenceFlow } from './redis-flows.js';
import { nowMs, percentile } from './stats.js';

const { values } = parseArgs({
  options: {
    unloaded: { type: 'string', default: '100' },
    flows: { type: 'string', default: '500' },
    inflight: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '50' },
    url: { type: 'string', default: 'redis://127.0.0.1:6379' },
  },
});
const URL_ = values.url;
const PREFIX = `flprof-${randomUUID().slice(0, 8)}`;
const STEPS = 3;

/** Socket writes to Redis, by whether they touch Flowline's own keys or only BullMQ's. */
const writes = { own: 0, bullmq: 0, other: 0 };
const ownKey = new RegExp(`${PREFIX}:(run:|idx:|events|def:|defs)`);
const queueKey = new RegExp(`${PREFIX}:(activities\\.|timers|interpreter|schedules)`);
const originalWrite = net.Socket.prototype.write;
net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
  if (this.remotePort === 6379) {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('latin1') : '';
    if (ownKey.test(text)) writes.own++;
    else if (queueKey.test(text)) writes.bullmq++;
    else writes.other++;
  }
  return (originalWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
} as typeof net.Socket.prototype.write;

async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const text = await redis.info('commandstats');
  const stats = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m) stats.set(m[1], Number(m[2]));
  }
  return stats;
}

function delta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, calls] of after) {
    const d = calls - (before.get(name) ?? 0);
    if (d > 0 && name !== 'info') out.set(name, d);
  }
  return out;
}

async function main(): Promise<void> {
  const admin = new Redis(URL_);
  const subscriber = new Redis(URL_);
  const ended = new Map<string, () => void>();
  const endedEarly = new Set<string>();
  subscriber.on('message', (_c: string, text: string) => {
    const message = JSON.parse(text) as { kind: string; runId: string; status: string };
    if (message.kind !== 'ended') return;
    if (message.status !== 'completed') console.error(`run ${message.runId} ended ${message.status}`);
    const wake = ended.get(message.runId);
    if (wake) wake();
    else endedEarly.add(message.runId);
  });
  await subscriber.subscribe(`${PREFIX}:events`);
  const waitEnd = (runId: string): Promise<void> =>
    endedEarly.delete(runId) ? Promise.resolve() : new Promise((resolve) => ended.set(runId, resolve));

  const worker = await startWorker({
    url: URL_,
    prefix: PREFIX,
    activities: { [NOOP]: () => null },
    concurrency: Number(values.concurrency),
    maintenanceIntervalMs: 0,
  });
  const engine = createRedisEngine({ url: URL_, prefix: PREFIX });
  const flow = sequenceFlow(STEPS);
  await engine.deploy(flow.definition);
  const name = flow.definition.name;
  const runOne = async (): Promise<number> => {
    const t0 = nowMs();
    const { runId } = await engine.start(name, { input: {} });
    await waitEnd(runId);
    ended.delete(runId);
    return nowMs() - t0;
  };
  // Warm up (connections, script loading, JIT).
  for (let i = 0; i < 20; i++) await runOne();

  const measure = async (label: string, flows: number, inflight: number): Promise<void> => {
    const before = await commandStats(admin);
    const w0 = { ...writes };
    const latencies: number[] = [];
    const t0 = nowMs();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(inflight, flows) }, async () => {
        while (next < flows) {
          next++;
          latencies.push(await runOne());
        }
      }),
    );
    const elapsed = nowMs() - t0;
    const stats = delta(before, await commandStats(admin));
    const steps = flows * STEPS;
    const commands = [...stats.values()].reduce((a, b) => a + b, 0);
    const top = [...stats.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([n, c]) => `${n}=${(c / steps).toFixed(2)}`)
      .join(' ');
    const own = (writes.own - w0.own) / steps;
    const bull = (writes.bullmq - w0.bullmq) / steps;
    const other = (writes.other - w0.other) / steps;
    console.log(
      `${label}: ${flows} flows x ${STEPS} steps, ${inflight} in flight: ${(steps / (elapsed / 1000)).toFixed(0)} steps/s, ` +
        `flow p50 ${percentile(latencies, 50).toFixed(2)} ms p99 ${percentile(latencies, 99).toFixed(2)} ms, ` +
        `${(percentile(latencies, 50) / STEPS).toFixed(2)} ms/step (p50)\n` +
        `  round trips/step: flowline ${own.toFixed(2)}, bullmq ${bull.toFixed(2)}, other ${other.toFixed(2)}; ` +
        `redis commands/step ${(commands / steps).toFixed(2)} [${top}]`,
    );
  };

  await measure('unloaded', Number(values.unloaded), 1);
  await measure('loaded', Number(values.flows), Number(values.inflight));

  await engine.close();
  await worker.close();
  await subscriber.quit();
  let cursor = '0';
  do {
    const [nextCursor, keys] = await admin.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length) await admin.unlink(...keys);
  } while (cursor !== '0');
  await admin.quit();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
