/**
 * The embedded runtime's CommandSink (runtime/core/ports.ts) and what makes it embedded: a
 * decision's commands carried out in-process (activity attempts, timers on the injected clock,
 * child runs), the idle accounting behind time skipping and stall notices, and the shared run
 * driver over the in-memory store (run-store.ts). Attempts live in attempt-runner.ts.
 */
import type { RunObserver } from '../../observability/run-observer.js';
import type { ActivityRegistry } from '../../activities/registry.js';
import type { Logger } from 'pino';
import type { Command, ScheduleActivityCommand, StartChildCommand } from '../../interpreter/types.js';
import type { EngineLimits } from '../common/limits.js';
import { assertNever, type TimedEventInput } from '../common/events.js';
import type { CommandSink, Transition } from '../core/ports.js';
import { RunDriver } from '../core/run-driver.js';
import { cancelChildRun, notifyParentRun, startChildRun } from '../core/child-runs.js';
import { runAttempt } from './attempt-runner.js';
import type { Clock } from './clock.js';
import type { DefinitionRegistry } from './definition-registry.js';
import type { RunRecord } from './run-record.js';
import { MemoryRunStore, notifyWatchers, type MemoryLoadedRun } from './run-store.js';
import { TimerTable, type PendingTimer } from './timer-table.js';

export type { RunRecord } from './run-record.js';

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

/** Owns every run of one embedded engine and carries out their commands. */
export class RunLoop implements CommandSink<RunRecord> {
  readonly store: MemoryRunStore;
  readonly driver: RunDriver<MemoryLoadedRun, undefined, RunRecord>;
  private readonly timers: TimerTable;
  private inFlightActivities = 0;
  private idleCheckScheduled = false;
  /** onIdle was told of the current idle spell; any new work clears it. */
  private idleNoticed = false;
  private readonly stallWaiters: Array<() => void> = [];
  /** Child runs whose parent asked to cancel them before they were stored. */
  private readonly cancelWhenStarted = new Set<string>();
  private closed = false;

  constructor(private readonly options: RunLoopOptions) {
    this.timers = new TimerTable(options.clock);
    this.store = new MemoryRunStore({ clock: options.clock, retentionMs: options.limits.retentionMs, log: options.log });
    this.driver = new RunDriver({
      store: this.store,
      sink: this,
      now: () => options.clock.now(),
      limits: options.limits,
      ...(options.observer ? { observer: options.observer } : {}),
      onCoreFailure: (runId, error) => this.fault(runId, error),
      onBusy: () => (this.idleNoticed = false),
      onSettled: () => this.pokeSkipper(),
    });
  }

  get runs(): Map<string, RunRecord> {
    return this.store.runs;
  }

  /** Stops timers and in-flight attempts; later events are not decided. */
  close(): void {
    this.closed = true;
    this.driver.close();
    this.timers.clear();
    for (const record of this.runs.values()) for (const attempt of record.activities.values()) attempt.cancel();
  }

  /** Carries out a committed decision's commands, then releases what an ended run awaited. */
  carryOut(transition: Transition, record: RunRecord): void {
    // A decision that finished after close() is stored, but starts nothing new.
    if (!this.closed) for (const command of transition.decision.commands) this.carryOutOne(record, command);
    this.afterDecision(record);
    if (transition.previous === null && this.cancelWhenStarted.delete(record.runId)) this.cancelChild(record.runId);
  }

  /**
   * An answer to one of the run's commands, queued (not awaited): dropped once the run ended, or
   * when its id now names another run (a finished run replaced by a new one).
   */
  private answer(record: RunRecord, events: TimedEventInput | readonly TimedEventInput[], notBefore = 0): void {
    // A failure of the core is the run's fault (recorded by onCoreFailure); a run gone is nobody's.
    void this.driver.answer(record.runId, events, notBefore, () => this.runs.get(record.runId) === record).catch(() => undefined);
  }

  /** A bug in the core while deciding: the run can no longer move; whoever waits for it hears so. */
  private fault(runId: string, error: unknown): void {
    const record = this.runs.get(runId);
    if (!record) return;
    record.fault = error;
    this.options.log().error({ runId, err: error }, 'flowline: the interpreter failed on an event');
    this.notifyWaiters(record);
  }

  private afterDecision(record: RunRecord): void {
    if (!record.ended) return;
    // An ended run awaits nothing: release its timers and stop its attempts.
    this.timers.cancelRun(record.runId);
    for (const attempt of record.activities.values()) attempt.cancel();
    record.heartbeats = undefined;
    this.notifyWaiters(record);
    const status = record.status;
    if (record.watchers) notifyWatchers(record, (watcher) => watcher.onEnded?.(status), this.options.log);
  }

  private notifyWaiters(record: RunRecord): void {
    const waiters = record.waiters;
    record.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private carryOutOne(record: RunRecord, command: Command): void {
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
      case 'CancelChild':
        // Not stored yet (its start is under way): cancel it as soon as it is.
        if (this.runs.has(command.childRunId)) this.cancelChild(command.childRunId);
        else this.cancelWhenStarted.add(command.childRunId);
        break;
      case 'NotifyParent':
        void notifyParentRun(this.driver, record.runId, command).catch(() => undefined);
        break;
      default:
        assertNever(command, 'command');
    }
  }

  private cancelChild(childRunId: string): void {
    void cancelChildRun(this.driver, childRunId).catch(() => undefined);
  }

  private startChild(parent: RunRecord, command: StartChildCommand): void {
    const definitions = this.options.definitions;
    void startChildRun(this.driver, (name, version) => definitions.resolve(name, version), parent.runId, command).catch((error: unknown) => {
      this.answer(parent, {
        type: 'ChildFailed',
        seq: command.seq,
        status: 'failed',
        error: { type: 'ChildFailed', message: `child run could not start: ${(error as Error).message}` },
      });
    });
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
    return this.driver.busyRuns === 0 && this.inFlightActivities === 0;
  }
}
