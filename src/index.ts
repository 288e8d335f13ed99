/**
 * Flowline's public TypeScript API: load documents, create an embedded engine, register
 * activities, run flows. Only the core and the embedded runtime load from here, so an embedded
 * user never pays for Redis clients or metrics: the Redis runtime is `flowline/redis`, logging,
 * metrics, tracing and the payload codec are `flowline/observability`, the queue dashboard is
 * `flowline/dashboard`.
 */

// Documents
export {
  loadDefinition,
  loadDefinitionFile,
  validateDefinition,
  validateDefinitionFile,
  type LoadOptions,
  type ValidationResult,
} from './definition/load.js';
export type { WorkflowDefinition, Step, StepKind, RetryPolicy } from './definition/types.js';

// Engines
export type {
  Engine,
  StartOptions,
  RunResult,
  RunDescription,
  RunSummary,
  ListFilter,
  ResultOptions,
  DeployResult,
  SignalOptions,
  ReplayOptions,
  GenerationSummary,
  RunWarning,
} from './runtime/engine.js';
export {
  createEmbeddedEngine,
  EmbeddedEngine,
  ManualClock,
  SystemClock,
  type EmbeddedEngineOptions,
  type RunOptions,
  type RunSignal,
  type Clock,
  type TimerHandle,
  type PendingTimer,
} from './runtime/memory/index.js';
export type { EngineLimits, EngineLimitsOptions } from './runtime/common/limits.js';
export type { RunStatus, ErrorInfo, HistoryEntry, HistoryEntryType } from './interpreter/types.js';

// Replay: recorded histories against a flow as it is now (pure, no engine needed)
export {
  replayStrict,
  replayHistory,
  NonDeterminismError,
  type StrictReplayOptions,
  type NonDeterminismDetails,
  type ReplayReport,
  type ReplayDivergence,
} from './interpreter/index.js';

// Activities
export type { ActivityHandler, ActivityContext, ActivityMap, ActivityLogger } from './activities/types.js';
export type { RateLimitOption, RateLimitsOption } from './runtime/common/rate-limits.js';
export { ActivityError, nonRetryable, type ActivityErrorOptions } from './activities/errors.js';

// Errors
export {
  FlowlineError,
  DefinitionInvalidError,
  DefinitionConflictError,
  DefinitionNotFoundError,
  RunNotFoundError,
  RunAlreadyExistsError,
  RunNotActiveError,
  InputInvalidError,
  SignalNotDeclaredError,
  SignalPayloadInvalidError,
  QueryNotFoundError,
  PayloadTooLargeError,
  ActivityModuleError,
  RateLimitInvalidError,
  RedisConfigError,
  WaitTimeoutError,
  EngineClosedError,
  RedisUnavailableError,
  type ValidationIssue,
} from './errors.js';
