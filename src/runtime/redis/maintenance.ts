/**
 * Repairs a worker runs at start-up and periodically: re-dispatch outboxes left behind by a
 * process that crashed between commit and dispatch, re-arm pending timers whose BullMQ job is
 * missing, and drop index entries of expired runs. All of it is idempotent.
 */
import { jobId } from './keys.js';
import { JOB_OPTIONS, type TimerJobData } from './queues.js';
import type { RedisRuntime } from './runtime.js';

/** What one maintenance pass did. */
export interface MaintenanceReport {
  readonly outboxesRepaired: number;
  readonly timersRearmed: number;
  readonly indexEntriesDropped: number;
}

/** Escapes glob characters of a SCAN MATCH pattern. Pure. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Every run id that has a key with this suffix (`outbox`, `timers`), via SCAN. */
async function runIdsWithKey(runtime: RedisRuntime, suffix: string): Promise<string[]> {
  const head = `${runtime.keys.prefix}:run:{`;
  const tail = `}:${suffix}`;
  const ids = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await runtime.client.scan(cursor, 'MATCH', `${globEscape(head)}*${globEscape(tail)}`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if (key.startsWith(head) && key.endsWith(tail)) ids.add(key.slice(head.length, key.length - tail.length));
    }
  } while (cursor !== '0');
  return [...ids];
}

/** Re-dispatches outboxes whose oldest entry is older than `minAgeMs`. */
export async function repairOutboxes(runtime: RedisRuntime, minAgeMs: number): Promise<number> {
  let repaired = 0;
  const now = Date.now();
  for (const runId of await runIdsWithKey(runtime, 'outbox')) {
    const entries = await runtime.store.readOutbox(runId);
    if (entries.length === 0 || now - entries[0].entry.at < minAgeMs) continue;
    // 0 when every entry is an eager attempt still running (docs/decisions/0013-eager-execution.md).
    if ((await runtime.transitions.repairOutbox(runId)) > 0) repaired++;
  }
  return repaired;
}

/**
 * Re-arms pending timers due before `dueBefore` whose job is missing (or failed for good).
 * A timer job that exists is left alone; its deterministic id makes a second add a no-op.
 */
export async function rearmTimers(runtime: RedisRuntime, dueBefore: number): Promise<number> {
  let rearmed = 0;
  const queue = runtime.queues.timers;
  for (const runId of await runIdsWithKey(runtime, 'timers')) {
    for (const timer of await runtime.store.pendingTimers(runId)) {
      if (timer.at > dueBefore) continue;
      const id = jobId('tmr', runId, timer.seq);
      const job = await queue.getJob(id);
      if (job) {
        if (await job.isFailed()) {
          await job.retry();
          rearmed++;
        }
        continue;
      }
      const data: TimerJobData = { runId, seq: timer.seq, at: timer.at };
      await queue.add('timer', data, { ...JOB_OPTIONS, jobId: id, delay: Math.max(0, timer.at - Date.now()) });
      rearmed++;
    }
  }
  return rearmed;
}

/** One full pass. At start-up `dueBefore` is +∞ (every pending timer is checked). */
export async function maintain(
  runtime: RedisRuntime,
  options: { outboxMinAgeMs: number; timersDueBefore: number; pruneIndexesBefore?: number },
): Promise<MaintenanceReport> {
  const outboxesRepaired = await repairOutboxes(runtime, options.outboxMinAgeMs);
  const timersRearmed = await rearmTimers(runtime, options.timersDueBefore);
  // Index entries younger than a minute are left alone: their run may be being created right now.
  const indexEntriesDropped = await runtime.indexes.prune(options.pruneIndexesBefore ?? Date.now() - 60_000, async (ids) => {
    const pipeline = runtime.client.pipeline();
    for (const id of ids) pipeline.exists(runtime.keys.run(id).run);
    return ((await pipeline.exec()) ?? []).map((reply) => reply?.[1] === 1);
  });
  return { outboxesRepaired, timersRearmed, indexEntriesDropped };
}
