/**
 * The heart of the embedded runtime: each run's event queue, fed one event at a time through the
 * core's `decide`, then the decision's commands carried out (activities, timers, child runs).
 * Persist, then dispatch: a decision's state and history are stored before any command runs.
 */
import { AttemptCancellation, executeActivity } from '../../activities/execute.js';
import type { ExecuteParams } from '../../activities/execute.js';
import type { RunObserver } from '../../observability/run-observer.js';
import { injectTraceContext } from '../../observability/tracing.js';
import type { ActivityRegistry } from '../../activities/registry.js';
import type { WorkflowDefinition } from '../../definition/types.js';
import type { Logger } from 'pino';
import { decide, isTerminal } from '../../interpreter/index.js';
import type {
  Command,
  Decision,
  RunEvent,
  ScheduleActivityCommand,
  StartChildCommand,
} from '../../interpreter/types.js';
import type { EngineLimits } from '../common/limits.js';
import { activityNotFound, answerOf } from '../common/activity-outcome.js';
import { heartbeatDetails } from '../common/heartbeat-details.js';
import { checkStartInput } from '../common/start-checks.js';
import type { Clock } from './clock.js';
import type { DefinitionRegistry } from './definition-registry.js';
import type { EventInput, QueuedEvent, RunRecord } from './run-record.js';
import { TimerTable, type PendingTimer } from './timer-table.js';

export type { EventInput, RunRecord } from './run-record.js';

export interface RunLoopOptions {
  readonly clock: Clock;
  readonly activities: ActivityRegistry;
  readonly definitions: DefinitionRegistry;
  readonly limits: EngineLimits;
  readonly skipTimers: boolean;
  /** Observability hook (src/observability/run-observer.ts): told of every decision, wraps activity attempts. */
  readonly observer?: RunObserver;
  /**
   * Told each time the engine falls idle (nothing queued, no activity running) while timers are
   * pending, with those timers: what every run is now waiting for. Once per idle spell.
   */
  readonly onIdle?: (pending: readonly PendingTimer[]) => void;
  /** The engine's logger, made on first use (observability/logger.ts lazyLogger). */
  readonly log: () => Logger;
}

/** Owns every run of one embedded engine and moves them forward. */
export class RunLoop {
  readonly runs = new Map<string, RunRecord>();
  private readonly timers: TimerTable;
  private inFlightActivities = 0;
  private activeDrains = 0;
  private idleCheckScheduled = false;
  /** onIdle was told of the current idle spell; any new work clears it. */
  private idleNoticed = false;
  private readonly stallWaiters: Array<() => void> = [];
  /** Child runs whose parent asked to cancel them before they were stored. */
  private readonly cancelWhenStarted = new Set<string>();
  private closed = false;

  private readonly decideOptions: { readonly limits: EngineLimits['expression'] };

  constructor(private readonly options: RunLoopOptions) {
    this.timers = new TimerTable(options.clock);
    this.decideOptions = { limits: options.limits.expression };
  }

  /**
   * Creates a run and decides its RunStarted event; resolves once that first decision is stored.
   * The caller has checked the id and input.
   */
  async startRun(
    definition: WorkflowDefinition,
    runId: string,
    input: unknown,
    parent?: { runId: string; seq: number },
  ): Promise<RunRecord> {
    const at = this.options.clock.now();
    // The caller's trace context (if any) goes with the run, as on the Redis runtime.
    const trace = parent ? undefined : injectTraceContext();
    const event: RunEvent = { type: 'RunStarted', at, runId, input, ...(parent ? { parent } : {}), ...(trace ? { trace } : {}) };
    this.activeDrains++;
    this.idleNoticed = false;
    try {
      const decision = await decide(definition, undefined, event, this.decideOptions);
      const record = this.storeNewRun(definition, runId, decision);
      this.options.observer?.onCommitted({ definition, previous: null, decision, event, loadHistory: async () => record.history });
      return record;
    } finally {
      this.activeDrains--;
      this.pokeSkipper();
    }
  }

