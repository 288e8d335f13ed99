/**
 * The engine port: the operations of SPEC §10, implemented identically by the embedded runtime
 * (src/runtime/memory) and the Redis runtime (src/runtime/redis). The conformance suite
 * (test/conformance) is written against this interface only.
 */
import type { WorkflowDefinition } from '../definition/types.js';
import type { ErrorInfo, HistoryEntry, MigrationPlan, ReplayReport, RunStatus, SearchAttributeValue } from '../interpreter/types.js';

/** Options of `deploy`. */
export interface DeployOptions {
  /** The document's text as the author wrote it, kept so it can be read back (`readDefinition`). */
  readonly source?: string;
}

/** One deployed workflow name and its versions. */
export interface DefinitionSummary {
  readonly name: string;
  /** Ascending. */
  readonly versions: readonly number[];
  readonly latest: number;
}

/** One deployed definition as stored. */
export interface DeployedDefinition {
  readonly definition: WorkflowDefinition;
  /** The text it was deployed from, or null when it was deployed without one (e.g. from code). */
  readonly source: string | null;
}

/**
 * Receives a run's history entries as they are committed (`watchHistory`). Called in history
 * order, never concurrently, never twice for one entry.
 */
export interface HistoryWatcher {
  /**
   * New entries; `entries[0].index` follows the previous call's last entry — except after the run
   * continued as new, when the new generation's history is given from its entry 0 (a `RunStarted`).
   */
  onEntries(entries: readonly HistoryEntry[]): void;
  /** The run reached a terminal status; called after its last entries. The watch stays open (a retry may reopen the run). */
  onEnded?(status: RunStatus): void;
  /** The watch could not go on (e.g. Redis unreachable, the run expired); no more calls follow. */
  onError?(error: unknown): void;
}

/** Stops a watch. Idempotent. */
export type Unwatch = () => void;

export interface StartOptions {
  readonly input?: unknown;
  /** Caller-given run id (business id). Starting an id that is running is refused. */
  readonly id?: string;
  /** Definition version; the latest deployed when absent. */
  readonly version?: number;
}

/** The outcome of a run (SPEC §9 `--json` shape). */
export interface RunResult {
  readonly runId: string;
  readonly status: RunStatus;
  readonly output: unknown;
  readonly error: ErrorInfo | null;
}

export interface RunDescription extends RunResult {
  readonly name: string;
  readonly version: number;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly parentRunId: string | null;
  /** `$workflow.attempt`: 1, then 2 after the first `retry`… */
  readonly attempt: number;
  /** The run's search attributes (absent when its flow declares none). */
  readonly searchAttributes?: Readonly<Record<string, SearchAttributeValue>>;
  /** Entries in the run's history (of its current generation): what `history` returns. */
  readonly historyLength: number;
  /** 1, then one more each time a `continueAsNew` step started the flow again. */
  readonly generation: number;
  /** The latest earlier generations (at most 10, oldest first); empty for a run that never continued as new. */
  readonly continuedFrom: readonly GenerationSummary[];
  /** Things an operator should know, e.g. a history above the engine's `historyWarningEntries`. */
  readonly warnings: readonly RunWarning[];
}

/** One earlier generation of a run (see `continueAsNew`). */
export interface GenerationSummary {
  readonly generation: number;
  readonly startedAt: string;
  readonly continuedAt: string;
  /** Entries its history held when it continued (that history is no longer kept). */
  readonly historyLength: number;
}

/** A warning `describe` carries. */
export interface RunWarning {
  /** `HistoryLarge`: the history holds more entries than the engine's `historyWarningEntries`. */
  readonly type: 'HistoryLarge';
  readonly message: string;
}

/** Options of `replay`. */
export interface ReplayOptions {
  /** Replay against this definition instead of the one the run is pinned to (an edited flow under the same name+version). */
  readonly definition?: WorkflowDefinition;
}

