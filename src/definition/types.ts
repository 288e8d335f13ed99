/**
 * The normalised, validated form of a workflow document: what the loader produces and the
 * interpreter consumes. Plain JSON data (so a runtime can store it and a run can pin it),
 * frozen by the loader. Durations are milliseconds; every step carries its JSON-pointer path.
 *
 * Kept in step with schema/workflow.schema.json by test/definition/schema-types.test.ts.
 */

/** JSON pointer of a step inside its document, e.g. `/steps/2/parallel/0/steps/1`. Stable for a given document. */
export type StepPath = string;

/**
 * A JSON value as written in the document. Any string in it may be a JSONata expression
 * (`${ … }` alone keeps the value's type) or a template (`${ … }` inside other text).
 * Evaluated by src/expression; keys are never expressions.
 */
export type Template = unknown;

/** Every step kind keyword of the language (SPEC §3), spelled exactly as in YAML. */
export const STEP_KINDS = [
  'call',
  'steps',
  'parallel',
  'forEach',
  'switch',
  'repeat',
  'wait',
  'waitSignal',
  'set',
  'workflow',
  'try',
  'compensate',
  'fail',
  'return',
  'continueAsNew',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Keys allowed on any step besides its kind key (SPEC §3 "common keys"). */
export const COMMON_STEP_KEYS = [
  'id',
  'name',
  'description',
  'if',
  'assign',
  'timeout',
  'retry',
  'catch',
  'compensate',
] as const;

/**
 * Each kind's own keys in the DSL, besides its kind key and COMMON_STEP_KEYS (SPEC §3); `try`
 * also requires the common key `catch`. Checked against the schema by schema-types.test.ts.
 */
export const STEP_KIND_KEYS = {
  call: ['with', 'taskQueue', 'heartbeatTimeout'],
  steps: [],
  parallel: ['completion'],
  forEach: ['steps', 'concurrency', 'as', 'indexAs'],
  switch: [],
  repeat: [],
  wait: [],
  waitSignal: [],
  set: [],
  workflow: ['version', 'with'],
  try: [],
  compensate: [],
  fail: [],
  return: [],
  continueAsNew: [],
} as const satisfies Record<StepKind, readonly string[]>;

/** A complete retry policy; the loader fills every field (SPEC §4). */
export interface RetryPolicy {
  /** Total attempts including the first; 1 means no retry. */
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  readonly backoffCoefficient: number;
  readonly maxIntervalMs: number;
  /** Fraction (0..1) of each delay that is randomised, deterministically per run and attempt. */
  readonly jitter: number;
  /** Error types that are never retried. */
  readonly nonRetryable: readonly string[];
}

/** One `catch` clause: handles errors whose type is listed (any error when `errors` is absent). */
export interface CatchClause {
  readonly path: StepPath;
  readonly errors?: readonly string[];
  readonly steps: readonly Step[];
}

/** Fields shared by every step kind. */
export interface StepBase {
  readonly path: StepPath;
  readonly id?: string;
  readonly name?: string;
  readonly description?: string;
  /** Skip the step (output null) when this evaluates falsy. */
  readonly if?: Template;
  /** Variables written after the step succeeds; `$output` is the step's output. */
  readonly assign?: Readonly<Record<string, Template>>;
  /** Bounds one attempt (call), the wait (waitSignal → SignalTimeout), or the whole step otherwise. */
  readonly timeoutMs?: number;
  /** Retry policy. For `call` the loader merges `defaults.retry`; absent means a single attempt. */
  readonly retry?: RetryPolicy;
  readonly catch?: readonly CatchClause[];
  /** Compensation registered when this step completes successfully (SPEC §5). */
  readonly compensate?: Step;
}

export interface CallStep extends StepBase {
  readonly kind: 'call';
  /** Registered activity name, e.g. `inventory.reserve`. */
  readonly call: string;
  readonly with?: Template;
  /** Task queue the activity is dispatched to on the Redis runtime (default `default`). */
  readonly taskQueue?: string;
  /**
   * Longest time an attempt may go without `ctx.heartbeat()` (from its start, then from each
   * heartbeat) before it fails with `HeartbeatTimeout`. The loader fills it from `defaults.heartbeatTimeout`.
   */
  readonly heartbeatTimeoutMs?: number;
}

export interface GroupStep extends StepBase {
  readonly kind: 'steps';
  readonly steps: readonly Step[];
}

export interface ParallelStep extends StepBase {
  readonly kind: 'parallel';
  readonly branches: readonly Step[];
  /** `all`: wait for every branch; `any`: the first branch to succeed wins, the rest are cancelled. */
  readonly completion: 'all' | 'any';
}

export interface ForEachStep extends StepBase {
  readonly kind: 'forEach';
  /** Expression giving the array to iterate. */
  readonly forEach: Template;
  readonly steps: readonly Step[];
  /** How many iterations run at once (default 1). */
  readonly concurrency: number;
  /** Binding name of the current element, without `$` (default `item`). */
  readonly as: string;
  /** Binding name of the current index, without `$` (default `index`). */
  readonly indexAs: string;
}

export interface SwitchCase {
  readonly path: StepPath;
  /** Absent on the `default` case. */
  readonly when?: Template;
  readonly isDefault: boolean;
  readonly steps: readonly Step[];
}

export interface SwitchStep extends StepBase {
  readonly kind: 'switch';
  readonly cases: readonly SwitchCase[];
}

export interface RepeatStep extends StepBase {
  readonly kind: 'repeat';
  readonly steps: readonly Step[];
  /** Checked after each pass; the loop ends when truthy. */
  readonly until: Template;
  /** Upper bound on passes; absent means unbounded. */
  readonly max?: number;
}

export interface WaitStep extends StepBase {
  readonly kind: 'wait';
  /** Fixed delay (`wait: 30s`). Exactly one of durationMs / until is set. */
  readonly durationMs?: number;
  /** Expression giving an ISO-8601 instant (`wait: { until: … }`). */
  readonly until?: Template;
}

export interface WaitSignalStep extends StepBase {
  readonly kind: 'waitSignal';
  readonly signal: string;
}

export interface SetStep extends StepBase {
  readonly kind: 'set';
  readonly set: Readonly<Record<string, Template>>;
}

export interface WorkflowStep extends StepBase {
  readonly kind: 'workflow';
  readonly workflow: string;
  /** Pinned child version; absent means the latest deployed when the child starts. */
  readonly version?: number;
  readonly with?: Template;
}

export interface TryStep extends StepBase {
  readonly kind: 'try';
  /** The body; its handlers are in `catch` (StepBase). */
  readonly steps: readonly Step[];
}

export interface CompensateStep extends StepBase {
  readonly kind: 'compensate';
  /** `all`, or the ids of the steps whose registered compensations run now. */
  readonly targets: 'all' | readonly string[];
}

export interface FailStep extends StepBase {
  readonly kind: 'fail';
  /** Error type (may be an expression). */
  readonly error: Template;
  readonly message?: Template;
  readonly details?: Template;
}

export interface ReturnStep extends StepBase {
  readonly kind: 'return';
  readonly value: Template;
}

/**
 * `continueAsNew: { input }`: ends the run's current generation and starts the same flow again
 * under the same run id, with fresh history and this input (docs/decisions/0014-continue-as-new.md).
 */
export interface ContinueAsNewStep extends StepBase {
  readonly kind: 'continueAsNew';
  /** The next generation's input (may be an expression or contain templates); null when absent. */
  readonly input: Template;
}

export type Step =
  | CallStep
  | GroupStep
  | ParallelStep
  | ForEachStep
  | SwitchStep
  | RepeatStep
  | WaitStep
  | WaitSignalStep
  | SetStep
  | WorkflowStep
  | TryStep
  | CompensateStep
  | FailStep
  | ReturnStep
  | ContinueAsNewStep;

export interface SignalDeclaration {
  /** JSON Schema the payload must match; absent accepts any payload. */
  readonly schema?: Readonly<Record<string, unknown>>;
}

/** Types of search attributes: exact text, numbers, ISO-8601 instants. */
export const SEARCH_ATTRIBUTE_TYPES = ['keyword', 'number', 'time'] as const;
export type SearchAttributeType = (typeof SEARCH_ATTRIBUTE_TYPES)[number];

/** A value of each run to find runs by (`list --where`). */
export interface SearchAttributeDeclaration {
  readonly type: SearchAttributeType;
  /** Usually an expression over `$input`, `$vars`, `$steps`. */
  readonly value: Template;
}

/** At most `max` activity calls start in any window of `perMs` milliseconds (docs/decisions/0016-rate-limits.md). */
export interface RateLimit {
  readonly max: number;
  readonly perMs: number;
}

/** A validated, normalised workflow definition. Immutable and JSON-serialisable. */
export interface WorkflowDefinition {
  readonly dsl: 'flowline/v1';
  readonly name: string;
  readonly version: number;
  readonly description?: string;
  /** JSON Schema of the run input, checked at start. */
  readonly inputSchema?: Readonly<Record<string, unknown>>;
  readonly signals: Readonly<Record<string, SignalDeclaration>>;
  readonly queries: Readonly<Record<string, Template>>;
  /** Search attributes by name (absent when the document declares none). */
  readonly searchAttributes?: Readonly<Record<string, SearchAttributeDeclaration>>;
  /** Rate limits by activity name (absent when the document declares none). */
  readonly rateLimits?: Readonly<Record<string, RateLimit>>;
  readonly defaults: {
    readonly timeoutMs?: number;
    /** Heartbeat bound of each `call` without its own `heartbeatTimeout`. */
    readonly heartbeatTimeoutMs?: number;
    readonly retry?: RetryPolicy;
  };
  /** Bound on the whole run. */
  readonly timeoutMs?: number;
  readonly steps: readonly Step[];
  /** The run's output; absent means the last top-level step's output. */
  readonly output?: Template;
  /** JSON paths of sensitive values, masked in logs and history output. */
  readonly redact?: readonly string[];
  /** Versions whose running runs may be moved to this one (`flowline migrate`); absent: allowed with a warning. */
  readonly migrateFrom?: readonly number[];
  /** sha256 of the canonical JSON of the source document: same name+version must keep the same digest. */
  readonly digest: string;
}
