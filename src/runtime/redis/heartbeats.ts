/**
 * Heartbeat details on the Redis runtime. One hash per run (`RunKeys.heartbeats`, under the run's
 * hash tag): field = the step execution's idempotencyKey, value = the last details as stored JSON,
 * through the payload codec when one is configured. The next attempt of that step reads them as
 * `ctx.lastHeartbeat`.
 *
 * Writes are throttled: a handler may heartbeat in a tight loop, Redis sees at most one write per
 * attempt every `heartbeatWriteIntervalMs` (the first at once, the latest details trailing). What
 * the throttle holds back is written when the attempt fails or is handed back, before its answer,
 * so a retry always reads the latest details; only a worker that dies loses up to one interval of
 * progress. The heartbeat *timeout* is not measured here: the worker's own executor timer fails a
 * hung attempt (src/activities/execute.ts), and a dead worker's job comes back through BullMQ's
 * stalled-job check. A heartbeat write extends nothing else (no job lock, no run timer).
 */
import type { ExecuteParams } from '../../activities/execute.js';
import { heartbeatDetails } from '../common/heartbeat-details.js';
import type { ActivityJobData } from './queues.js';
import type { RedisRuntime } from './runtime.js';

/** Fewest milliseconds between two heartbeat writes of one attempt. */
export const HEARTBEAT_WRITE_MIN_MS = 1_000;
/** Most milliseconds between two heartbeat writes of one attempt (also the interval without a heartbeatTimeout). */
export const HEARTBEAT_WRITE_MAX_MS = 30_000;

/** Interval between heartbeat writes: 80% of the heartbeatTimeout (as Temporal), within 1 s..30 s. Pure. */
export function heartbeatWriteIntervalMs(heartbeatTimeoutMs: number | undefined): number {
  if (heartbeatTimeoutMs === undefined) return HEARTBEAT_WRITE_MAX_MS;
  return Math.min(HEARTBEAT_WRITE_MAX_MS, Math.max(HEARTBEAT_WRITE_MIN_MS, Math.round(heartbeatTimeoutMs * 0.8)));
}

const NOTHING = Symbol('nothing pending');

/** The heartbeats of one attempt: its `lastHeartbeat`, and the throttled writer of its own. Side effects: Redis I/O. */
export class AttemptHeartbeats {
  private pending: unknown = NOTHING;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private wrote = false;
  private finished = false;

  private constructor(
    private readonly runtime: RedisRuntime,
    private readonly data: ActivityJobData,
    private readonly stepId: string,
    /** Details of an earlier attempt (undefined: none). */
    readonly last: unknown,
  ) {}

  /**
   * Reads the step's last details when this attempt may follow another (a retry, or a job run
   * again after a crash): a first try costs no round trip.
   */
  static async open(runtime: RedisRuntime, data: ActivityJobData, stepId: string, rerun: boolean): Promise<AttemptHeartbeats> {
    let last: unknown;
    if (data.attempt > 1 || rerun) {
      const text = await runtime.client.hget(runtime.keys.run(data.runId).heartbeats, data.idempotencyKey);
      if (text !== null) last = runtime.store.json.parse<unknown>(text);
    }
    return new AttemptHeartbeats(runtime, data, stepId, last);
  }

  /** What executeActivity needs: the heartbeat bound, the earlier details and the recorder. */
  params(): Pick<ExecuteParams, 'heartbeatTimeoutMs' | 'lastHeartbeat' | 'onHeartbeat'> {
    return {
      ...(this.data.heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs: this.data.heartbeatTimeoutMs }),
      ...(this.last === undefined ? {} : { lastHeartbeat: this.last }),
      onHeartbeat: (details) => this.record(details),
    };
  }

  /** `ctx.heartbeat(details)`: checks the details (throwing into the handler) and queues their write. */
  record(details: unknown): void {
    if (details === undefined || this.finished) return;
    this.pending = heartbeatDetails(details, this.stepId, this.runtime.limits.payloadBytes);
    this.schedule();
  }

  /**
   * At the attempt's end, before its answer: a failed or handed-back attempt writes what the
   * throttle held back; a successful one forgets the step's details (no attempt will read them).
   * Throws when Redis fails (the job is then run again, as for its answer).
   */
  async finish(ok: boolean): Promise<void> {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    if (ok) {
      if (this.wrote || this.last !== undefined) await this.runtime.client.hdel(this.key(), this.data.idempotencyKey);
    } else if (this.pending !== NOTHING) {
      const details = this.pending;
      this.pending = NOTHING;
      await this.write(details);
    }
  }

  private key(): string {
    return this.runtime.keys.run(this.data.runId).heartbeats;
  }

  private schedule(): void {
    // A write in flight or a trailing write already planned picks up the latest pending details.
    if (this.timer || this.writing) return;
    const waitMs = this.lastWriteAt + heartbeatWriteIntervalMs(this.data.heartbeatTimeoutMs) - Date.now();
    if (waitMs <= 0) {
      this.writePending();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writePending();
    }, waitMs);
    this.timer.unref();
  }

  private writePending(): void {
    if (this.pending === NOTHING || this.finished) return;
    const details = this.pending;
    this.pending = NOTHING;
    this.lastWriteAt = Date.now();
    this.writing = this.write(details)
      .catch((error: unknown) => {
        // Progress is advisory: the attempt goes on, and its end writes the latest details again.
        this.pending = this.pending === NOTHING ? details : this.pending;
        this.runtime.log().warn({ runId: this.data.runId, stepId: this.stepId, err: error }, 'flowline worker: a heartbeat could not be written; will try again');
      })
      .finally(() => {
        this.writing = undefined;
        if (this.pending !== NOTHING && !this.finished) this.schedule();
      });
  }

  /** HSET and a retention-long expiry (renewed by each write), so details written late never outlive their run. */
  private async write(details: unknown): Promise<void> {
    const key = this.key();
    await this.runtime.client
      .multi()
      .hset(key, this.data.idempotencyKey, this.runtime.store.json.stringify(details))
      .pexpire(key, Math.max(1, Math.round(this.runtime.limits.retentionMs)))
      .exec();
    this.wrote = true;
  }
}
