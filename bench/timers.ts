/**
 * Timer lateness on Redis: runs that `wait: 200ms`, started a few at a time so the timer queue is
 * never the bottleneck; lateness = TimerFired history time − the TimerStarted due time (and, from
 * outside, run end seen on pub/sub − due time). Redis `hz` is set for the measurement and restored.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createRedisEngine } from '../src/redis.js';
import { timerFlow } from './redis-flows.js';
import { RunEnds, benchPrefix, cleanupPrefix, inProcessWorker, pool, round } from './redis-harness.js';
import { nowMs, percentile } from './stats.js';

/** Lateness of 200 ms timers at one `hz`. */
export interface TimerResult {
  readonly hz: number;
  readonly runs: number;
  readonly waitMs: number;
  /** TimerFired (history) − due time. */
  readonly latenessP50Ms: number;
  readonly latenessP99Ms: number;
  /** Run end (pub/sub notice) − due time: what a caller sees. */
  readonly endLatenessP50Ms: number;
  readonly endLatenessP99Ms: number;
  readonly failedRuns: number;
  /** The same delay as a bare BullMQ delayed job (processor start − due time), at the same hz: the floor for timers. */
  readonly bullmqLatenessP50Ms: number;
  readonly bullmqLatenessP99Ms: number;
}

/** Measures `runs` timers at Redis `hz` (CONFIG SET, restored after), one in-process worker at concurrency 50. */
export async function measureTimers(url: string, runs: number, hz: number, waitMs = 200): Promise<TimerResult> {
  const prefix = benchPrefix(`timers-hz${hz}`);
  const flow = timerFlow(waitMs);
  const admin = new Redis(url);
  const previousHz = ((await admin.config('GET', 'hz')) as string[])[1] ?? '10';
  const engine = createRedisEngine({ url, prefix });
  await engine.deploy(flow.definition);
  const ends = await RunEnds.open(url, prefix);
  const workers = await inProcessWorker(url, prefix, 50);
  try {
    await admin.config('SET', 'hz', String(hz));
    const lateness: number[] = [];
    const endLateness: number[] = [];
    let failed = 0;
    // 10 at a time, each started when one ends: a steady trickle of due timers.
    await pool(runs, 10, async () => {
      const { runId } = await engine.start(flow.definition.name);
      const end = await ends.waitFor(runId, 60_000);
      if (end.status !== 'completed') failed++;
      const history = await engine.history(runId);
      const started = history.find((e) => e.type === 'TimerStarted');
      const fired = history.find((e) => e.type === 'TimerFired');
      const due = Number(started?.details?.dueAt);
      if (!fired || !Number.isFinite(due)) {
        failed++;
        return;
      }
      lateness.push(fired.at - due);
      endLateness.push(end.at - due);
    });
    const bare = await bullmqDelayLateness(url, `${prefix}-bare`, runs, waitMs);
    return {
      hz,
      runs,
      waitMs,
      latenessP50Ms: round(percentile(lateness, 50)),
      latenessP99Ms: round(percentile(lateness, 99)),
      endLatenessP50Ms: round(percentile(endLateness, 50)),
      endLatenessP99Ms: round(percentile(endLateness, 99)),
      failedRuns: failed,
      bullmqLatenessP50Ms: round(percentile(bare, 50)),
      bullmqLatenessP99Ms: round(percentile(bare, 99)),
    };
  } finally {
    await admin.config('SET', 'hz', previousHz);
    await workers.close();
    await ends.close();
    await engine.close();
    await cleanupPrefix(admin, prefix);
    admin.disconnect();
  }
}

/** Lateness of bare BullMQ delayed jobs (`delay: waitMs`, 10 in flight), one worker at concurrency 50. */
async function bullmqDelayLateness(url: string, prefix: string, runs: number, waitMs: number): Promise<number[]> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue<{ due: number }>('delayed', { connection, prefix });
  const waiters = new Map<string, () => void>();
  const lateness: number[] = [];
  const worker = new Worker<{ due: number }>(
    'delayed',
    async (job) => {
      lateness.push(nowMs() - job.data.due);
      waiters.get(job.id as string)?.();
    },
    { connection: connection.duplicate(), prefix, concurrency: 50 },
  );
  await worker.waitUntilReady();
  try {
    let n = 0;
    await pool(runs, 10, async () => {
      const id = `j${n++}`;
      const done = new Promise<void>((resolve) => waiters.set(id, resolve));
      await queue.add('t', { due: nowMs() + waitMs }, { jobId: id, delay: waitMs, removeOnComplete: true, removeOnFail: true });
      await done;
    });
    return lateness;
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await connection.quit();
  }
}
