/** The embedded runtime: the Engine port (SPEC §10) in-process and in memory, over the core's `decide`. */
import { ActivityRegistry } from '../../activities/registry.js';
import type { ActivityHandler, ActivityMap } from '../../activities/types.js';
import type { WorkflowDefinition } from '../../definition/types.js';
import {
  EngineClosedError,
  RunAlreadyExistsError,
  RunNotFoundError,
  WaitTimeoutError,
} from '../../errors.js';
import { startedInWindow } from '../engine.js';
import { DEFAULT_MIGRATE_MANY_LIMIT } from '../common/migration.js';
import { matchesWhere, parseWhereList } from '../common/search-filter.js';
import { replayHistory } from '../../interpreter/index.js';
import type { HistoryEntry, ReplayReport, RunState } from '../../interpreter/types.js';
import type { DefinitionSummary, DeployedDefinition, DeployOptions, DeployResult, Engine, HistoryWatcher, Unwatch, ListFilter, MigrateManyOptions, MigrateOptions, MigrationReport, ReplayOptions, ResultOptions, RunDescription, RunResult, RunSummary, SignalOptions, StartOptions } from '../engine.js';
import { resolveLimits, type EngineLimits, type EngineLimitsOptions } from '../common/limits.js';
import { toRunDescription, toRunSummary } from '../common/run-views.js';
import { checkSignal } from '../common/signal-checks.js';
import type { ControlOperation } from '../common/operations.js';
import { controlRun, queryRun, signalRun, startRun } from '../core/run-operations.js';
import { injectTraceContext } from '../../observability/tracing.js';
import { checkStartInput, resolveRunId } from '../common/start-checks.js';
import { SkippingClock, SystemClock, type Clock } from './clock.js';
import { DefinitionRegistry } from './definition-registry.js';
import { RunLoop, type RunRecord } from './run-loop.js';
import type { PendingTimer } from './timer-table.js';
import { GatedActivityRegistry, RateGate } from './rate-gate.js';
import type { RateLimitsOption } from '../common/rate-limits.js';
import type { RunObserver } from '../../observability/run-observer.js';
import { lazyLogger } from '../../observability/logger.js';
import type { Logger } from 'pino';

/** Expired runs are swept once every this many starts (besides being dropped when looked up). */
const SWEEP_EVERY_STARTS = 256;

/** Options of {@link createEmbeddedEngine}. */
export interface EmbeddedEngineOptions {
  /** Activity handlers by dotted name. More can be added with `engine.register`. */
  readonly activities?: ActivityMap;
  /**
   * Time skipping (for tests): whenever nothing is queued and no activity is running anywhere in
   * the engine, move the clock to the next due timer and fire it at once. Without an explicit
   * `clock`, time is virtual (it does not move while activities run), and only per-attempt and
   * step timeouts also fire on the wall clock, so a hung activity still times out.
   */
  readonly skipTimers?: boolean;
  /** Time source and timers (default: the system clock). */
  readonly clock?: Clock;
  /** Observability hook (logs, metrics, spans): `createRunObserver(…)` from src/observability. */
  readonly observer?: RunObserver;
  /**
   * Where the engine's own warnings and handlers' `ctx.log` go (default: JSON lines on stderr at
   * `FLOWLINE_LOG_LEVEL`, default `warn`, made on first use).
   */
  readonly logger?: Logger;
  /** Payload, expression and retention limits (defaults: 512 KiB, 100 ms per expression, 7 days). */
  readonly limits?: EngineLimitsOptions;
  /**
   * Called each time the engine falls idle — nothing queued, no activity running — while timers
   * are pending, with every pending timer (run, due time, purpose): what the runs now wait for.
   * Once per idle spell. `flowline run` uses it to say what a run is waiting for.
   */
  /**
   * Rate limits by activity name, on top of those of the flow documents:
   * `{ 'partner.charge': { max: 10, per: '1s' } }`. A call over a limit waits; it never fails.
   */
  readonly rateLimits?: RateLimitsOption;
  readonly onIdle?: (pending: readonly PendingTimer[]) => void;
}

/** A signal to send right after a run starts (`engine.run`). */
export interface RunSignal {
  readonly name: string;
  readonly data?: unknown;
}

/** Options of `engine.run`: start options plus signals delivered right after the start, in order. */
export interface RunOptions extends StartOptions {
  readonly signals?: readonly RunSignal[];
  /** Give up waiting after this long (WaitTimeoutError); the run keeps going. */
  readonly timeoutMs?: number;
}

/** The in-memory engine. Runs live as long as the engine (and at most the retention after they end). */
export class EmbeddedEngine implements Engine {
  readonly limits: EngineLimits;
  private readonly clock: Clock;
  private readonly activities: ActivityRegistry;
  private readonly definitions = new DefinitionRegistry();
  private readonly loop: RunLoop;
  /** Ids being started right now, so two concurrent starts of one id cannot both win. */
  private readonly starting = new Set<string>();
  private startsSinceSweep = 0;
  private closed = false;

