/**
 * Runs one activity job: skips it when the run no longer awaits it, runs the handler through
 * executeActivity, then applies ActivityCompleted/ActivityFailed to the run (one transition)
 * before the job completes. A worker killed mid-activity leaves the job to BullMQ, which runs it
 * again (at-least-once); a late duplicate answer is ignored by the core.
 */
import { executeActivity } from '../../activities/execute.js';
import type { ActivityRegistry } from '../../activities/registry.js';
import type { ActivityLogger } from '../../activities/types.js';
import { RunNotFoundError } from '../../errors.js';
import type { ErrorInfo, HistoryEntry } from '../../interpreter/types.js';
import { jsonByteSize, toJsonValue } from '../common/payload-limits.js';
import type { ActivityJobData } from './queues.js';
import type { RedisRuntime } from './runtime.js';
import type { EventInput } from './transition.js';

/** Attempts running in this process, by `runId#seq`, so a cancel notice can abort them. */
export type RunningAttempts = Map<string, AbortController>;

/** The reason an attempt is aborted when its worker stops at once: the attempt is handed back, not failed. */
export class WorkerStoppingError extends Error {
  constructor() {
    super('the worker is stopping; the attempt is handed back to run again elsewhere');
    this.name = 'WorkerStopping';
  }
}

/** Key of a running attempt. Pure. */
export function attemptKey(runId: string, seq: number): string {
  return `${runId}#${seq}`;
}

/** Processes one activity job. Throws only for infrastructure failures (BullMQ then retries the job). */
export async function processActivityJob(
  runtime: RedisRuntime,
  activities: ActivityRegistry,
  running: RunningAttempts,
  data: ActivityJobData,
): Promise<'done' | 'skipped'> {
  // ActivityStarted is accepted exactly while the run awaits this seq: one transition both records
  // the start and tells a stale job (answered, cancelled, run ended or expired) to do nothing.
  if (!(await answer(runtime, data.runId, { type: 'ActivityStarted', seq: data.seq, attempt: data.attempt }))) return 'skipped';
  const stepId = data.stepId ?? data.stepPath;
  const handler = activities.get(data.activity);
  if (!handler) {
    const registered = activities.names();
    const error: ErrorInfo = {
      type: 'ActivityNotFound',
      message: `no activity is registered under "${data.activity}" on this worker${registered.length ? ` (registered: ${registered.join(', ')})` : ' (none are registered)'}`,
      nonRetryable: true,
    };
    await answer(runtime, data.runId, { type: 'ActivityFailed', seq: data.seq, error });
    return 'done';
  }
  const key = attemptKey(data.runId, data.seq);
  const controller = new AbortController();
  running.set(key, controller);
  try {
    const input = runtime.store.json.decodeValue<unknown>(data.input);
    const execute = (logger?: ActivityLogger): ReturnType<typeof executeActivity> => executeActivity(handler, input, {
      runId: data.runId,
      stepId,
      stepPath: data.stepPath,
      activity: data.activity,
      attempt: data.attempt,
      idempotencyKey: data.idempotencyKey,
      workflow: data.workflow,
      ...(data.timeoutMs === undefined ? {} : { timeoutMs: data.timeoutMs }),
      cancelSignal: controller.signal,
      ...(logger ? { logger } : {}),
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
    // A worker stopping at once hands the attempt back: no answer, the job is not completed.
    if (controller.signal.reason instanceof WorkerStoppingError) throw controller.signal.reason;
    const event: EventInput = outcome.ok
      ? completion(data.seq, stepId, outcome.output, runtime.limits.payloadBytes)
      : { type: 'ActivityFailed', seq: data.seq, error: outcome.error };
    await answer(runtime, data.runId, event);
    return 'done';
  } finally {
    if (running.get(key) === controller) running.delete(key);
  }
}

/** Applies an event to the run; false when the core ignored it or the run is gone. */
async function answer(runtime: RedisRuntime, runId: string, event: EventInput): Promise<boolean> {
  try {
    return (await runtime.transitions.apply(runId, () => event)).accepted;
  } catch (error) {
    // The run expired or was replaced: nobody awaits this answer any more.
    if (error instanceof RunNotFoundError) return false;
    throw error;
  }
}

/** ActivityCompleted with the output as stored JSON, or a non-retryable failure when it is too large or not JSON. Pure. */
export function completion(seq: number, stepId: string, output: unknown, limitBytes: number): EventInput {
  let value: unknown;
  try {
    value = toJsonValue(output);
  } catch (error) {
    return {
      type: 'ActivityFailed',
      seq,
      error: { type: 'OutputInvalid', message: `the output of step "${stepId}" is not JSON: ${(error as Error).message}`, nonRetryable: true },
    };
  }
  const size = jsonByteSize(value);
  if (size > limitBytes) {
    return {
      type: 'ActivityFailed',
      seq,
      error: {
        type: 'PayloadTooLarge',
        message: `the output of step "${stepId}" is ${size} bytes, above the limit of ${limitBytes} bytes`,
        nonRetryable: true,
        details: { sizeBytes: size, limitBytes },
      },
    };
  }
  return { type: 'ActivityCompleted', seq, output: value };
}

/** A run's first history entry (RunStarted, with the caller's trace carrier), in one LINDEX. */
async function firstHistoryEntry(runtime: RedisRuntime, runId: string): Promise<HistoryEntry | undefined> {
  const text = await runtime.client.lindex(runtime.keys.run(runId).history, 0);
  return text === null ? undefined : runtime.store.json.parse<HistoryEntry>(text);
}
