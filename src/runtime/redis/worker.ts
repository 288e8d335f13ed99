/**
 * A Flowline worker on Redis: serves activity work on its task queues, timers, interpreter work
 * (child runs) and schedules, repairs what crashed processes left behind, and stops gracefully.
 */
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { ActivityRegistry } from '../../activities/registry.js';
import type { ActivityMap } from '../../activities/types.js';
import { RunNotFoundError } from '../../errors.js';
import { AttemptTracker, processActivityJob, WorkerStoppingError, type EagerSlot } from './activity-processor.js';
import { assertNoEviction, connectionOptions, createClient } from './connection.js';
import { DEFAULT_MAX_WORKER_CRASHES, failCrashedRun, jobTarget } from './crashes.js';
import { authFailureError, isAuthFailure, waitForRedis } from './reachability.js';
import { DEFAULT_TASK_QUEUE, QUEUES } from './keys.js';
import { maintain, type MaintenanceReport } from './maintenance.js';
import { ChannelSubscriber } from './notices.js';
import { jobBackoffMs, type ActivityJobData, type InterpreterJob, type TimerJobData } from './queues.js';
import { RedisRuntime, type RedisRuntimeOptions } from './runtime.js';
import { RedisRateLimiter } from './rate-limiter.js';
import { parseRateLimitsOption, type RateLimitsOption } from '../common/rate-limits.js';
import { safeError } from './safe-error.js';
import { ScheduleManager, type ScheduleJobData } from './schedules.js';

/** Options of {@link startWorker}. */
export interface WorkerStartOptions extends RedisRuntimeOptions {
  /** Activity handlers by dotted name. */
  readonly activities: ActivityMap;
  /** Jobs run at once per queue (default 10). */
  readonly concurrency?: number;
  /** Task queues whose activities this worker runs (default `['default']`). */
  readonly taskQueues?: readonly string[];
  /** Serve timers, child runs and schedules too (default true). Activity-only workers set false. */
  readonly interpreter?: boolean;
  /** BullMQ lock duration (ms, default 30 000): a job whose worker stops renewing is recovered after it. */
  readonly lockDurationMs?: number;
  /** BullMQ stalled-job check interval (ms, default 30 000). */
  readonly stalledIntervalMs?: number;
  /** How often repairs run after the start-up pass (ms, default 60 000; 0 disables). */
  readonly maintenanceIntervalMs?: number;
  /** Refuse to start unless Redis's maxmemory-policy is noeviction (default true). */
  readonly requireNoEviction?: boolean;
  /**
   * A run whose job was abandoned by this many dead workers (the job's BullMQ stalled counter)
   * fails with WorkerCrashed instead of being decided again (default 3; 0 never fails it).
   */
  readonly maxWorkerCrashes?: number;
  /**
   * How long to wait for Redis to answer at start-up, retrying with backoff (ms, default 30 000),
   * before failing with RedisUnavailableError. Once started, a worker waits through outages.
   */
  readonly startupTimeoutMs?: number;
  /** Told after each failed start-up attempt: why Redis did not answer, and when the next try is. */
  readonly onWaitingForRedis?: (reason: string, retryInMs: number) => void;
  /**
   * Eager execution (default true): when an answer's decision schedules an activity of a task
   * queue this worker serves, the attempt runs at once in the slot the answer freed, without a
   * BullMQ job; its outbox entry is the safety net (docs/decisions/0013-eager-execution.md).
   */
  readonly eager?: boolean;
  /**
   * Rate limits shared by every worker of the prefix, on top of the flow documents':
   * `{ 'partner.charge': { max: 10, per: '1s' }, 'queue:payments': { max: 50, per: '1s' } }`.
   * An attempt over a limit waits in its slot before it starts (docs/decisions/0016-rate-limits.md).
   */
  readonly rateLimits?: RateLimitsOption;
}

