/** The Redis runtime behind the Engine port (SPEC §8, §10): runs stored in Redis, work dispatched through BullMQ. */
import type { WorkflowDefinition } from '../../definition/types.js';
import { RunNotFoundError, WaitTimeoutError } from '../../errors.js';
import { isTerminal, replayHistory } from '../../interpreter/index.js';
import type { HistoryEntry, ReplayReport, RunState } from '../../interpreter/types.js';
import { toRunDescription, toRunResult } from '../common/run-views.js';
import type { ControlOperation } from '../common/operations.js';
import { controlRun, queryRun, signalRun } from '../core/run-operations.js';
import { checkStartInput, resolveRunId } from '../common/start-checks.js';
import { DEFAULT_MIGRATE_MANY_LIMIT } from '../common/migration.js';
import type { DefinitionSummary, DeployedDefinition, DeployOptions, DeployResult, Engine, HistoryWatcher, Unwatch, ListFilter, MigrateManyOptions, MigrateOptions, MigrationReport, ReplayOptions, ResultOptions, RunDescription, RunResult, RunSummary, SignalOptions, StartOptions } from '../engine.js';
import { createClient } from './connection.js';
import { LatestVersionMovedError, translateRedisError } from './errors.js';
import { isRedisFullError, redisFullError } from './memory.js';
import { ChannelSubscriber } from './notices.js';
import { HistoryFanout } from './history-watch.js';
import { RedisRuntime, type RedisRuntimeOptions } from './runtime.js';
import { ScheduleManager } from './schedules.js';
import { injectTraceContext } from '../../observability/tracing.js';

/** Options of {@link createRedisEngine}. */
export interface RedisEngineOptions extends RedisRuntimeOptions {
  /**
   * A call fails with RedisUnavailableError when Redis does not answer one of its commands (or a
   * connection attempt) within this many ms (default 10 000), instead of hanging on a Redis that
   * is stopped or behind a network dropping packets. `result({ wait })` still waits as long as
   * asked: the bound is on each command, not on the wait.
   */
  readonly commandTimeoutMs?: number;
}

/** Default of {@link RedisEngineOptions.commandTimeoutMs}. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/** How often a waiting `result` re-reads the run even without a pub/sub notice (ms). */
const RESULT_POLL_MS = 1_000;

/**
 * The Engine on Redis. Does not run activities or timers itself: start workers (`startWorker`
 * or `flowline worker`) against the same Redis and prefix.
 */
export class RedisEngine implements Engine {
  /** Cron and interval schedules (SPEC §7). */
  readonly schedules: ScheduleManager;
  private subscriber: ChannelSubscriber | undefined;
  private fanout: HistoryFanout | undefined;

  constructor(readonly runtime: RedisRuntime) {
    this.schedules = new ScheduleManager(runtime);
  }

  /** The key prefix this engine works under. */
  get prefix(): string {
    return this.runtime.keys.prefix;
  }

  deploy(definition: WorkflowDefinition, options: DeployOptions = {}): Promise<DeployResult> {
    return this.guard('deploying', () => this.runtime.registry.deploy(definition, options.source));
  }

  listDefinitions(): Promise<readonly DefinitionSummary[]> {
    return this.guard('listing definitions', () => this.runtime.registry.list());
  }

  readDefinition(name: string, version: number): Promise<DeployedDefinition> {
    return this.guard('reading a definition', async () => {
      const definition = await this.runtime.registry.get(name, version);
      return { definition, source: await this.runtime.registry.source(name, version) };
    });
  }

