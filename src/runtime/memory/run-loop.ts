/**
 * The heart of the embedded runtime: each run's event queue, fed one event at a time through the
 * core's `decide`, then the decision's commands carried out (activities, timers, child runs).
 * Persist, then dispatch: a decision's state and history are stored before any command runs.
 *
 * Over 300 lines on purpose: the queue, the idle accounting (time skipping, stall and idle
 * notices) and carrying out commands share the loop's counters; split apart they would each need
 * the others' private state. Attempts live in attempt-runner.ts.
 */
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
import { runAttempt } from './attempt-runner.js';
import { childEndEvent, childStartFailedEvent } from '../common/child-notices.js';
import { assertNever } from '../common/events.js';
import { decideBatch } from '../common/batch-decision.js';
import { migrationReport, migrationStep } from '../common/migration.js';
import type { HistoryWatcher, MigrateOptions, MigrationReport } from '../engine.js';
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

/** At most this many queued events of one run are decided as one transition. */
const MAX_BATCH = 64;

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

  /** Queues a move to another version; resolves with its report once decided in the run's order. */
  migrate(record: RunRecord, target: WorkflowDefinition, options: MigrateOptions, throwWhenBlocked: boolean): Promise<MigrationReport> {
    return new Promise((resolve, reject) => {
      // The event is a placeholder: a migration is planned on the state it meets (see drainMigration).
      const placeholder: EventInput = { type: 'CancelRequested' };
      this.enqueue(record, { event: placeholder, dropWhenEnded: false, migration: { target, options, throwWhenBlocked, settle: { resolve, reject } } });
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
    this.enqueue(record, { event, dropWhenEnded: true, ...(notBefore === undefined ? {} : { notBefore }) });
  }

  /**
   * Decides a run's queued events in order, those that piled up together (at most MAX_BATCH) as
   * one transition — as the Redis runtime does, with the same batch decider — then stores the
   * decision and carries out its commands.
   */
  private async drain(record: RunRecord): Promise<void> {
    record.draining = true;
    this.activeDrains++;
    this.idleNoticed = false;
    try {
      while (record.queue.length > 0) {
        if (record.queue[0]!.migration) {
          await this.drainMigration(record, record.queue.shift()!);
          continue;
        }
        // A migration changes the definition later events are decided with: it goes alone.
        const cut = record.queue.findIndex((item) => item.migration !== undefined);
        const batch = record.queue.splice(0, Math.min(MAX_BATCH, cut < 0 ? record.queue.length : cut));
        if (this.closed) {
          for (const item of batch) item.done?.resolve(false);
          continue;
        }
        if (record.fault !== undefined) {
          for (const item of batch) item.done?.reject(record.fault);
          continue;
        }
        const decided = await decideBatch(
          record.definition,
          record.state,
          batch.map((item) => ({
            // Answers to commands are dropped once the run has ended; requests are decided (and refused).
            build: (state) => (item.dropWhenEnded && isTerminal(state.status) ? null : item.event),
            notBefore: item.notBefore ?? 0,
          })),
          this.options.clock.now(),
          this.options.limits.expression,
        );
        // Builders here never throw: an error is the core failing on an event, and the run can no longer move.
        const failure = decided.results.find((result): result is { error: unknown } => 'error' in result);
        if (failure) {
          record.fault = failure.error;
          this.options.log().error({ runId: record.runId, err: failure.error }, 'flowline: the interpreter failed on an event');
        }
        if (decided.decision) this.commit(record, decided.events[0]!, decided.decision);
        batch.forEach((item, i) => {
          const result = decided.results[i]!;
          if ('error' in result) item.done?.reject(result.error);
          else item.done?.resolve(result.accepted);
        });
        if (failure) this.notifyWaiters(record);
      }
    } finally {
      record.draining = false;
      this.activeDrains--;
      this.pokeSkipper();
    }
  }

  /** Plans a queued migration on the run's current state and, when allowed, decides and commits it with the target definition. */
  private async drainMigration(record: RunRecord, item: QueuedEvent): Promise<void> {
    const { target, options, throwWhenBlocked, settle } = item.migration!;
    try {
      if (record.fault !== undefined) throw record.fault;
      const step = migrationStep(record.definition, target, record.state, options, throwWhenBlocked);
      if (step.kind === 'report') return settle.resolve(step.report);
      const decided = await decideBatch(target, record.state, [{ build: () => step.event, notBefore: 0 }], this.options.clock.now(), this.options.limits.expression);
      const result = decided.results[0]!;
      if ('error' in result) throw result.error;
      if (!decided.decision) return settle.resolve(migrationReport(record.runId, step.plan, 'skipped'));
      (record.earlier ??= []).push(record.definition);
      record.definition = target;
      record.workflowRef = Object.freeze({ name: target.name, version: target.version });
      this.commit(record, decided.events[0]!, decided.decision);
      settle.resolve(migrationReport(record.runId, step.plan, 'migrated'));
    } catch (error) {
      settle.reject(error);
    }
  }

  /** Stores an accepted decision (state, then history), then carries out its commands. */
  private commit(record: RunRecord, event: RunEvent, decision: Decision): void {
    const previous = record.state;
    record.state = decision.state;
    // One at a time: `push(...entries)` overflows the stack on a huge decision.
    const history = decision.history;
    // Continue-as-new: the new generation's history replaces the old one (decision 0014).
    if (decision.historyRestarted) record.history = [];
    for (let i = 0; i < history.length; i++) record.history.push(history[i]!);
    if (record.watchers && history.length > 0) notifyWatchers(record, (watcher) => watcher.onEntries(history), this.options.log);
    this.options.observer?.onCommitted({ definition: record.definition, previous, decision, event, loadHistory: async () => record.history });
    this.carryOut(record, decision.commands);
    this.afterDecision(record);
  }

  private afterDecision(record: RunRecord): void {
    if (!isTerminal(record.state.status)) return;
    // An ended run awaits nothing: release its timers and stop its attempts.
    this.timers.cancelRun(record.runId);
    for (const attempt of record.activities.values()) attempt.cancel();
    record.heartbeats = undefined;
    this.notifyWaiters(record);
    const status = record.state.status;
    if (record.watchers) notifyWatchers(record, (watcher) => watcher.onEnded?.(status), this.options.log);
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
          this.answer(parent, childEndEvent(command, record.runId));
          break;
        }
        default:
          assertNever(command, 'command');
      }
    }
  }

  private cancelChild(child: RunRecord): void {
    if (child.state.status !== 'running') return;
    this.enqueue(child, { event: { type: 'CancelRequested', reason: 'its parent run was cancelled' }, dropWhenEnded: true });
  }

  private runActivity(record: RunRecord, command: ScheduleActivityCommand): void {
    runAttempt(record, command, {
      activities: this.options.activities,
      limits: this.options.limits,
      ...(this.options.observer ? { observer: this.options.observer } : {}),
      answer: (event) => this.answer(record, event),
      started: () => {
        this.inFlightActivities++;
        this.idleNoticed = false;
      },
      finished: () => this.inFlightActivities--,
      answered: () => this.pokeSkipper(),
      logger: this.options.log(),
    });
  }

  private startChild(parent: RunRecord, command: StartChildCommand): void {
    let definition: WorkflowDefinition;
    let input: unknown;
    try {
      definition = this.options.definitions.resolve(command.workflow, command.version);
      input = checkStartInput(definition, command.input, this.options.limits.payloadBytes);
    } catch (error) {
      this.answer(parent, childStartFailedEvent(command.seq, error));
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

/** Calls every watcher of a run; one that throws is dropped (it cannot stop the run or the others). */
function notifyWatchers(record: RunRecord, call: (watcher: HistoryWatcher) => void, log: () => Logger): void {
  for (const watcher of [...(record.watchers ?? [])]) {
    try {
      call(watcher);
    } catch (error) {
      record.watchers?.delete(watcher);
      log().warn({ runId: record.runId, err: error }, 'flowline: a history watcher failed and was removed');
    }
  }
}