  private storeNewRun(definition: WorkflowDefinition, runId: string, decision: Decision): RunRecord {
    const record: RunRecord = {
      runId,
      definition,
      state: decision.state,
      history: [...decision.history],
      queue: [],
      draining: false,
      activities: new Map(),
      waiters: [],
      workflowRef: Object.freeze({ name: definition.name, version: definition.version }),
    };
    this.runs.set(runId, record);
    this.carryOut(record, decision.commands);
    this.afterDecision(record);
    if (this.cancelWhenStarted.delete(runId)) this.cancelChild(record);
    return record;
  }

  /**
   * Queues an event for a run and resolves when it has been decided (true if the core accepted it).
   * Events of one run are decided strictly one after another, in the order queued.
   */
  submit(record: RunRecord, event: EventInput): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.enqueue(record, { event, dropWhenEnded: false, done: { resolve, reject } });
    });
  }

  /** Stops timers and in-flight attempts; later events are ignored. */
  close(): void {
    this.closed = true;
    this.timers.clear();
    for (const record of this.runs.values()) for (const attempt of record.activities.values()) attempt.cancel();
  }

  private enqueue(record: RunRecord, item: QueuedEvent): void {
    if (this.closed) {
      item.done?.resolve(false);
      return;
    }
    record.queue.push(item);
    if (!record.draining) void this.drain(record);
  }

  /** Answers to commands: dropped if the run has ended by the time they are decided. */
  private answer(record: RunRecord, event: EventInput, notBefore?: number): void {
    this.enqueue(record, { event, dropWhenEnded: true, notBefore, fresh: true });
  }

  private async drain(record: RunRecord): Promise<void> {
    record.draining = true;
    this.activeDrains++;
    this.idleNoticed = false;
    try {
      while (record.queue.length > 0) {
        const item = record.queue.shift() as QueuedEvent;
        if (this.closed) {
          item.done?.resolve(false);
          continue;
        }
        try {
          // One await per event: the event is prepared and the decision committed synchronously.
          const event = this.eventOf(record, item);
          let accepted = false;
          if (event !== undefined) {
            const decision = await decide(record.definition, record.state, event, this.decideOptions);
            accepted = this.commit(record, event, decision);
          }
          item.done?.resolve(accepted);
        } catch (error) {
          record.fault = error;
          this.options.log().error({ runId: record.runId, err: error }, 'flowline: the interpreter failed on an event');
          item.done?.reject(error);
          this.notifyWaiters(record);
        }
      }
    } finally {
      record.draining = false;
      this.activeDrains--;
      this.pokeSkipper();
    }
  }

  /** The queued event stamped with its time, or undefined when it is dropped (the run has ended). */
  private eventOf(record: RunRecord, item: QueuedEvent): RunEvent | undefined {
    if (record.fault !== undefined) throw record.fault;
    if (item.dropWhenEnded && isTerminal(record.state.status)) return undefined;
    // Times never go backwards within a run, so history stays ordered.
    const now = this.options.clock.now();
    const notBefore = item.notBefore ?? 0;
    const updatedAt = record.state.updatedAt;
    const at = now >= notBefore && now >= updatedAt ? now : Math.max(now, notBefore, updatedAt);
    if (item.fresh) {
      // Built by the loop for this queue item alone: stamped in place rather than copied.
      (item.event as { at?: number }).at = at;
      return item.event as RunEvent;
    }
    return { ...item.event, at } as RunEvent;
  }

  /** Stores an accepted decision (state, then history), then carries out its commands. */
  private commit(record: RunRecord, event: RunEvent, decision: Decision): boolean {
    if (!decision.accepted) return false;
    const previous = record.state;
    record.state = decision.state;
    // One at a time: `push(...entries)` overflows the stack on a huge decision.
    const history = decision.history;
    for (let i = 0; i < history.length; i++) record.history.push(history[i]!);
    this.options.observer?.onCommitted({ definition: record.definition, previous, decision, event, loadHistory: async () => record.history });
    this.carryOut(record, decision.commands);
    this.afterDecision(record);
    return true;
  }

  private afterDecision(record: RunRecord): void {
    if (!isTerminal(record.state.status)) return;
    // An ended run awaits nothing: release its timers and stop its attempts.
    this.timers.cancelRun(record.runId);
    for (const attempt of record.activities.values()) attempt.cancel();
    record.heartbeats = undefined;
    this.notifyWaiters(record);
  }

  private notifyWaiters(record: RunRecord): void {
    const waiters = record.waiters;
    record.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private carryOut(record: RunRecord, commands: readonly Command[]): void {
    // A decision that finished after close() is stored, but starts nothing new.
    if (this.closed) return;
    for (const command of commands) {
      switch (command.type) {
        case 'ScheduleActivity':
          this.runActivity(record, command);
          break;
        case 'CancelActivity':
          record.activities.get(command.seq)?.cancel();
          break;
        case 'StartTimer':
          this.timers.add(
            record.runId,
            command.seq,
            command.at,
            (timer) => this.answer(record, { type: 'TimerFired', seq: timer.seq }, timer.at),
            { realTime: command.purpose === 'step-timeout', purpose: command.purpose },
          );
          break;
        case 'CancelTimer':
          this.timers.cancel(record.runId, command.seq);
          break;
        case 'StartChild':
          this.startChild(record, command);
          break;
        case 'CancelChild': {
          const child = this.runs.get(command.childRunId);
          if (child) this.cancelChild(child);
          // Still deciding its RunStarted: cancel it as soon as it is stored.
          else this.cancelWhenStarted.add(command.childRunId);
          break;
        }
        case 'NotifyParent': {
          const parent = this.runs.get(command.parentRunId);
          if (!parent) break;
          this.answer(
            parent,
            command.status === 'completed'
              ? { type: 'ChildCompleted', seq: command.seq, output: command.output }
              : { type: 'ChildFailed', seq: command.seq, status: command.status, error: command.error ?? { type: 'ChildFailed', message: `child ended ${command.status}` } },
          );
          break;
        }
        default:
          assertNever(command);
      }
    }
  }

  private cancelChild(child: RunRecord): void {
    if (child.state.status !== 'running') return;
    this.enqueue(child, { event: { type: 'CancelRequested', reason: 'its parent run was cancelled' }, dropWhenEnded: true });
  }

  private runActivity(record: RunRecord, command: ScheduleActivityCommand): void {
    const handler = this.options.activities.get(command.activity);
    if (!handler) {
      const error = activityNotFound(command.activity, this.options.activities.names());
      this.answer(record, { type: 'ActivityFailed', seq: command.seq, error });
      return;
    }
    const cancellation = new AttemptCancellation();
    record.activities.set(command.seq, cancellation);
    this.inFlightActivities++;
    this.idleNoticed = false;
    this.answer(record, { type: 'ActivityStarted', seq: command.seq, attempt: command.attempt });
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
      onHeartbeat: (details) => this.recordHeartbeat(record, command.idempotencyKey, stepId, details),
      logger: this.options.log(),
    };
    const observer = this.options.observer;
    // Observability hook: the attempt's span, duration metric and a logger with its fields.
    const attempt = observer
      ? observer.aroundAttempt(
          { runId: record.runId, activity: command.activity, attempt: command.attempt, stepPath: command.stepPath, ...(command.stepId === undefined ? {} : { stepId: command.stepId }), workflow: record.workflowRef },
          (logger) => executeActivity(handler, command.input, logger ? { ...params, logger } : params),
        )
      : executeActivity(handler, command.input, params);
    void attempt.then((outcome) => {
      this.inFlightActivities--;
      if (record.activities.get(command.seq) === cancellation) record.activities.delete(command.seq);
      // The step is done: no later attempt will read its progress.
      if (outcome.ok) record.heartbeats?.delete(command.idempotencyKey);
      this.answer(record, answerOf(command.seq, stepId, outcome, this.options.limits.payloadBytes));
      this.pokeSkipper();
    });
  }

  /** Keeps the details for the next attempt (in memory: nothing to throttle); no details = liveness only. */
  private recordHeartbeat(record: RunRecord, idempotencyKey: string, stepId: string, details: unknown): void {
    if (details === undefined) return;
    const stored = heartbeatDetails(details, stepId, this.options.limits.payloadBytes);
    (record.heartbeats ??= new Map()).set(idempotencyKey, stored);
  }

  private startChild(parent: RunRecord, command: StartChildCommand): void {
    let definition: WorkflowDefinition;
    let input: unknown;
    try {
      definition = this.options.definitions.resolve(command.workflow, command.version);
      input = checkStartInput(definition, command.input, this.options.limits.payloadBytes);
    } catch (error) {
      const failure = error as { type?: string; message?: string };
      this.answer(parent, {
        type: 'ChildFailed',
        seq: command.seq,
        status: 'failed',
        error: { type: failure.type ?? 'Error', message: failure.message ?? String(error) },
      });
      return;
    }
    const existing = this.runs.get(command.childRunId);
    if (existing) {
      // A repeated dispatch finds the same child (deterministic id); never start it twice.
      this.answer(parent, { type: 'ChildStarted', seq: command.seq, version: existing.definition.version });
      return;
    }
    // ChildStarted is queued before the child can possibly end, so the parent sees them in order.
    this.answer(parent, { type: 'ChildStarted', seq: command.seq, version: definition.version });
    void this.startRun(definition, command.childRunId, input, { runId: parent.runId, seq: command.seq }).catch(
      (error: unknown) => {
        this.answer(parent, {
          type: 'ChildFailed',
          seq: command.seq,
          status: 'failed',
          error: { type: 'ChildFailed', message: `child run could not start: ${(error as Error).message}` },
        });
      },
    );
  }

  /**
   * Resolves the first time the engine is stalled: no event queued, no activity running and no
   * timer pending, so nothing inside the engine can move any run forward (only a caller can).
   */
  whenStalled(): Promise<void> {
    return new Promise((resolve) => {
      this.stallWaiters.push(resolve);
      this.pokeSkipper();
    });
  }

  /**
   * Called whenever work may have run out. Time skipping: once nothing is queued or in flight
   * anywhere, fire the earliest timer. With no timer either, tell whoever waits for a stall.
   */
  private pokeSkipper(): void {
    if (this.idleCheckScheduled || this.closed || !this.idle()) return;
    const wantsSkip = this.options.skipTimers && this.timers.size > 0;
    const wantsStall = this.stallWaiters.length > 0 && this.timers.size === 0;
    const wantsNotice = this.options.onIdle !== undefined && !this.idleNoticed && this.timers.size > 0;
    if (!wantsSkip && !wantsStall && !wantsNotice) return;
    this.idleCheckScheduled = true;
    // setImmediate lets promise continuations (a caller's signal right after start, an activity
    // result being delivered) run first.
    setImmediate(() => {
      this.idleCheckScheduled = false;
      if (this.closed || !this.idle()) return;
      const timer = this.timers.earliest();
      if (timer && this.options.skipTimers) {
        this.timers.skipTo(timer);
      } else if (timer && this.options.onIdle && !this.idleNoticed) {
        this.idleNoticed = true;
        this.options.onIdle(this.timers.list());
      } else if (!timer) {
        const waiters = this.stallWaiters.splice(0);
        for (const waiter of waiters) waiter();
      }
    });
  }

  private idle(): boolean {
    return this.activeDrains === 0 && this.inFlightActivities === 0;
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown command ${JSON.stringify(value)}`);
}
