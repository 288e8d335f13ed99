/**
 * Observability of one worker process, assembled from options and the environment: the logger,
 * the metrics (Prometheus when a port is given), the tracer, the run observer the runtime calls,
 * and the HTTP server for /metrics, /healthz and /readyz.
 */
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { codecFromEnv, type PayloadCodec } from '../codec/payload-codec.js';
import { startObservabilityServer, type HealthChecks, type ObservabilityServer } from './http-server.js';
import { createLogger } from './logger.js';
import { createMetrics, noopMetrics, type Metrics, type MetricsCollectors } from './metrics.js';
import { createRunObserver, type RunObserver } from './run-observer.js';
import { globalRedactPathsFromEnv } from './run-redactor.js';
import { flowlineTracer, isTracingEnabled } from './tracing.js';
import { flowlineVersion } from '../version.js';

/** Options of {@link createWorkerObservability}. */
export interface WorkerObservabilityOptions {
  /** Serve /metrics, /healthz and /readyz on this port (`--metrics-port`, `FLOWLINE_METRICS_PORT`). Absent: no server, no-op metrics. */
  readonly metricsPort?: number;
  /** Address to bind (default 0.0.0.0, so the kubelet and Docker can probe). */
  readonly metricsHost?: string;
  /** Flowline's version, for `flowline_build_info` (default: package.json's). */
  readonly version?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Use this logger instead of creating one from the environment. */
  readonly logger?: Logger;
  /** Use this tracer instead of the global provider's. */
  readonly tracer?: Tracer;
}

/** Everything a worker needs to be observed. */
export interface WorkerObservability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
  /** Hand this to the runtime (`startWorker({ observer })`). */
  readonly observer: RunObserver;
  /** The payload codec from `FLOWLINE_CODEC_KEYS`, or undefined. */
  readonly codec: PayloadCodec | undefined;
  /** Starts the HTTP server when a port was given (resolves undefined otherwise). */
  serve(health: HealthChecks, collectors?: MetricsCollectors): Promise<ObservabilityServer | undefined>;
  /** Waits for background work (span emission) and stops the server. */
  close(): Promise<void>;
}

/** The port from `FLOWLINE_METRICS_PORT`, or undefined. Pure apart from reading `env`. */
export function metricsPortFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.FLOWLINE_METRICS_PORT;
  if (raw === undefined || raw.trim() === '') return undefined;
  const port = Number(raw);
  return Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : undefined;
}

/**
 * Assembles a worker's observability. Side effects: opens the log destination; reads the
 * environment (FLOWLINE_LOG_LEVEL, FLOWLINE_LOG_FILE, FLOWLINE_REDACT, FLOWLINE_CODEC_KEYS).
 * Throws PayloadCodecError for malformed codec keys.
 */
export function createWorkerObservability(options: WorkerObservabilityOptions = {}): WorkerObservability {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger({ env });
  const port = options.metricsPort;
  const metrics =
    port === undefined ? noopMetrics : createMetrics({ defaultMetrics: true, version: options.version ?? flowlineVersion });
  const tracer = options.tracer ?? flowlineTracer(options.version ?? flowlineVersion);
  const observer = createRunObserver({
    metrics,
    logger,
    tracer,
    // A tracer given explicitly is used; the global one only once an SDK has registered.
    tracingEnabled: options.tracer ? () => true : isTracingEnabled,
    globalRedact: globalRedactPathsFromEnv(env),
  });
  let server: ObservabilityServer | undefined;
  return {
    logger,
    metrics,
    tracer,
    observer,
    codec: codecFromEnv(env),
    async serve(health, collectors) {
      if (port === undefined) return undefined;
      if (collectors) metrics.setCollectors(collectors);
      server = await startObservabilityServer({ port, host: options.metricsHost ?? '0.0.0.0', metrics, health });
      return server;
    },
    async close() {
      await observer.flush();
      await server?.close();
      logger.flush();
    },
  };
}
