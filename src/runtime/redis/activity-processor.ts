/**
 * Runs one activity job: runs the handler through executeActivity, then applies ActivityStarted
 * (stamped with the attempt's start) and ActivityCompleted/ActivityFailed to the run as one
 * transition before the job completes. The start is recorded with the answer, as Temporal
 * records a retried activity's start (docs/decisions/0006-activity-start-recorded-with-answer.md):
 * one commit per attempt instead of two. A job whose attempt was cancelled is removed from its
 * queue by the dispatcher, or skipped here when its cancel notice came first; a job BullMQ runs
 * again (after a crash or an infrastructure failure) first checks that the run still awaits it.
 * A late duplicate answer is ignored by the core (at-least-once).
 *
 * Eager execution (docs/decisions/0013-eager-execution.md): the answer offers the job's slot to the
 * run's next activity attempt; when the commit takes the offer, the attempt runs here at once, in
 * the same slot and under the same job's lock, without a job of its own.
 */
import { executeActivity } from '../../activities/execute.js';
import type { ActivityRegistry } from '../../activities/registry.js';
import type { ActivityLogger } from '../../activities/types.js';
import { RunNotFoundError } from '../../errors.js';
import type { ErrorInfo, HistoryEntry } from '../../interpreter/types.js';
import { AttemptHeartbeats } from './heartbeats.js';
import { activityNotFound, answerOf } from '../common/activity-outcome.js';
import type { ActivityJobData } from './queues.js';
import type { RedisRuntime } from './runtime.js';
import type { TimedEventInput } from '../common/events.js';
import { EagerOffer, type EagerCarrier } from './eager.js';
import { safeError } from './safe-error.js';
import type { ApplyOptions } from './transition.js';
import type { RedisRateLimiter } from './rate-limiter.js';

/** The reason an attempt is aborted when its worker stops at once: the attempt is handed back, not failed. */
export class WorkerStoppingError extends Error {
  constructor() {
    super('the worker is stopping; the attempt is handed back to run again elsewhere');
    this.name = 'WorkerStopping';
  }
}

/** Cancel notices are remembered this long (ms), for jobs picked up after their notice arrived. */
const CANCELLED_MEMORY_MS = 10 * 60_000;
/** At most this many cancel notices are remembered per process. */
const CANCELLED_MEMORY_LIMIT = 10_000;

/**
 * The attempts running in this process (so a cancel notice can abort them) and the attempts
 * recently cancelled (so a job picked up after its notice is skipped, not run).
 */
export class AttemptTracker {
  private readonly running = new Map<string, AbortController>();
  private readonly cancelled = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A cancel notice: aborts the attempt when it runs here, and remembers it otherwise. */
  cancel(runId: string, seq: number): void {
    const key = attemptKey(runId, seq);
    this.running.get(key)?.abort();
    const now = this.now();
    this.cancelled.delete(key);
    this.cancelled.set(key, now);
    // Oldest first (insertion order): drop what is too old or over the limit.
    for (const [oldKey, at] of this.cancelled) {
      if (this.cancelled.size <= CANCELLED_MEMORY_LIMIT && now - at < CANCELLED_MEMORY_MS) break;
      this.cancelled.delete(oldKey);
    }
  }

  /** Registers an attempt about to run; undefined when it was cancelled already. */
  begin(runId: string, seq: number): AbortController | undefined {
    const key = attemptKey(runId, seq);
    const at = this.cancelled.get(key);
    if (at !== undefined && this.now() - at < CANCELLED_MEMORY_MS) return undefined;
    const controller = new AbortController();
    this.running.set(key, controller);
    return controller;
  }

  end(runId: string, seq: number, controller: AbortController): void {
    const key = attemptKey(runId, seq);
    if (this.running.get(key) === controller) this.running.delete(key);
  }

  /** Aborts every running attempt with `reason`. */
  abortAll(reason: unknown): void {
    for (const controller of this.running.values()) controller.abort(reason);
  }
}

