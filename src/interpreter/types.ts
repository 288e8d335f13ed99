/**
 * The data the interpreter core speaks: events in, state + commands + history out.
 * Everything here is plain, JSON-serialisable data — no functions, no Dates, no class instances —
 * so a runtime can store it as it is and a replay can fold it again.
 */
import type { StepKind, StepPath } from '../definition/types.js';

/** Epoch milliseconds. */
export type EpochMs = number;

export const RUN_STATUSES = [
  'running',
  'completed',
  'failed',
  'compensated',
  'compensation_failed',
  'cancelled',
  'terminated',
  'timed_out',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TERMINAL_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter((s) => s !== 'running');

/** Built-in failure types (SPEC §4). Handlers add their own. */
export const BUILTIN_ERROR_TYPES = [
  'Timeout',
  'HeartbeatTimeout',
  'SignalTimeout',
  'Cancelled',
  'ExpressionError',
  'ExpressionTimeout',
  'InputInvalid',
  'ActivityNotFound',
  'ChildFailed',
] as const;

/** A failure as data: what `$error` is bound to and what a run's `error` holds. */
export interface ErrorInfo {
  readonly type: string;
  readonly message: string;
  /** Id (or path, when the step has no id) of the step that failed. */
  readonly step?: string | null;
  readonly details?: unknown;
  /** Set by a handler to stop retries whatever the policy says. */
  readonly nonRetryable?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Events: what happened outside the core. Each carries `at`, the time of the decision it causes
// ($now(), $millis(), timers and backoff are computed from it, never from a clock).
// ---------------------------------------------------------------------------------------------

interface EventBase {
  readonly at: EpochMs;
}

export interface RunStartedEvent extends EventBase {
  readonly type: 'RunStarted';
  readonly runId: string;
  readonly input: unknown;
  /** Set when this run is a child: the parent's run id and the seq of its StartChild command. */
  readonly parent?: { readonly runId: string; readonly seq: number };
  /** W3C trace context of the caller (`traceparent`…), kept in history so workers continue its trace. Ignored by the core. */
  readonly trace?: Readonly<Record<string, string>>;
  /** Set when this is a later generation of the run, started by a `continueAsNew` step. */
  readonly continued?: Continuation;
}

/** One earlier generation of a run that continued as new. */
export interface GenerationLink {
  readonly generation: number;
  readonly startedAt: EpochMs;
  /** When its `continueAsNew` step ended it. */
  readonly continuedAt: EpochMs;
  /** How many history entries it had written (they are gone: each generation keeps its own). */
  readonly historyLength: number;
}

/** At most this many earlier generations are kept in a run's chain summary (the newest ones). */
export const CHAIN_LIMIT = 10;

/** What a generation started by `continueAsNew` carries over (docs/decisions/0014-continue-as-new.md). */
export interface Continuation {
  /** This generation's number: 2 for the first continuation. */
  readonly generation: number;
  /** When the run's first generation started (`startedAt` of the run, `$workflow.startedAt`). */
  readonly runStartedAt: EpochMs;
  /** The run's revision when the previous generation ended: revisions go on counting (runtimes compare them). */
  readonly revision: number;
  /** The latest earlier generations, oldest first, at most CHAIN_LIMIT. */
  readonly chain: readonly GenerationLink[];
  /** Counters carried over so command seqs, idempotency keys and `$uuid()` values never repeat within the run. */
  readonly nextSeq: number;
  readonly nextNode: number;
  readonly uuids: number;
  /** Signals the previous generation received and had not taken, per name, oldest first. */
  readonly signals: Readonly<Record<string, readonly { readonly data: unknown; readonly at: EpochMs; readonly signalId?: string }[]>>;
}
/** A worker picked up an attempt (informational; recorded in history). */
export interface ActivityStartedEvent extends EventBase {
  readonly type: 'ActivityStarted';
  readonly seq: number;
  readonly attempt: number;
}
export interface ActivityCompletedEvent extends EventBase {
  readonly type: 'ActivityCompleted';
  readonly seq: number;
  readonly output: unknown;
}
export interface ActivityFailedEvent extends EventBase {
  readonly type: 'ActivityFailed';
  readonly seq: number;
  readonly error: ErrorInfo;
}
export interface TimerFiredEvent extends EventBase {
  readonly type: 'TimerFired';
  readonly seq: number;
}
export interface SignalReceivedEvent extends EventBase {
  readonly type: 'SignalReceived';
  readonly name: string;
  readonly data: unknown;
  /** Caller-given id: a signal with an id already received is ignored. */
  readonly signalId?: string;
  /** W3C trace context of the sender (`traceparent`…): the run's span links to it. Ignored by the core. */
  readonly trace?: Readonly<Record<string, string>>;
}
export interface ChildStartedEvent extends EventBase {
  readonly type: 'ChildStarted';
  readonly seq: number;
  /** The version the runtime resolved (latest when the step named none). */
  readonly version: number;
}
export interface ChildCompletedEvent extends EventBase {
  readonly type: 'ChildCompleted';
  readonly seq: number;
  readonly output: unknown;
}
export interface ChildFailedEvent extends EventBase {
  readonly type: 'ChildFailed';
  readonly seq: number;
  /** The child's own error and final status; the parent sees type `ChildFailed` with this in `details`. */
  readonly error: ErrorInfo;
  readonly status: RunStatus;
}
export interface CancelRequestedEvent extends EventBase {
  readonly type: 'CancelRequested';
  readonly reason?: string;
}
export interface TerminateRequestedEvent extends EventBase {
  readonly type: 'TerminateRequested';
  readonly reason?: string;
  /**
   * Set by a runtime that stops a run it cannot move (its transition crashed worker processes
   * again and again): the run ends `failed` with this error instead of `terminated`, and can be
   * retried from the step it was at. No user expression is evaluated.
   */
  readonly failure?: ErrorInfo;
}
/** Retry a failed run from the step that failed, keeping completed steps' outputs (SPEC §7). */
export interface RetryRequestedEvent extends EventBase {
  readonly type: 'RetryRequested';
}

/** Bookkeeping changes of a migration, computed by planMigration: node id → new path/list/index/tag, registration id → new step path. */
export interface MigrationRemap {
  readonly nodes: Readonly<Record<string, { readonly path?: string; readonly list?: string; readonly index?: number; readonly tag?: number }>>;
  readonly regs: Readonly<Record<string, string>>;
}
/**
 * The run moves to another version of its flow (docs/decisions/0015). Decided with the target
 * definition; carries what it re-points, so a replay needs both definitions but no planning.
 */
export interface RunMigratedEvent extends EventBase {
  readonly type: 'RunMigrated';
  readonly from: { readonly version: number; readonly digest: string };
  readonly to: { readonly version: number; readonly digest: string };
  readonly remap: MigrationRemap;
}

export type RunEvent =
  | RunStartedEvent
  | RunMigratedEvent
  | ActivityStartedEvent
  | ActivityCompletedEvent
  | ActivityFailedEvent
  | TimerFiredEvent
  | SignalReceivedEvent
  | ChildStartedEvent
  | ChildCompletedEvent
  | ChildFailedEvent
  | CancelRequestedEvent
  | TerminateRequestedEvent
  | RetryRequestedEvent;

export type RunEventType = RunEvent['type'];

// ---------------------------------------------------------------------------------------------
// Commands: what the runtime must do after it has stored the new state. Each command that expects
// an answer carries a `seq` (unique within the run); the answering event cites it. An answer whose
// seq is no longer awaited (cancelled, duplicate, stale) is ignored by the core.
// ---------------------------------------------------------------------------------------------

export interface ScheduleActivityCommand {
  readonly type: 'ScheduleActivity';
  readonly seq: number;
  readonly activity: string;
  readonly input: unknown;
  readonly attempt: number;
  /** Same for every attempt of one step execution; differs per forEach iteration. */
  readonly idempotencyKey: string;
  readonly stepPath: StepPath;
  readonly stepId?: string;
  /** Per-attempt bound, for the handler's AbortSignal. The core also starts a timer for it. */
  readonly timeoutMs?: number;
  /**
   * Longest gap between the attempt's start or last heartbeat and the next heartbeat. Armed by
   * the runtime's activity executor alone (the core never sees heartbeats): the attempt then
   * fails with `HeartbeatTimeout` like any other failure.
   */
  readonly heartbeatTimeoutMs?: number;
  readonly taskQueue?: string;
}
export interface CancelActivityCommand {
  readonly type: 'CancelActivity';
  readonly seq: number;
  /** The attempt's task queue, when not the default one. */
  readonly taskQueue?: string;
}
export type TimerPurpose = 'wait' | 'retry' | 'step-timeout' | 'run-timeout';
export interface StartTimerCommand {
  readonly type: 'StartTimer';
  readonly seq: number;
  /** When it is due (epoch ms). */
  readonly at: EpochMs;
  readonly purpose: TimerPurpose;
}
export interface CancelTimerCommand {
  readonly type: 'CancelTimer';
  readonly seq: number;
}
export interface StartChildCommand {
  readonly type: 'StartChild';
  readonly seq: number;
  /** Deterministic: `${parentRunId}/${seq}` style, so a repeated dispatch finds the same child. */
  readonly childRunId: string;
  readonly workflow: string;
  readonly version?: number;
  readonly input: unknown;
}
export interface CancelChildCommand {
  readonly type: 'CancelChild';
  readonly seq: number;
  readonly childRunId: string;
}
/** Emitted once when a child run ends: deliver ChildCompleted/ChildFailed to the parent. */
export interface NotifyParentCommand {
  readonly type: 'NotifyParent';
  readonly parentRunId: string;
  readonly seq: number;
  readonly status: RunStatus;
  readonly output: unknown;
  readonly error: ErrorInfo | null;
}

export type Command =
  | ScheduleActivityCommand
  | CancelActivityCommand
  | StartTimerCommand
  | CancelTimerCommand
  | StartChildCommand
  | CancelChildCommand
  | NotifyParentCommand;

// ---------------------------------------------------------------------------------------------
// History: the ordered, human-readable record of a run (SPEC §7). Entries that carry `event` are
// the inputs of the core; folding exactly those through `decide` reproduces the run's state.
// ---------------------------------------------------------------------------------------------

export type HistoryEntryType =
  | RunEventType
  | 'RunEnded'
  | 'StepScheduled'
  | 'StepCompleted'
  | 'StepFailed'
  | 'StepRetried'
  | 'StepSkipped'
  | 'StepCancelled'
  | 'TimerStarted'
  | 'SignalConsumed'
  | 'CompensationStarted'
  | 'CompensationCompleted'
  | 'CompensationFailed'
  | 'VariablesSet';

export interface HistoryEntry {
  /** Position in the run's history, from 0, without gaps. */
  readonly index: number;
  readonly at: EpochMs;
  readonly type: HistoryEntryType;
  readonly path?: StepPath;
  readonly stepId?: string;
  readonly attempt?: number;
  readonly seq?: number;
  /** Small, type-specific facts (output, error, activity name, signal name…). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Present on entries that record an inbound event: the exact event the core decided on. */
  readonly event?: RunEvent;
}

/**
 * The part of a run's state that runtimes and the API read. The interpreter keeps its own
 * bookkeeping in `core` (opaque to runtimes, but plain JSON like the rest).
 */
export interface RunState {
  readonly runId: string;
  readonly workflow: { readonly name: string; readonly version: number; readonly digest: string };
  readonly status: RunStatus;
  readonly input: unknown;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly output: unknown;
  readonly error: ErrorInfo | null;
  readonly startedAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly endedAt: EpochMs | null;
  /** Number of decisions applied; a runtime's optimistic-concurrency check compares it. */
  readonly revision: number;
  /** Number of history entries written so far (the next entry's index). */
  readonly historyLength: number;
  /** How many times the run was retried from a failed step (`$workflow.attempt` is this + 1). */
  readonly retries: number;
  readonly parent: { readonly runId: string; readonly seq: number } | null;
  /** Interpreter-private bookkeeping (active nodes, scopes, timers, signal buffer, compensations…). */
  readonly core: unknown;
  /** The flow's search attributes as last evaluated (absent when it declares none); null: unset. */
  readonly searchAttributes?: Readonly<Record<string, SearchAttributeValue>>;
  /**
   * Present from the second generation on (a `continueAsNew` step ran): this generation's number,
   * when it started, and the latest earlier generations. `startedAt` stays the run's first start.
   */
  readonly continued?: RunGeneration;
}

/** A stored search attribute: keyword text, a number, or a time as an ISO-8601 string; null when unset. */
export type SearchAttributeValue = string | number | null;

/** A reason the run cannot move, naming the step it is about (null: about the whole version). */
export interface MigrationBlocker {
  readonly step: string | null;
  readonly reason: string;
}

/** A step the run is in, and where it is in the target. */
export interface MigrationMove {
  readonly step: string;
  readonly kind: StepKind;
  readonly from: StepPath;
  readonly to: StepPath;
}

/** What moving a run would do, or why it cannot. */
export interface MigrationPlan {
  readonly fromVersion: number;
  readonly toVersion: number;
  /** True when nothing blocks the move. */
  readonly allowed: boolean;
  readonly blockers: readonly MigrationBlocker[];
  /** Things the operator should know that do not block (e.g. the target does not declare `migrateFrom`). */
  readonly warnings: readonly string[];
  /** Every step the run is in (or has a compensation registered for), with its place in both versions. */
  readonly moves: readonly MigrationMove[];
  /** The bookkeeping changes the RunMigrated event carries (empty when not allowed). */
  readonly remap: MigrationRemap;
}

/** The generation a run is in, with its bounded chain of earlier ones. */
export interface RunGeneration {
  readonly generation: number;
  readonly startedAt: EpochMs;
  readonly chain: readonly GenerationLink[];
}

/** The result of one decision. */
export interface Decision {
  /** False when the event changed nothing (a stale or duplicate answer): store nothing. */
  readonly accepted: boolean;
  readonly state: RunState;
  readonly commands: readonly Command[];
  /** New history entries, indexes continuing from the previous state's historyLength (from 0 when `historyRestarted`). */
  readonly history: readonly HistoryEntry[];
  /**
   * True when the run continued as new in this decision: the stored history is replaced by
   * `history` (the new generation's, from index 0) instead of being appended to.
   */
  readonly historyRestarted?: boolean;
}

/** Limits the core applies to expression evaluation (defined by the expression module). */
export type { EvaluationLimits } from '../expression/index.js';

/**
 * What a replay check found (`replayHistory`, `engine.replay`, `flowline replay`): whether every
 * recorded decision was made again the same way, and if not, the first one that differs.
 */
export interface ReplayReport {
  readonly runId: string;
  /** The definition the history was replayed against. */
  readonly workflow: { readonly name: string; readonly version: number; readonly digest: string };
  readonly deterministic: boolean;
  /** History entries and recorded decisions checked (up to and including the differing one). */
  readonly entries: number;
  readonly decisions: number;
  /** The first difference; null when deterministic. */
  readonly divergence: ReplayDivergence | null;
}

/** The first non-deterministic decision a replay found (no payloads: fields are named, not shown). */
export interface ReplayDivergence {
  /** The full explanation, as NonDeterminismError words it. */
  readonly message: string;
  /** Index of the entry that differs, and of the entry whose event was being decided. */
  readonly entryIndex: number;
  readonly eventIndex: number;
  readonly eventType: string;
  /** The step the differing entry is about: id and JSON pointer, when it names one. */
  readonly stepId: string | null;
  readonly path: string | null;
  /** What history holds and what the definition now gives, summarised (`StepScheduled seq 3 activity "x"`). */
  readonly expected: string | null;
  readonly got: string | null;
  /** The first differing field (`type`, `details.activity`…), or null when one side has no entry. */
  readonly field: string | null;
}