  constructor(options: EmbeddedEngineOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.clock = options.clock ?? (options.skipTimers ? new SkippingClock() : new SystemClock());
    this.activities = new GatedActivityRegistry(options.activities, new RateGate(this.clock, options.skipTimers ?? false, options.rateLimits));
    this.loop = new RunLoop({
      clock: this.clock,
      activities: this.activities,
      definitions: this.definitions,
      limits: this.limits,
      ...(options.observer ? { observer: options.observer } : {}),
      skipTimers: options.skipTimers ?? false,
      ...(options.onIdle ? { onIdle: options.onIdle } : {}),
      log: lazyLogger(options.logger),
    });
  }

  /** Adds or replaces an activity handler. */
  register(name: string, handler: ActivityHandler): void {
    this.activities.register(name, handler);
  }

  async deploy(definition: WorkflowDefinition, options: DeployOptions = {}): Promise<DeployResult> {
    return this.definitions.deploy(definition, options.source);
  }

  async listDefinitions(): Promise<readonly DefinitionSummary[]> {
    return this.definitions.list();
  }

  async readDefinition(name: string, version: number): Promise<DeployedDefinition> {
    return this.definitions.read(name, version);
  }

  async start(name: string, options: StartOptions = {}): Promise<{ readonly runId: string }> {
    if (this.closed) throw new EngineClosedError();
    const definition = this.definitions.resolve(name, options.version);
    const runId = resolveRunId(options.id);
    const existing = this.record(runId);
    if (this.starting.has(runId) || existing?.status === 'running') throw new RunAlreadyExistsError(runId);
    const input = checkStartInput(definition, options.input, this.limits.payloadBytes);
    if (++this.startsSinceSweep >= SWEEP_EVERY_STARTS) this.sweepExpired();
    this.starting.add(runId);
    try {
      // A finished run's id may be reused: the new run replaces the old one.
      await startRun(this.loop.driver, definition, runId, input, traceOrigin());
    } finally {
      this.starting.delete(runId);
    }
    return { runId };
  }

  async signal(runId: string, name: string, data?: unknown, options: SignalOptions = {}): Promise<void> {
    await signalRun(this.loop.driver, runId, name, data, options, injectTraceContext());
  }

  async query(runId: string, name: string): Promise<unknown> {
    return queryRun(this.loop.driver, runId, name);
  }

  async describe(runId: string): Promise<RunDescription> {
    return toRunDescription(this.mustGet(runId).state, this.limits.historyWarningEntries);
  }

  async history(runId: string): Promise<readonly HistoryEntry[]> {
    return [...this.mustGet(runId).history];
  }

  async replay(runId: string, options: ReplayOptions = {}): Promise<ReplayReport> {
    const record = this.mustGet(runId);
    return replayHistory(options.definition ?? record.definition, [...record.history], { limits: this.limits.expression });
  }

  async result(runId: string, options: ResultOptions = {}): Promise<RunResult> {
    const record = this.mustGet(runId);
    if (options.wait && !this.ended(record)) await this.waitForEnd(record, options.timeoutMs);
    if (record.fault !== undefined) throw record.fault;
    return record.result();
  }

  async cancel(runId: string, reason?: string): Promise<void> {
    await this.control(runId, 'cancel', reason);
  }

  async terminate(runId: string, reason?: string): Promise<void> {
    await this.control(runId, 'terminate', reason);
  }

  async retry(runId: string): Promise<void> {
    await this.control(runId, 'retry');
  }

  async list(filter: ListFilter = {}): Promise<readonly RunSummary[]> {
    const rows: RunRecord[] = [];
    const where = parseWhereList(filter.where);
    for (const runId of [...this.loop.runs.keys()]) {
      const record = this.record(runId);
      if (!record) continue;
      if (filter.status !== undefined && record.status !== filter.status) continue;
      if (filter.name !== undefined && record.definition.name !== filter.name) continue;
      if (!startedInWindow(filter, record.startedAt)) continue;
      if (where.length > 0 && !matchesWhere(record.state, where)) continue;
      rows.push(record);
    }
    rows.sort((a, b) => b.startedAt - a.startedAt || a.runId.localeCompare(b.runId));
    // A finished run's state is unpacked only for the rows returned.
    return rows.slice(0, filter.limit ?? rows.length).map((record) => toRunSummary(record.state));
  }

  async migrate(runId: string, options: MigrateOptions): Promise<MigrationReport> {
    const record = this.mustGet(runId);
    const target = this.definitions.resolve(record.definition.name, options.toVersion);
    return this.loop.driver.migrate(runId, target, options, true);
  }

