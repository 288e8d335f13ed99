/**
 * The transition protocol on Redis (persist, then dispatch): the shared run driver
 * (runtime/core/run-driver.ts) over the Redis ports (run-ports.ts) — load a run, let the core
 * decide, commit with a revision check in one Lua script, then dispatch the commands. A revision
 * conflict (another process moved the run first) reloads and decides again. Also the outbox
 * repair, after a crash between a commit and its dispatch (which leaves alone the entries of eager
 * attempts still running: docs/decisions/0013-eager-execution.md).
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import type { RunStartedEvent, RunState } from '../../interpreter/types.js';
import type { RunObserver } from '../../observability/run-observer.js';
import type { EventInput, TimedEventInput } from '../common/events.js';
import type { MigrateOptions, MigrationReport } from '../engine.js';
import { RunDriver, type ApplyResult, type EventBuilder } from '../core/run-driver.js';
import { TransitionConflictError } from './errors.js';
import { OutboxClearer } from './outbox-clearer.js';
import {
  RedisCommandSink,
  RedisRunStore,
  type ApplyOptions,
  type RedisCreate,
  type RedisLoadedRun,
  type RedisPortDeps,
  type RedisReceipt,
} from './run-ports.js';
import { StateCache } from './state-cache.js';
import type { CommitInput, OutboxEntry } from './store.js';

export type { ApplyOptions, ApplyResult, EventBuilder, EventInput, TimedEventInput };

/** Options of {@link Transitions}: what the Redis ports need (run-ports.ts), and the rest below. */
export interface TransitionDeps
  extends Pick<RedisPortDeps, 'store' | 'registry' | 'dispatcher' | 'limits' | 'now' | 'outboxGraceMs' | 'onDispatchError'> {
  /** Observability hook, told of every committed transition (never throws). */
  readonly observer?: RunObserver;
  /**
   * Last committed states of running runs (default: a cache of its own). Runtimes of one process
   * on the same Redis and prefix may share one: an engine and a worker then hand a run over
   * without a load. Sharing is safe because every commit checks the revision and the generation.
   */
  readonly stateCache?: StateCache;
  /** Randomness for conflict back-off jitter (default Math.random). */
  readonly random?: () => number;
  /** Waits `ms` (default a setTimeout): the back-off after a lost race. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Applies events to runs stored in Redis. Side effects: Redis I/O, BullMQ jobs. */
export class Transitions {
  /** The run driver over the Redis ports: what the engine operations and child runs use. */
  readonly driver: RunDriver<RedisLoadedRun, RedisCreate, RedisReceipt, ApplyOptions>;
  private readonly outbox: OutboxClearer;

  constructor(private readonly deps: TransitionDeps) {
    this.outbox = new OutboxClearer({ store: deps.store, onError: deps.onDispatchError });
    const ports = {
      ...deps,
      cache: deps.stateCache ?? new StateCache(),
      outbox: this.outbox,
      repair: (runId: string) => this.repairQuietly(runId),
    };
    this.driver = new RunDriver({
      store: new RedisRunStore(ports),
      sink: new RedisCommandSink(ports),
      now: deps.now,
      limits: deps.limits,
      ...(deps.observer ? { observer: deps.observer } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      tooManyConflicts: (runId, attempts) => new TransitionConflictError(runId, attempts),
    });
  }

  /**
   * Applies one event to an existing run. `notBefore` bounds the event time from below (a timer
   * fires no earlier than it was due). Throws RunNotFoundError, or whatever `build` throws.
   */
  apply(runId: string, build: EventBuilder, notBefore = 0, options?: ApplyOptions): Promise<ApplyResult> {
    return this.driver.apply(runId, build, notBefore, options);
  }

  /**
   * An answer to one of the run's commands (dropped once the run ended); whether the core accepted
   * it. A worker's answer brings its eager offer and the outbox entries it settles in `options`.
   */
  answer(runId: string, events: TimedEventInput | readonly TimedEventInput[], notBefore = 0, options?: ApplyOptions): Promise<boolean> {
    return this.driver.answer(runId, events, notBefore, undefined, options);
  }

  /**
   * Creates a run from its RunStarted decision. Throws RunAlreadyExistsError when a run with
   * this id is running (a finished one is replaced).
   */
  create(
    definition: WorkflowDefinition,
    event: Omit<RunStartedEvent, 'at'>,
    options: { latestCheck?: CommitInput['latestCheck'] } = {},
  ): Promise<RunState> {
    return this.driver.create(definition, event, options);
  }

  /**
   * Moves a run to `target` (docs/decisions/0015) through the driver: planned on a fresh load,
   * committed with the revision check, alone in the run's queue. A conflict plans again.
   */
  migrate(runId: string, target: WorkflowDefinition, options: MigrateOptions, throwWhenBlocked: boolean): Promise<MigrationReport> {
    return this.driver.migrate(runId, target, options, throwWhenBlocked);
  }

  /** Dispatches whatever a run's outbox holds (repair after a crash between commit and dispatch). */
  async repairOutbox(runId: string): Promise<number> {
    const entries = await this.liveEagerLeftOut(await this.deps.store.readOutbox(runId));
    if (entries.length === 0) return 0;
    const state = await this.deps.store.loadState(runId);
    // Re-dispatched jobs may already have run: their workers check the run still awaits them.
    await this.deps.dispatcher.dispatch(runId, state, entries.map((e) => e.entry.command), { repair: true });
    await this.deps.store.clearOutbox(runId, entries.map((e) => e.raw));
    return entries.length;
  }

  /** Leaves out entries of eager attempts whose worker still runs them (their carrier's lock is held). */
  private async liveEagerLeftOut<T extends { entry: OutboxEntry }>(entries: T[]): Promise<T[]> {
    const eager = entries.filter((e) => e.entry.carrier);
    if (eager.length === 0) return entries;
    const held = await this.deps.store.carriersHeld(eager.map((e) => e.entry.carrier!));
    const running = new Set(eager.filter((_, i) => held[i]));
    return entries.filter((e) => !running.has(e));
  }

  /** Removes dispatched outbox entries not yet removed by a later commit (one pipeline); on close. */
  flushDispatched(): Promise<void> {
    return this.outbox.flush();
  }

  private async repairQuietly(runId: string): Promise<void> {
    try {
      await this.repairOutbox(runId);
    } catch (error) {
      this.deps.onDispatchError(runId, error);
    }
  }
}