/** Key of an attempt. Pure. */
export function attemptKey(runId: string, seq: number): string {
  return `${runId}#${seq}`;
}

/** The slot an activity job holds, offered to the next attempts of its run (eager execution). */
export interface EagerSlot {
  /** Task queues this worker serves. */
  readonly taskQueues: ReadonlySet<string>;
  /** The job whose lock covers the slot. */
  readonly carrier: EagerCarrier;
  /** False once no new attempt may start in the slot (the worker is stopping). */
  readonly open: () => boolean;
}

/** One attempt to run in a job's slot: the job's own, or one the run's last answer handed over. */
interface SlotAttempt {
  readonly data: ActivityJobData;
  readonly rerun: boolean;
  /** The attempt's outbox entry when it runs eagerly: its answer removes it. */
  readonly clears: readonly string[];
}

/**
 * Processes one activity job. `rerun` is true when the attempt may have run before: BullMQ runs
 * the job again (a failed or stalled earlier try), or a repair dispatched it again. With a `slot`,
 * each answer offers the slot to the run's next attempt, which then runs here at once. Throws only
 * for infrastructure failures (BullMQ then retries the job). The status is the job's own attempt's.
 */
export async function processActivityJob(
  runtime: RedisRuntime,
  activities: ActivityRegistry,
  attempts: AttemptTracker,
  data: ActivityJobData,
  rerun = false,
  slot?: EagerSlot,
  limiter?: RedisRateLimiter,
): Promise<'done' | 'skipped'> {
  // While Redis is full no handler runs: its answer could not be stored (costs nothing otherwise).
  if (runtime.memory.isFull) await runtime.memory.whenWritable();
  // A first try needs no read: its job is removed when the attempt is cancelled. A rerun may come
  // after the run moved on (answered by the earlier try, cancelled, ended): ask the run.
  if (rerun && !(await runtime.store.isActivityAwaited(data.runId, data.seq))) {
    // The earlier try may have answered and started the run's next attempt eagerly before its
    // worker died: that attempt's outbox entry names the lost lock, so a repair dispatches it now.
    await repairQuietly(runtime, data.runId);
    return 'skipped';
  }
  let next: SlotAttempt | undefined = { data, rerun, clears: [] };
  let status: 'done' | 'skipped' | undefined;
  while (next) {
    const offer = slot?.open() ? new EagerOffer(slot.taskQueues, slot.carrier) : undefined;
    const outcome = await runAttempt(runtime, activities, attempts, next, offer, limiter);
    status ??= outcome;
    const claim = offer?.claimed;
    next = claim ? { data: runtime.dispatcher.activityJob(next.data.runId, next.data.workflow, claim.command), rerun: false, clears: [claim.outboxEntry] } : undefined;
  }
  return status ?? 'skipped';
}

