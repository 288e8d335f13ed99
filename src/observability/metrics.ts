/**
 * Flowline's Prometheus metrics: a typed `Metrics` interface the runtimes call, backed by a
 * prom-client registry (one per instance, never the global one), and a no-op twin.
 */
import { flowlineVersion } from '../version.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunStatus } from '../interpreter/types.js';
import { LabelLimiter } from './label-limit.js';

/** How one activity attempt ended. */
export type ActivityAttemptOutcome = 'completed' | 'failed' | 'timeout' | 'cancelled';
/** How a step ended. */
export type StepOutcome = 'completed' | 'failed' | 'cancelled' | 'skipped';
/** How one compensation ended. */
export type CompensationOutcome = 'completed' | 'failed';

/** Job counts of one BullMQ queue, read from Redis at scrape time. */
export interface QueueJobCounts {
  readonly queue: string;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed?: number;
  readonly prioritized?: number;
}

/** Redis `INFO memory`: `used_memory` and `maxmemory` (0 = no limit). */
export interface RedisMemory {
  readonly usedBytes: number;
  readonly maxBytes: number;
}

/** Callbacks the Redis runtime provides; each is called when /metrics is scraped (results cached 1 s). */
export interface MetricsCollectors {
  readonly queueJobCounts?: () => Promise<readonly QueueJobCounts[]>;
  readonly redisMemory?: () => Promise<RedisMemory>;
  /** Runs kept in Redis by status (running, and finished ones within retention). */
  readonly runCounts?: () => Promise<Readonly<Partial<Record<RunStatus, number>>>>;
}

/**
 * What the runtimes report. Every method is cheap, synchronous and never throws, so calling it on
 * a hot path is safe. Labels are flow, status, step kind, activity and queue names — never run ids.
 */
export interface Metrics {
  /** A run was started (once per run, by whoever stored its first state). */
  runStarted(workflow: string): void;
  /** A run reached a terminal status; `durationMs` from its start to its end. */
  runEnded(workflow: string, status: RunStatus, durationMs: number): void;
  /** A step ended; `kind` is the DSL keyword (`call`, `wait`, …). */
  stepEnded(workflow: string, kind: string, outcome: StepOutcome, durationMs: number): void;
  /** One activity attempt ended. `attempt` ≥ 2 also counts as a retry. */
  activityAttempt(activity: string, outcome: ActivityAttemptOutcome, durationMs: number, attempt?: number): void;
  /** A registered compensation ran. */
  compensationEnded(workflow: string, outcome: CompensationOutcome): void;
  /** A signal was accepted for a run of `workflow`. */
  signalReceived(workflow: string): void;
  /** A durable timer fired `latenessMs` after it was due. `purpose`: wait, retry, step-timeout, run-timeout, or `any` (default) when unknown. */
  timerFired(latenessMs: number, purpose?: string): void;
  /** Installs (or replaces) the scrape-time collectors for queue depth and Redis memory. */
  setCollectors(collectors: MetricsCollectors): void;
  /** The Prometheus exposition content type of {@link scrape}. */
  readonly contentType: string;
  /** The text exposition of every metric; runs the collectors. */
  scrape(): Promise<string>;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  readonly collectors?: MetricsCollectors;
  /** Also export Node's process metrics (`process_*`, `nodejs_*`, unprefixed as is conventional). Default false. */
  readonly defaultMetrics?: boolean;
  /** Distinct values kept per label kind before collapsing into `__other__` (default 500). */
  readonly maxLabelValues?: number;
  /** Reported by `flowline_build_info{version}`. */
  readonly version?: string;
}

const RUN_BUCKETS_S = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 21_600, 86_400, 604_800];
const STEP_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 3600, 86_400];
const ACTIVITY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const LATENESS_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300];
const COLLECT_CACHE_MS = 1000;

/** A metrics instance with its own prom-client registry (reachable for mounting in another server). */
export interface PrometheusMetrics extends Metrics {
  readonly registry: Registry;
}