  async migrateMany(options: MigrateManyOptions): Promise<readonly MigrationReport[]> {
    const target = this.definitions.resolve(options.name, options.toVersion);
    const reports: MigrationReport[] = [];
    for (const record of [...this.loop.runs.values()]) {
      if (reports.length >= (options.limit ?? DEFAULT_MIGRATE_MANY_LIMIT)) break;
      if (record.status !== 'running') continue;
      const { workflow } = record.state;
      if (workflow.name !== options.name || workflow.version !== options.fromVersion) continue;
      reports.push(await this.loop.driver.migrate(record.runId, target, options, false));
    }
    return reports;
  }

  /**
   * Calls the watcher with the stored entries from `fromIndex` at once, then from the run loop
   * after each commit (no polling). Throws RunNotFoundError.
   */
  async watchHistory(runId: string, fromIndex: number, watcher: HistoryWatcher): Promise<Unwatch> {
    const record = this.mustGet(runId);
    const backlog = record.history.slice(Math.max(0, fromIndex));
    if (backlog.length > 0) watcher.onEntries(backlog);
    if (record.ended) watcher.onEnded?.(record.status);
    (record.watchers ??= new Set()).add(watcher);
    return () => {
      record.watchers?.delete(watcher);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.loop.close();
    for (const record of this.loop.runs.values()) {
      const waiters = record.waiters;
      record.waiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  /**
   * Convenience for scripts and tests: deploys `definition` (a no-op if already deployed), starts
   * it, delivers `signals` in order right after the start, and waits for the result.
   * Throws the typed start/signal errors; a signal is refused (nothing started) if any is undeclared or invalid.
   */
  async run(definition: WorkflowDefinition, options: RunOptions = {}): Promise<RunResult> {
    await this.deploy(definition);
    for (const signal of options.signals ?? []) {
      checkSignal(definition, { runId: options.id ?? '(new run)', status: 'running' }, signal.name, signal.data, this.limits.payloadBytes);
    }
    const { runId } = await this.start(definition.name, { ...options, version: definition.version });
    for (const signal of options.signals ?? []) await this.signal(runId, signal.name, signal.data);
    return this.result(runId, { wait: true, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
  }

  /**
   * Resolves the first time nothing inside the engine can move any run forward: no event queued,
   * no activity running, no timer pending. A run still `running` then waits for a caller (a
   * signal, a cancel). Used by `flowline run`, where no one else can send signals.
   */
  whenStalled(): Promise<void> {
    return this.loop.whenStalled();
  }

  /**
   * The pinned definition, current state and history of a run, taken at one instant (for tools
   * and replay tests). Read-only: the definition and state are the engine's own objects.
   */
  inspect(runId: string): {
    readonly definition: WorkflowDefinition;
    readonly state: RunState;
    readonly history: readonly HistoryEntry[];
    /** Definitions the run was on before it was migrated, oldest first (absent: never migrated). */
    readonly earlier?: readonly WorkflowDefinition[];
  } {
    const record = this.mustGet(runId);
    return { definition: record.definition, state: record.state, history: [...record.history], ...(record.earlier ? { earlier: [...record.earlier] } : {}) };
  }

  /** Drops every finished run past the retention, so a long-lived engine does not grow without bound. */
  private sweepExpired(): void {
    this.startsSinceSweep = 0;
    this.loop.store.sweepExpired();
  }

  private async control(runId: string, operation: ControlOperation, reason?: string): Promise<void> {
    await controlRun(this.loop.driver, runId, operation, reason);
  }

  private ended(record: RunRecord): boolean {
    return record.fault !== undefined || record.ended;
  }

  private waitForEnd(record: RunRecord, timeoutMs?: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = (): void => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      record.waiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          record.waiters = record.waiters.filter((w) => w !== waiter);
          reject(new WaitTimeoutError(record.runId, timeoutMs));
        }, timeoutMs);
      }
    });
  }

  private mustGet(runId: string): RunRecord {
    const record = this.record(runId);
    if (!record) throw new RunNotFoundError(runId);
    return record;
  }

  /** A run, or undefined when unknown or expired (expired runs are dropped on the way). */
  private record(runId: string): RunRecord | undefined {
    return this.loop.store.lookup(runId);
  }
}

/** The caller's trace context (if any), which the run's span continues, as on the Redis runtime. */
function traceOrigin(): { trace?: Readonly<Record<string, string>> } {
  const trace = injectTraceContext();
  return trace ? { trace } : {};
}

/** Creates an embedded (in-process, in-memory) engine. No I/O beyond the activities you register. */
export function createEmbeddedEngine(options: EmbeddedEngineOptions = {}): EmbeddedEngine {
  return new EmbeddedEngine(options);
}
