/** `flowline/observability`: logs, metrics, tracing, redaction and the payload codec (docs/guides/operations.md). */
export { createLogger, flowLogger, runLogger, type LoggerOptions, type RunLogFields } from './observability/logger.js';
export { createMetrics, noopMetrics, type Metrics, type MetricsCollectors, type MetricsOptions, type PrometheusMetrics } from './observability/metrics.js';
export { startObservabilityServer, type HealthChecks, type ObservabilityServer, type ObservabilityServerOptions } from './observability/http-server.js';
export { createRunObserver, type RunObserver, type RunObserverDeps } from './observability/run-observer.js';
export { createWorkerObservability, type WorkerObservability, type WorkerObservabilityOptions } from './observability/setup.js';
export { maskPaths, REDACTED } from './observability/redaction.js';
export { createRunRedactor, redactRunView, type RunRedactor } from './observability/run-redactor.js';
export { injectTraceContext, extractTraceContext, withClientSpan, withActivitySpan, flowlineTracer, type TraceCarrier } from './observability/tracing.js';
export { emitRunTrace, buildRunTrace } from './observability/run-trace.js';
// The payload codec lives in src/codec/ (it is storage, not observability); re-exported here
// because flowline/observability has always offered it.
export {
  createAesGcmCodec,
  codecFromEnv,
  parseCodecKeys,
  generateCodecKey,
  identityCodec,
  PayloadCodecError,
  type PayloadCodec,
  type CodecKey,
} from './codec/payload-codec.js';