/** Creates the prom-client-backed metrics. Side effects: none until scraped (then runs the collectors). */
export function createMetrics(options: MetricsOptions = {}): PrometheusMetrics {
  const registry = new Registry();
  const limit = options.maxLabelValues ?? 500;
  const workflows = new LabelLimiter(limit);
  const activities = new LabelLimiter(limit);
  const queues = new LabelLimiter(limit);
  let collectors: MetricsCollectors = options.collectors ?? {};
  const registers = [registry];

  new Gauge({ name: 'flowline_build_info', help: 'Flowline version of this process (always 1).', labelNames: ['version'], registers })
    .set({ version: options.version ?? flowlineVersion }, 1);
  const runsStarted = new Counter({ name: 'flowline_runs_started_total', help: 'Runs started, by flow.', labelNames: ['workflow'], registers });
  const runsEnded = new Counter({
    name: 'flowline_runs_ended_total',
    help: 'Runs that reached a terminal status (completed, failed, compensated, compensation_failed, cancelled, terminated, timed_out), by flow.',
    labelNames: ['workflow', 'status'],
    registers,
  });
  const runDuration = new Histogram({
    name: 'flowline_run_duration_seconds',
    help: 'Time from a run\'s start to its terminal status, by flow and status.',
    labelNames: ['workflow', 'status'],
    buckets: RUN_BUCKETS_S,
    registers,
  });
  const stepDuration = new Histogram({
    name: 'flowline_step_duration_seconds',
    help: 'Time from a step\'s scheduling to its end (retries and waits included), by flow, step kind and outcome.',
    labelNames: ['workflow', 'kind', 'outcome'],
    buckets: STEP_BUCKETS_S,
    registers,
  });
  const attempts = new Counter({
    name: 'flowline_activity_attempts_total',
    help: 'Activity attempts that ended, by activity and outcome (completed, failed, timeout, cancelled).',
    labelNames: ['activity', 'outcome'],
    registers,
  });
  const retries = new Counter({ name: 'flowline_activity_retries_total', help: 'Activity attempts after the first, by activity.', labelNames: ['activity'], registers });
  const timeouts = new Counter({ name: 'flowline_activity_timeouts_total', help: 'Activity attempts that timed out, by activity.', labelNames: ['activity'], registers });
  const attemptDuration = new Histogram({
    name: 'flowline_activity_attempt_duration_seconds',
    help: 'Duration of one activity attempt in the worker, by activity and outcome.',
    labelNames: ['activity', 'outcome'],
    buckets: ACTIVITY_BUCKETS_S,
    registers,
  });
  const compensations = new Counter({ name: 'flowline_compensations_total', help: 'Compensations run, by flow and outcome.', labelNames: ['workflow', 'outcome'], registers });
  const signals = new Counter({ name: 'flowline_signals_received_total', help: 'Signals accepted, by flow.', labelNames: ['workflow'], registers });
  const lateness = new Histogram({
    name: 'flowline_timer_lateness_seconds',
    help: 'How long after its due time a durable timer fired, by purpose (wait, retry, step-timeout, run-timeout; any when the runtime does not know).',
    labelNames: ['purpose'],
    buckets: LATENESS_BUCKETS_S,
    registers,
  });
  const collectErrors = new Counter({ name: 'flowline_metrics_collect_errors_total', help: 'Scrape-time collections that failed (e.g. Redis unreachable), by collector.', labelNames: ['collector'], registers });

  // One reading of the collectors per scrape (cached 1 s, failures too), shared by the gauges below.
  const readings = cachedCall(async (): Promise<Readings> => {
    const [queueResult, memoryResult, runsResult] = await Promise.allSettled([
      collectors.queueJobCounts?.(),
      collectors.redisMemory?.(),
      collectors.runCounts?.(),
    ]);
    if (queueResult.status === 'rejected') collectErrors.inc({ collector: 'queue_jobs' });
    if (memoryResult.status === 'rejected') collectErrors.inc({ collector: 'redis_memory' });
    if (runsResult.status === 'rejected') collectErrors.inc({ collector: 'runs' });
    return {
      queues: queueResult.status === 'fulfilled' ? queueResult.value : undefined,
      memory: memoryResult.status === 'fulfilled' ? memoryResult.value : undefined,
      runs: runsResult.status === 'fulfilled' ? runsResult.value : undefined,
    };
  });
  new Gauge({
    name: 'flowline_queue_jobs',
    help: 'Jobs in each Flowline BullMQ queue by state (waiting, active, delayed, prioritized, failed), read at scrape time.',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const counts of (await readings()).queues ?? []) {
        const queue = queues.label(counts.queue);
        for (const state of ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const) {
          const value = counts[state];
          if (value !== undefined) this.set({ queue, state }, value);
        }
      }
    },
  });
  new Gauge({
    name: 'flowline_runs',
    help: 'Runs stored in Redis by status (running, and finished runs until their retention expires), read at scrape time.',
    labelNames: ['status'],
    registers,
    async collect() {
      this.reset();
      for (const [status, count] of Object.entries((await readings()).runs ?? {})) {
        if (count !== undefined) this.set({ status }, count);
      }
    },
  });
  const memoryGauge = (name: string, help: string, pick: (m: RedisMemory) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        // Unreadable (Redis down): the sample is dropped rather than reporting a stale or zero value.
        this.reset();
        const { memory } = await readings();
        if (memory) this.set(pick(memory));
      },
    });
  };
  memoryGauge('flowline_redis_memory_used_bytes', 'Redis used_memory in bytes, read at scrape time.', (m) => m.usedBytes);
  memoryGauge('flowline_redis_memory_max_bytes', 'Redis maxmemory in bytes (0 = no limit: alert on host memory instead), read at scrape time.', (m) => m.maxBytes);

  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });

  const seconds = (ms: number): number => Math.max(0, ms) / 1000;
  return {
    registry,
    contentType: registry.contentType,
    runStarted: (workflow) => runsStarted.inc({ workflow: workflows.label(workflow) }),
    runEnded(workflow, status, durationMs) {
      const labels = { workflow: workflows.label(workflow), status };
      runsEnded.inc(labels);
      runDuration.observe(labels, seconds(durationMs));
    },
    stepEnded: (workflow, kind, outcome, durationMs) =>
      stepDuration.observe({ workflow: workflows.label(workflow), kind, outcome }, seconds(durationMs)),
    activityAttempt(activity, outcome, durationMs, attempt) {
      const name = activities.label(activity);
      attempts.inc({ activity: name, outcome });
      attemptDuration.observe({ activity: name, outcome }, seconds(durationMs));
      if (outcome === 'timeout') timeouts.inc({ activity: name });
      if (attempt !== undefined && attempt > 1) retries.inc({ activity: name });
    },
    compensationEnded: (workflow, outcome) => compensations.inc({ workflow: workflows.label(workflow), outcome }),
    signalReceived: (workflow) => signals.inc({ workflow: workflows.label(workflow) }),
    timerFired: (latenessMs, purpose = 'any') => lateness.observe({ purpose }, seconds(latenessMs)),
    setCollectors(next) {
      collectors = next;
      readings.clear();
    },
    async scrape() {
      // Read the collectors first so the error counter in this very scrape reflects them.
      await readings();
      return registry.metrics();
    },
  };
}

/** Metrics that record nothing: the default when no `--metrics-port` is given. */
export const noopMetrics: Metrics = {
  runStarted() {},
  runEnded() {},
  stepEnded() {},
  activityAttempt() {},
  compensationEnded() {},
  signalReceived() {},
  timerFired() {},
  setCollectors() {},
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  scrape: async () => '',
};

interface Readings {
  readonly queues?: readonly QueueJobCounts[];
  readonly memory?: RedisMemory;
  readonly runs?: Readonly<Partial<Record<RunStatus, number>>>;
}

/** Shares one in-flight/recent call between the gauges of one scrape and shields Redis from scrape storms. `call` must not reject. */
function cachedCall<T>(call: () => Promise<T>): { (): Promise<T>; clear(): void } {
  let last: { at: number; value: Promise<T> } | undefined;
  const get = (): Promise<T> => {
    const now = Date.now();
    if (!last || now - last.at > COLLECT_CACHE_MS) last = { at: now, value: call() };
    return last.value;
  };
  return Object.assign(get, { clear: () => (last = undefined) });
}
