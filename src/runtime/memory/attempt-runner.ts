/**
 * One activity attempt of the embedded runtime: run the handler in-process (with its timeout,
 * cancellation and heartbeats), then answer the run. Heartbeat details stay in memory on the run
 * for the next attempt (nothing to throttle).
 */
import { AttemptCancellation, executeActivity, type ExecuteParams } from '../../activities/execute.js';
import type { ActivityRegistry } from '../../activities/registry.js';
import type { ActivityHandler, ActivityLogger } from '../../activities/types.js';
import type { ScheduleActivityCommand } from '../../interpreter/types.js';
import type { RunObserver } from '../../observability/run-observer.js';
import { activityNotFound, answerOf } from '../common/activity-outcome.js';
import type { EventInput } from '../common/events.js';
import { heartbeatDetails } from '../common/heartbeat-details.js';
import type { EngineLimits } from '../common/limits.js';
import { rateGateOf } from './rate-gate.js';
import type { RunRecord } from './run-record.js';

/** What an attempt needs from the run loop. */
export interface AttemptHooks {
  readonly activities: ActivityRegistry;
  readonly limits: EngineLimits;
  readonly observer?: RunObserver;
  /** The engine's logger, handed to handlers as `ctx.log` (with the attempt's fields). */
  readonly logger: ActivityLogger;
  /** Queues an answer (ActivityStarted, ActivityCompleted, ActivityFailed) for the run. */
  answer(event: EventInput): void;
  /** The handler is about to run (the loop counts it as work in flight). */
  started(): void;
  /** The handler has finished, just before its answer is queued. */
  finished(): void;
  /** After the answer is queued: the loop may have fallen idle. */
  answered(): void;
}

/** Runs one attempt of `command` for `record`; answers through `hooks`. Side effect: runs user code. */
export function runAttempt(record: RunRecord, command: ScheduleActivityCommand, hooks: AttemptHooks): void {
  const handler = hooks.activities.get(command.activity);
  if (!handler) {
    hooks.answer({ type: 'ActivityFailed', seq: command.seq, error: activityNotFound(command.activity, hooks.activities.names()) });
    return;
  }
  const cancellation = new AttemptCancellation();
  record.activities.set(command.seq, cancellation);
  hooks.started();
  // Over a rate limit the attempt waits here: not started yet, so the wait is no attempt and no retry.
  const admitted = rateGateOf(hooks.activities)?.admit(record.definition, command.activity, cancellation);
  if (admitted) void admitted.then(() => startHandler(record, command, hooks, handler, cancellation));
  else startHandler(record, command, hooks, handler, cancellation);
}

function startHandler(record: RunRecord, command: ScheduleActivityCommand, hooks: AttemptHooks, handler: ActivityHandler, cancellation: AttemptCancellation): void {
  hooks.answer({ type: 'ActivityStarted', seq: command.seq, attempt: command.attempt });
  const stepId = command.stepId ?? command.stepPath;
  const params: ExecuteParams = {
    runId: record.runId,
    stepId,
    stepPath: command.stepPath,
    activity: command.activity,
    attempt: command.attempt,
    idempotencyKey: command.idempotencyKey,
    workflow: record.workflowRef,
    timeoutMs: command.timeoutMs,
    cancellation,
    heartbeatTimeoutMs: command.heartbeatTimeoutMs,
    lastHeartbeat: record.heartbeats?.get(command.idempotencyKey),
    onHeartbeat: (details) => recordHeartbeat(record, command.idempotencyKey, stepId, details, hooks.limits.payloadBytes),
    logger: hooks.logger,
  };
  const observer = hooks.observer;
  // Observability hook: the attempt's span, duration metric and a logger with its fields.
  const attempt = observer
    ? observer.aroundAttempt(
        { runId: record.runId, activity: command.activity, attempt: command.attempt, stepPath: command.stepPath, ...(command.stepId === undefined ? {} : { stepId: command.stepId }), workflow: record.workflowRef },
        (logger) => executeActivity(handler, command.input, logger ? { ...params, logger } : params),
      )
    : executeActivity(handler, command.input, params);
  void attempt.then((outcome) => {
    hooks.finished();
    if (record.activities.get(command.seq) === cancellation) record.activities.delete(command.seq);
    // The step is done: no later attempt will read its progress.
    if (outcome.ok) record.heartbeats?.delete(command.idempotencyKey);
    hooks.answer(answerOf(command.seq, stepId, outcome, hooks.limits.payloadBytes));
    hooks.answered();
  });
}

/** Keeps the details for the next attempt; no details = liveness only. */
function recordHeartbeat(record: RunRecord, idempotencyKey: string, stepId: string, details: unknown, payloadBytes: number): void {
  if (details === undefined) return;
  const stored = heartbeatDetails(details, stepId, payloadBytes);
  (record.heartbeats ??= new Map()).set(idempotencyKey, stored);
}
