/**
 * Schedules (SPEC §7): start a deployed workflow on a cron pattern or a fixed interval through
 * BullMQ job schedulers, with overlap `skip` (default: no new run while the schedule's previous
 * run is still running) or `allow`. The spec is kept in a hash so `list` can show it whole.
 */
import { InputInvalidError } from '../../errors.js';
import { PayloadCodecError } from '../../codec/payload-codec.js';
import { checkStartInput } from '../common/start-checks.js';
import { JOB_OPTIONS } from './queues.js';
import { QUEUES } from './keys.js';
import type { RedisRuntime } from './runtime.js';

/** What a schedule starts, and when. Exactly one of `cron` / `every` is given. */
export interface ScheduleSpec {
  /** Schedule id: `[A-Za-z0-9._-]+`. Creating an existing id replaces it. */
  readonly id: string;
  readonly workflow: string;
  /** Pinned version; absent = the latest deployed when each run starts. */
  readonly version?: number;
  readonly input?: unknown;
  /** Cron pattern (5 or 6 fields, seconds first when 6). */
  readonly cron?: string;
  /** IANA time zone of the cron pattern (default UTC). */
  readonly timezone?: string;
  /** Fixed interval in ms. */
  readonly every?: number;
  /** `skip` (default): don't start while the previous run of this schedule is running; `allow`: always start. */
  readonly overlap?: 'skip' | 'allow';
}

/** A schedule as listed: its spec plus the next fire time and last run. */
export interface ScheduleInfo extends ScheduleSpec {
  readonly overlap: 'skip' | 'allow';
  /** Next fire time (ISO), when BullMQ knows it. */
  readonly next: string | null;
  readonly lastRunId: string | null;
}

/** The job a scheduler fires. */
export interface ScheduleJobData {
  readonly scheduleId: string;
}

const ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Creates, lists and deletes schedules. Side effects: Redis and BullMQ I/O. */
export class ScheduleManager {
  constructor(private readonly runtime: RedisRuntime) {}

  /** Creates or replaces a schedule. Throws DefinitionNotFoundError, InputInvalidError. */
  async create(spec: ScheduleSpec): Promise<ScheduleInfo> {
    if (!ID.test(spec.id)) throw new InputInvalidError(`schedule id "${spec.id}" must be 1–128 of A–Z a–z 0–9 . _ -`);
    if ((spec.cron === undefined) === (spec.every === undefined)) {
      throw new InputInvalidError('a schedule needs exactly one of a cron pattern (--cron) or an interval (--every)');
    }
    if (spec.every !== undefined && (!Number.isFinite(spec.every) || spec.every < 1000)) {
      throw new InputInvalidError('a schedule interval must be at least 1 s');
    }
    if (spec.overlap !== undefined && spec.overlap !== 'skip' && spec.overlap !== 'allow') {
      throw new InputInvalidError(`overlap must be "skip" or "allow", not "${String(spec.overlap)}"`);
    }
    const definition = await this.runtime.registry.get(spec.workflow, spec.version);
    const input = checkStartInput(definition, spec.input, this.runtime.limits.payloadBytes);
    // The input goes through the payload codec like every other payload (encrypted when keys are set).
    const stored: ScheduleSpec = { ...spec, input: this.runtime.store.json.encodeValue(input), overlap: spec.overlap ?? 'skip' };
    const queue = this.runtime.queues.get(QUEUES.schedules);
    try {
      await queue.upsertJobScheduler(
        spec.id,
        spec.cron !== undefined ? { pattern: spec.cron, ...(spec.timezone ? { tz: spec.timezone } : {}) } : { every: spec.every },
        { name: 'start', data: { scheduleId: spec.id } satisfies ScheduleJobData, opts: { attempts: JOB_OPTIONS.attempts, backoff: JOB_OPTIONS.backoff, removeOnComplete: true, removeOnFail: JOB_OPTIONS.removeOnFail } },
      );
    } catch (error) {
      throw new InputInvalidError(`schedule "${spec.id}" was refused: ${(error as Error).message}`);
    }
    await this.runtime.client.hset(this.runtime.keys.schedules, spec.id, JSON.stringify(stored));
    return (await this.get(spec.id)) as ScheduleInfo;
  }

  /** Every schedule, by id. */
  async list(): Promise<ScheduleInfo[]> {
    const ids = (await this.runtime.client.hkeys(this.runtime.keys.schedules)).sort();
    const out: ScheduleInfo[] = [];
    for (const id of ids) {
      const info = await this.get(id);
      if (info) out.push(info);
    }
    return out;
  }

  /** One schedule, or null. */
  async get(id: string): Promise<ScheduleInfo | null> {
    const [text, last] = await Promise.all([
      this.runtime.client.hget(this.runtime.keys.schedules, id),
      this.runtime.client.hget(this.runtime.keys.scheduleLastRun, id),
    ]);
    if (text === null) return null;
    const spec = JSON.parse(text) as ScheduleSpec;
    const scheduler = await this.runtime.queues.get(QUEUES.schedules).getJobScheduler(id);
    let input: unknown;
    try {
      input = this.runtime.store.json.decodeValue(spec.input);
    } catch (error) {
      // A process without the codec keys still lists the schedule, with its input as stored (encrypted).
      if (!(error instanceof PayloadCodecError)) throw error;
      input = spec.input;
    }
    return {
      ...spec,
      ...(spec.input === undefined ? {} : { input }),
      overlap: spec.overlap ?? 'skip',
      next: scheduler?.next ? new Date(scheduler.next).toISOString() : null,
      lastRunId: last,
    };
  }

  /** Deletes a schedule; returns false when there was none. Runs already started go on. */
  async delete(id: string): Promise<boolean> {
    const removed = await this.runtime.queues.get(QUEUES.schedules).removeJobScheduler(id);
    const deleted = await this.runtime.client.hdel(this.runtime.keys.schedules, id);
    await this.runtime.client.hdel(this.runtime.keys.scheduleLastRun, id);
    return removed || deleted > 0;
  }

  /**
   * Handles one fired schedule job (in a worker): starts a run unless the overlap policy says
   * skip. The run id is derived from the job, so a re-run of the same job starts nothing twice.
   * Returns the started run id, or null when skipped.
   */
  async fire(data: ScheduleJobData, jobKey: string): Promise<string | null> {
    const text = await this.runtime.client.hget(this.runtime.keys.schedules, data.scheduleId);
    if (text === null) return null;
    const spec = JSON.parse(text) as ScheduleSpec;
    if ((spec.overlap ?? 'skip') === 'skip') {
      const last = await this.runtime.client.hget(this.runtime.keys.scheduleLastRun, spec.id);
      if (last !== null) {
        const previous = await this.runtime.store.loadState(last);
        if (previous?.status === 'running') return null;
      }
    }
    const runId = `${spec.id}-${jobKey}`;
    if (await this.runtime.store.loadState(runId)) return null;
    const definition = await this.runtime.registry.get(spec.workflow, spec.version);
    const input = checkStartInput(definition, this.runtime.store.json.decodeValue(spec.input), this.runtime.limits.payloadBytes);
    await this.runtime.client.hset(this.runtime.keys.scheduleLastRun, spec.id, runId);
    await this.runtime.startRun(definition, runId, input);
    return runId;
  }
}
