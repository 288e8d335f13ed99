/** Flowline's public TypeScript API (SPEC §10): load documents, create an engine, register activities, run flows. */

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
} from './runtime/memory/index.js';
export { createRedisEngine, RedisEngine, startWorker, type RedisEngineOptions, type WorkerStartOptions, type WorkerHandle, type ScheduleSpec, type ScheduleInfo } from './runtime/redis/index.js';
export type { EngineLimits, EngineLimitsOptions } from './runtime/common/limits.js';
export type { RunStatus, ErrorInfo, HistoryEntry, HistoryEntryType } from './interpreter/types.js';

// Observability and operations (docs/guides/operations.md)
export { createLogger, flowLogger, runLogger, type LoggerOptions, type RunLogFields } from './observability/logger.js';
export { createMetrics, noopMetrics, type Metrics, type MetricsCollectors, type MetricsOptions, type PrometheusMetrics } from './observability/metrics.js';
export { startObservabilityServer, type HealthChecks, type ObservabilityServer, type ObservabilityServerOptions } from './observability/http-server.js';
export { createRunObserver, type RunObserver, type RunObserverDeps } from './observability/run-observer.js';
export { createWorkerObservability, type WorkerObservability, type WorkerObservabilityOptions } from './observability/setup.js';
export { maskPaths, REDACTED } from './observability/redaction.js';
export { createRunRedactor, redactRunView, type RunRedactor } from './observability/run-redactor.js';
export { injectTraceContext, extractTraceContext, withClientSpan, withActivitySpan, flowlineTracer, type TraceCarrier } from './observability/tracing.js';
export { emitRunTrace, buildRunTrace } from './observability/run-trace.js';
export {
  createAesGcmCodec,
  codecFromEnv,
  parseCodecKeys,
  generateCodecKey,
  identityCodec,
  PayloadCodecError,
  type PayloadCodec,
  type CodecKey,
} from './observability/codec.js';
export { mountQueueBoard, discoverQueueNames, QueueProbe, type QueueBoard, type QueueBoardOptions } from './runtime/redis/dashboard.js';

// Activities
export type { ActivityHandler, ActivityContext, ActivityMap, ActivityLogger } from './activities/types.js';
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
  RedisConfigError,
  WaitTimeoutError,
  RedisUnavailableError,
  type ValidationIssue,
} from './errors.js';