  /**
   * Watches a run's history through one shared subscription to the commit notices and one
   * shared reader per watched run (see history-watch.ts). Throws RunNotFoundError.
   */
  watchHistory(runId: string, fromIndex: number, watcher: HistoryWatcher): Promise<Unwatch> {
    return this.guard('watching a run', () => {
      const role = { blocking: true, ...(this.runtime.target.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: this.runtime.target.commandTimeoutMs }) };
      this.fanout ??= new HistoryFanout(this.runtime.store, this.runtime.keys.commitsChannel, () => createClient(this.runtime.connection, role));
      return this.fanout.watch(runId, fromIndex, watcher);
    });
  }

  start(name: string, options: StartOptions = {}): Promise<{ readonly runId: string }> {
    return this.guard('starting a run', async () => {
      const { definition, latestCheck } = await this.runtime.registry.forStart(name, options.version);
      const runId = resolveRunId(options.id);
      // The caller's trace context (if any) is stored with the run, so workers continue its trace.
      const trace = injectTraceContext();
      try {
        const input = checkStartInput(definition, options.input, this.runtime.limits.payloadBytes);
        await this.runtime.startRun(definition, runId, input, undefined, trace, latestCheck);
      } catch (error) {
        if (!(error instanceof LatestVersionMovedError)) throw error;
        // A newer version was deployed since this process last looked: resolve it and start on it.
        this.runtime.registry.forgetLatest(name);
        const latest = await this.runtime.registry.get(name);
        await this.runtime.startRun(latest, runId, checkStartInput(latest, options.input, this.runtime.limits.payloadBytes), undefined, trace);
      }
      return { runId };
    });
  }

  signal(runId: string, name: string, data?: unknown, options: SignalOptions = {}): Promise<void> {
    return this.guard('sending a signal', async () => {
      await signalRun(this.runtime.transitions.driver, runId, name, data, options, injectTraceContext());
    });
  }

  query(runId: string, name: string): Promise<unknown> {
    return this.guard('querying', () => queryRun(this.runtime.transitions.driver, runId, name));
  }

  describe(runId: string): Promise<RunDescription> {
    return this.guard('describing a run', async () => toRunDescription(await this.runtime.mustLoad(runId), this.runtime.limits.historyWarningEntries));
  }

  history(runId: string): Promise<readonly HistoryEntry[]> {
    return this.guard('reading history', async () => {
      const [state, history] = await Promise.all([this.runtime.store.loadState(runId), this.runtime.store.history(runId)]);
      if (!state && history.length === 0) throw new RunNotFoundError(runId);
      return history;
    });
  }

  replay(runId: string, options: ReplayOptions = {}): Promise<ReplayReport> {
    return this.guard('replaying a run', async () => {
      const snapshot = await this.runtime.store.snapshot(runId);
      if (!snapshot) throw new RunNotFoundError(runId);
      const definition = options.definition ?? (await this.runtime.registry.pinned(snapshot.state.workflow));
      return replayHistory(definition, snapshot.history, { limits: this.runtime.limits.expression });
    });
  }

  result(runId: string, options: ResultOptions = {}): Promise<RunResult> {
    return this.guard('reading a result', async () => {
      const state = await this.runtime.mustLoad(runId);
      if (!options.wait || isTerminal(state.status)) return toRunResult(state);
      return toRunResult(await this.waitForEnd(runId, options.timeoutMs));
    });
  }

  cancel(runId: string, reason?: string): Promise<void> {
    return this.control(runId, 'cancel', reason);
  }

  terminate(runId: string, reason?: string): Promise<void> {
    return this.control(runId, 'terminate', reason);
  }

  retry(runId: string): Promise<void> {
    return this.control(runId, 'retry');
  }

  list(filter: ListFilter = {}): Promise<readonly RunSummary[]> {
    return this.guard('listing runs', () => this.runtime.indexes.list(filter, (ids) => this.runtime.loadStates(ids)));
  }

  migrate(runId: string, options: MigrateOptions): Promise<MigrationReport> {
    return this.guard('migrating a run', async () => {
      const state = await this.runtime.mustLoad(runId);
      const target = await this.runtime.registry.get(state.workflow.name, options.toVersion);
      return this.runtime.transitions.migrate(runId, target, options, true);
    });
  }

  migrateMany(options: MigrateManyOptions): Promise<readonly MigrationReport[]> {
    return this.guard('migrating runs', async () => {
      const target = await this.runtime.registry.get(options.name, options.toVersion);
      const limit = options.limit ?? DEFAULT_MIGRATE_MANY_LIMIT;
      const reports: MigrationReport[] = [];
      // The index is by name and status; the version is read from each run's state.
      const running = await this.runtime.indexes.list({ name: options.name, status: 'running', limit: Number.MAX_SAFE_INTEGER }, (ids) => this.runtime.loadStates(ids));
      for (const run of running) {
        if (reports.length >= limit) break;
        if (run.version !== options.fromVersion) continue;
        reports.push(await this.runtime.transitions.migrate(run.runId, target, options, false));
      }
      return reports;
    });
  }

  /**
   * The pinned definition, current state and history of a run, read atomically (the history
   * always matches the state), for tools and replay tests. Throws RunNotFoundError.
   */
  async inspect(
    runId: string,
  ): Promise<{
    readonly definition: WorkflowDefinition;
    readonly state: RunState;
    readonly history: readonly HistoryEntry[];
    /** Definitions the run was on before it was migrated, oldest first (absent: never migrated). */
    readonly earlier?: readonly WorkflowDefinition[];
  }> {
    const snapshot = await this.runtime.store.snapshot(runId);
    if (!snapshot) throw new RunNotFoundError(runId);
    const name = snapshot.state.workflow.name;
    const earlier: WorkflowDefinition[] = [];
    for (const entry of snapshot.history) {
      if (entry.event?.type === 'RunMigrated') earlier.push(await this.runtime.registry.pinned({ name, ...entry.event.from }));
    }
    return { definition: await this.runtime.registry.pinned(snapshot.state.workflow), ...snapshot, ...(earlier.length ? { earlier } : {}) };
  }

  /**
   * Closes the engine's connections. `force` drops them without waiting for Redis to answer
   * (after a RedisUnavailableError, so closing is not another wait).
   */
  async close(options: { force?: boolean } = {}): Promise<void> {
    await this.subscriber?.close(options);
    this.subscriber = undefined;
    await this.fanout?.close();
    this.fanout = undefined;
    await this.runtime.close(options);
  }

  private control(runId: string, operation: ControlOperation, reason?: string): Promise<void> {
    return this.guard(operation === 'retry' ? 'retrying a run' : `${operation} a run`, () => controlRun(this.runtime.transitions.driver, runId, operation, reason));
  }

  private async waitForEnd(runId: string, timeoutMs: number | undefined): Promise<RunState> {
    // Stays subscribed through reconnections, but its SUBSCRIBE is bounded like every command.
    const role = { blocking: true, ...(this.runtime.target.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: this.runtime.target.commandTimeoutMs }) };
    const subscriber = (this.subscriber ??= new ChannelSubscriber(createClient(this.runtime.connection, role), this.runtime.keys.channel));
    try {
      await subscriber.start();
    } catch (error) {
      // A failed subscription is not kept: the next wait subscribes afresh.
      if (this.subscriber === subscriber) this.subscriber = undefined;
      await subscriber.close({ force: true });
      throw error;
    }
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      let wake: () => void = () => undefined;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const off = subscriber.on((message) => {
        if (message.kind === 'ended' && message.runId === runId) wake();
      });
      try {
        const state = await this.runtime.mustLoad(runId);
        if (isTerminal(state.status)) return state;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new WaitTimeoutError(runId, timeoutMs ?? 0);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(RESULT_POLL_MS, remaining))))]);
        clearTimeout(timer);
      } finally {
        off();
      }
    }
  }

  private async guard<T>(where: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // Under noeviction a full Redis refuses every write: say so plainly (nothing was stored).
      if (isRedisFullError(error)) throw await redisFullError(this.runtime.client);
      throw translateRedisError(error, where, this.runtime.target);
    }
  }
}

/**
 * Creates an engine on Redis. Side effect: opens a connection (lazily established by ioredis).
 * `url` may carry a user, password, database and `rediss://` for TLS.
 */
export function createRedisEngine(options: RedisEngineOptions = {}): RedisEngine {
  return new RedisEngine(new RedisRuntime(options, { blocking: false, commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS }));
}