/** Default of {@link WorkerStartOptions.startupTimeoutMs}. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;

/** A running worker. */
export interface WorkerHandle {
  /** The start-up repair pass. */
  readonly startup: MaintenanceReport;
  /** Queue names served. */
  readonly queues: readonly string[];
  /** True while every BullMQ worker is running and the worker is not stopping (for /readyz). */
  isReady(): boolean;
  /**
   * Stops taking work. By default waits for in-flight jobs to finish; `force` hands them back
   * instead (their locks lapse and another worker runs them again).
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/**
 * Starts a worker once Redis answers. Throws RedisUnavailableError when Redis does not answer
 * within `startupTimeoutMs`, RedisConfigError for a wrong password or when Redis evicts keys
 * (maxmemory-policy is not noeviction), RateLimitInvalidError for a malformed `rateLimits` at
 * once. Side effects: connections, BullMQ workers, timers.
 */
export async function startWorker(options: WorkerStartOptions): Promise<WorkerHandle> {
  // A malformed option is refused before anything connects (RateLimitInvalidError).
  const rateLimits = parseRateLimitsOption(options.rateLimits);
  // The worker's own connections wait forever (to ride out restarts): the bounded wait comes first.
  await waitForRedis(connectionOptions(options.connection ?? options.url), {
    timeoutMs: options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
    ...(options.onWaitingForRedis ? { onWaiting: options.onWaitingForRedis } : {}),
  });
  const runtime = new RedisRuntime(options, { blocking: true });
  const limiter = new RedisRateLimiter(runtime, rateLimits);
  try {
    if (options.requireNoEviction ?? true) await assertNoEviction(runtime.client);
  } catch (error) {
    await runtime.close({ force: true });
    throw isAuthFailure(error) ? authFailureError(runtime.connection) : error;
  }
  const log = runtime.log();
  const activities = new ActivityRegistry(options.activities);
  const attempts = new AttemptTracker();
  const schedules = new ScheduleManager(runtime);

  const subscriber = new ChannelSubscriber(createClient(runtime.connection, { blocking: true }), runtime.keys.channel);
  subscriber.on((message) => {
    if (message.kind === 'cancel-activity') attempts.cancel(message.runId, message.seq);
  });
  await subscriber.start();

  const startup = await maintain(runtime, { outboxMinAgeMs: 0, timersDueBefore: Number.POSITIVE_INFINITY });

  const connections: Redis[] = [];
  const base: Omit<WorkerOptions, 'connection'> = {
    prefix: runtime.keys.prefix,
    concurrency: options.concurrency ?? 10,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // A job is re-run after a crash many times before BullMQ gives up on it.
    maxStalledCount: 100,
    settings: { backoffStrategy: (attemptsMade: number) => jobBackoffMs(attemptsMade) },
  };
  const workers: Worker[] = [];
  const memory = runtime.memory;
  const maxCrashes = options.maxWorkerCrashes ?? DEFAULT_MAX_WORKER_CRASHES;
  /**
   * `retryWhenFull`: a job refused by a full Redis waits for memory and runs again in place
   * (decisions are pure, so deciding twice is harmless). Activity jobs wait inside, around the
   * answer alone, so that their handler never runs twice for it.
   */
  const serve = <T>(name: string, processor: (job: Job<T>, token: string | undefined) => Promise<unknown>, retryWhenFull = true): void => {
    // Each BullMQ worker gets its own connection (it duplicates it for its blocking reads).
    const connection = createClient(runtime.connection, { blocking: true });
    connection.on('error', () => undefined);
    connections.push(connection);
    const guarded = async (job: Job<T>, token?: string): Promise<unknown> => {
      if (memory.isFull) await memory.whenWritable();
      const crashes = job.stalledCounter ?? 0;
      const target = maxCrashes > 0 && crashes >= maxCrashes ? jobTarget(name, job) : undefined;
      if (target && (await failCrashedRun(runtime, target, crashes))) {
        log.warn({ runId: target.runId, queue: name, jobId: job.id, crashes }, 'flowline worker: a run kept crashing worker processes; it was failed with WorkerCrashed');
        return 'failed-crashed';
      }
      for (;;) {
        try {
          return await processor(job, token);
        } catch (error) {
          if (!retryWhenFull || !memory.noteError(error)) throw error;
          await memory.whenWritable();
        }
      }
    };
    const worker = new Worker<T>(name, guarded, { ...base, connection });
    // Errors are logged without command arguments or payloads. A full Redis is reported by the
    // gate, once per interval; what follows from it (BullMQ cannot renew locks) is not logged.
    const quiet = (error: unknown): boolean => memory.noteError(error) || memory.isFull;
    worker.on('error', (error) => {
      if (!quiet(error)) log.warn({ err: safeError(error), queue: name }, 'flowline worker: queue error (will retry)');
    });
    worker.on('failed', (job, error) => {
      if (!quiet(error)) log.warn({ err: safeError(error), queue: name, jobId: job?.id }, 'flowline worker: job failed; BullMQ retries it');
    });
    workers.push(worker);
  };

  const taskQueues = new Set(options.taskQueues?.length ? options.taskQueues : [DEFAULT_TASK_QUEUE]);
  const eager = options.eager ?? true;
  // A stopping worker starts no new attempt in a slot: the run's next attempt goes out as a job.
  let stopping = false;
  /** The job's slot, offered to its run's next attempts (its lock covers them). */
  const slotOf = (job: Job, token: string | undefined): EagerSlot | undefined =>
    eager && token ? { taskQueues, carrier: { lock: `${job.queueQualifiedName}:${job.id}:lock`, token }, open: () => !stopping } : undefined;
  for (const taskQueue of taskQueues) {
    serve<ActivityJobData>(QUEUES.activities(taskQueue), (job, token) =>
      processActivityJob(runtime, activities, attempts, job.data, job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0 || job.data.recheck === true, slotOf(job, token), limiter),
      false,
    );
  }
  if (options.interpreter ?? true) {
    serve<TimerJobData>(QUEUES.timers, async (job) => {
      const { runId, seq, at } = job.data;
      if (!(await runtime.store.isTimerPending(runId, seq))) return 'skipped';
      runtime.observer?.timerFired(Date.now() - at);
      try {
        await runtime.transitions.answer(runId, { type: 'TimerFired', seq }, at);
      } catch (error) {
        if (!(error instanceof RunNotFoundError)) throw error;
      }
      return 'done';
    });
    serve<InterpreterJob['data']>(QUEUES.interpreter, (job) =>
      runtime.runInterpreterJob({ name: job.name, data: job.data } as InterpreterJob),
    );
    serve<ScheduleJobData>(QUEUES.schedules, (job) => schedules.fire(job.data, scheduleJobKey(job)));
  }

  const intervalMs = options.maintenanceIntervalMs ?? 60_000;
  let maintaining = false;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (maintaining) return;
          maintaining = true;
          maintain(runtime, { outboxMinAgeMs: Math.max(5_000, intervalMs / 2), timersDueBefore: Date.now() - 5_000 })
            .catch((error: unknown) => {
              if (!memory.noteError(error)) log.warn({ err: safeError(error) }, 'flowline worker: maintenance pass failed');
            })
            .finally(() => (maintaining = false));
        }, intervalMs)
      : undefined;
  timer?.unref();

  let closing: Promise<void> | undefined;
  return {
    startup,
    queues: workers.map((w) => w.name),
    isReady: () => closing === undefined && workers.every((w) => w.isRunning()),
    close(closeOptions = {}) {
      closing ??= (async () => {
        stopping = true;
        if (timer) clearInterval(timer);
        // Aborted with WorkerStoppingError, an attempt is handed back (its job is not completed
        // and runs again elsewhere) instead of being recorded as a Cancelled failure.
        if (closeOptions.force) attempts.abortAll(new WorkerStoppingError());
        // Jobs waiting for a full Redis are handed back rather than holding the stop forever.
        memory.close();
        await Promise.all(workers.map((w) => w.close(closeOptions.force ?? false)));
        await subscriber.close();
        await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
        await runtime.close();
      })();
      return closing;
    },
  };
}

/** A stable key of one fired schedule job (its scheduled time), for the run id. Pure. */
function scheduleJobKey(job: Job): string {
  const tail = job.id?.split(':').pop();
  return tail && /^\d+$/.test(tail) ? tail : String(job.timestamp);
}