export interface RunSummary {
  readonly runId: string;
  /** The run's search attributes (absent when its flow declares none). */
  readonly searchAttributes?: Readonly<Record<string, SearchAttributeValue>>;
  readonly name: string;
  readonly version: number;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

/** A comparison of `list --where` (parsed by parseWhere in runtime/common/search-filter.ts). */
export type WhereOperator = '>=' | '<=' | '!=' | '=' | '>' | '<';

/** One condition on a search attribute: `customer=ann`, `total>100`, `renewsAt<2027-01-01`. */
export interface WhereCondition {
  readonly attribute: string;
  readonly op: WhereOperator;
  /** As written; compared as a number or a time when the run's value is one. */
  readonly value: string;
}

export interface ListFilter {
  readonly status?: RunStatus;
  readonly name?: string;
  /**
   * Conditions on search attributes, all of which must hold: `['customer=ann', 'total>100']`
   * (operators `= != < <= > >=`). A condition that cannot be read throws WhereInvalidError.
   */
  readonly where?: readonly string[];
  readonly limit?: number;
  /** Only runs started at or after this instant (epoch ms). */
  readonly startedAfter?: number;
  /** Only runs started before this instant (epoch ms). */
  readonly startedBefore?: number;
}

/** Whether a run started at `startedAt` (epoch ms) is inside the filter's time window. Pure. */
export function startedInWindow(filter: ListFilter, startedAt: number): boolean {
  return (filter.startedAfter === undefined || startedAt >= filter.startedAfter) && (filter.startedBefore === undefined || startedAt < filter.startedBefore);
}

export interface ResultOptions {
  /** Wait for the run to end (default false: return the current state, output null while running). */
  readonly wait?: boolean;
  /** Give up waiting after this long with WaitTimeoutError. */
  readonly timeoutMs?: number;
}

export interface DeployResult {
  readonly name: string;
  readonly version: number;
  /** False when the same content was already deployed (a no-op). */
  readonly created: boolean;
}

export interface SignalOptions {
  /** A signal re-sent with the same id is applied once. */
  readonly signalId?: string;
}

/** Options of `migrate`. */
export interface MigrateOptions {
  /** The version to move to (deployed). */
  readonly toVersion: number;
  /** Only plan: report what would move or what blocks it, change nothing. */
  readonly dryRun?: boolean;
}

/** Options of `migrateMany`: every running run of `name` on `fromVersion`. */
export interface MigrateManyOptions extends MigrateOptions {
  readonly name: string;
  readonly fromVersion: number;
  /** At most this many runs (default 1000). */
  readonly limit?: number;
}

/** One run's migration: the plan, and whether it was carried out. */
export interface MigrationReport extends Omit<MigrationPlan, 'remap'> {
  readonly runId: string;
  /** `migrated`: moved; `planned`: a dry run that would move; `blocked`: see `blockers`; `skipped`: the run ended before it could move. */
  readonly outcome: 'migrated' | 'planned' | 'blocked' | 'skipped';
}

export interface Engine {
  /** Register a definition by name+version. Same content again is a no-op; different content throws DefinitionConflictError. */
  deploy(definition: WorkflowDefinition, options?: DeployOptions): Promise<DeployResult>;
  /** Every deployed workflow name with its versions. */
  listDefinitions?(): Promise<readonly DefinitionSummary[]>;
  /** One deployed version with its source text. Throws DefinitionNotFoundError. */
  readDefinition?(name: string, version: number): Promise<DeployedDefinition>;
  /** Start a run of a deployed workflow. Throws InputInvalidError, RunAlreadyExistsError, DefinitionNotFoundError. */
  start(name: string, options?: StartOptions): Promise<{ readonly runId: string }>;
  /** Deliver a signal. Throws RunNotFoundError, RunNotActiveError, SignalNotDeclaredError, SignalPayloadInvalidError. */
  signal(runId: string, name: string, data?: unknown, options?: SignalOptions): Promise<void>;
  /** Evaluate a declared query against the run's current state; never changes the run. */
  query(runId: string, name: string): Promise<unknown>;
  describe(runId: string): Promise<RunDescription>;
  history(runId: string): Promise<readonly HistoryEntry[]>;
  result(runId: string, options?: ResultOptions): Promise<RunResult>;
  /** Graceful stop: AbortSignals raised, compensations run, status `cancelled`. */
  cancel(runId: string, reason?: string): Promise<void>;
  /** Immediate stop, no compensation. */
  terminate(runId: string, reason?: string): Promise<void>;
  /** Retry a failed run from the failed step. */
  retry(runId: string): Promise<void>;
  list(filter?: ListFilter): Promise<readonly RunSummary[]>;
  /**
   * Moves a running run to another version of its flow, as one transition recorded in history
   * (`RunMigrated`). A dry run only reports the plan. Throws MigrationBlockedError naming each
   * blocking step (not on a dry run), RunNotFoundError, DefinitionNotFoundError.
   */
  migrate(runId: string, options: MigrateOptions): Promise<MigrationReport>;
  /** `migrate` for every running run of a flow version; each run's outcome is reported, none throws. */
  migrateMany(options: MigrateManyOptions): Promise<readonly MigrationReport[]>;
  /**
   * Replays the run's recorded history (its current generation) against the code as it is now and
   * its pinned definition (or `options.definition`), reporting the first non-deterministic
   * decision. Never changes the run. Throws RunNotFoundError.
   */
  replay(runId: string, options?: ReplayOptions): Promise<ReplayReport>;
  /**
   * Watches a run's history: first the entries from `fromIndex` already stored, then each entry as
   * it is committed, without polling per watcher. Resolves once the watch is in place; throws
   * RunNotFoundError for an unknown run. When the run has already ended, `onEnded` follows the backlog.
   */
  watchHistory?(runId: string, fromIndex: number, watcher: HistoryWatcher): Promise<Unwatch>;
  /** Release timers, connections and workers owned by this engine. */
  close(): Promise<void>;
}