/** Runs one attempt and answers it (offering the slot when `offer` is given). */
async function runAttempt(
  runtime: RedisRuntime,
  activities: ActivityRegistry,
  attempts: AttemptTracker,
  { data, rerun, clears }: SlotAttempt,
  offer: EagerOffer | undefined,
  limiter: RedisRateLimiter | undefined,
): Promise<'done' | 'skipped'> {
  const controller = attempts.begin(data.runId, data.seq);
  if (!controller) {
    // Cancelled before it started: no answer will remove an eager attempt's entry.
    if (clears.length > 0) await runtime.store.clearOutbox(data.runId, clears);
    return 'skipped';
  }
  const options = { ...(offer ? { eager: offer } : {}), clears };
  try {
    // Over a rate limit the attempt waits here, in its slot, before it starts: no attempt, no retry.
    await limiter?.admit(data, controller.signal);
    if (controller.signal.reason instanceof WorkerStoppingError) throw controller.signal.reason;
    const started: TimedEventInput = { type: 'ActivityStarted', seq: data.seq, attempt: data.attempt, happenedAt: Date.now() };
    const stepId = data.stepId ?? data.stepPath;
    const handler = activities.get(data.activity);
    if (!handler) {
      const error: ErrorInfo = activityNotFound(data.activity, activities.names(), 'on this worker');
      await answer(runtime, data.runId, [started, { type: 'ActivityFailed', seq: data.seq, error }], options);
      return 'done';
    }
    const input = runtime.store.json.decodeValue<unknown>(data.input);
    const heartbeats = await AttemptHeartbeats.open(runtime, data, stepId, rerun);
    const execute = (logger?: ActivityLogger): ReturnType<typeof executeActivity> => executeActivity(handler, input, {
      runId: data.runId,
      stepId,
      stepPath: data.stepPath,
      activity: data.activity,
      attempt: data.attempt,
      idempotencyKey: data.idempotencyKey,
      workflow: data.workflow,
      ...(data.timeoutMs === undefined ? {} : { timeoutMs: data.timeoutMs }),
      ...heartbeats.params(),
      cancelSignal: controller.signal,
      logger: logger ?? runtime.log(),
    });
    // Observability hook: the attempt's span, duration metric and a logger with its fields.
    const outcome = runtime.observer
      ? await runtime.observer.aroundAttempt(
          {
            ...data,
            loadFirstEntry: () => firstHistoryEntry(runtime, data.runId),
            loadDefinition: () => runtime.registry.get(data.workflow.name, data.workflow.version),
          },
          (logger) => execute(logger),
        )
      : await execute();
    // Before the answer: the retry it may cause must read this attempt's latest details.
    await heartbeats.finish(outcome.ok);
    // A worker stopping at once hands the attempt back: no answer, the job is not completed.
    if (controller.signal.reason instanceof WorkerStoppingError) throw controller.signal.reason;
    await answer(runtime, data.runId, [started, answerOf(data.seq, stepId, outcome, runtime.limits.payloadBytes)], options);
    return 'done';
  } finally {
    attempts.end(data.runId, data.seq, controller);
  }
}

/**
 * Applies the events to the run as one transition; false when the core ignored them, or the run
 * ended (they are dropped undecided) or is gone. An eager answer not accepted may not have been
 * committed: its outbox entry is removed here.
 */
async function answer(runtime: RedisRuntime, runId: string, events: readonly TimedEventInput[], options: ApplyOptions): Promise<boolean> {
  for (;;) {
    try {
      const accepted = await runtime.transitions.answer(runId, events, 0, options);
      if (!accepted && options.clears && options.clears.length > 0) await runtime.store.clearOutbox(runId, options.clears);
      return accepted;
    } catch (error) {
      // The run expired or was replaced: nobody awaits this answer any more.
      if (error instanceof RunNotFoundError) return false;
      // Redis is full: keep the answer and store it once memory is freed; failing the job would
      // run the handler again for each BullMQ retry.
      if (!runtime.memory.noteError(error)) throw error;
      await runtime.memory.whenWritable();
    }
  }
}

/** Re-dispatches what a run's outbox holds; a failure is left to the next repair. */
async function repairQuietly(runtime: RedisRuntime, runId: string): Promise<void> {
  try {
    await runtime.transitions.repairOutbox(runId);
  } catch (error) {
    if (!runtime.memory.noteError(error)) runtime.log().warn({ runId, err: safeError(error) }, 'flowline worker: outbox repair failed; the next repair retries it');
  }
}

/** A run's first history entry (RunStarted, with the caller's trace carrier), in one LINDEX. */
async function firstHistoryEntry(runtime: RedisRuntime, runId: string): Promise<HistoryEntry | undefined> {
  const text = await runtime.client.lindex(runtime.keys.run(runId).history, 0);
  return text === null ? undefined : runtime.store.json.parse<HistoryEntry>(text);
}
