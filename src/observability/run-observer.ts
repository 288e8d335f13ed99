/**
 * The one object a runtime calls to be observed: after each committed transition, around each
 * activity attempt, and when a timer fires. It turns those into log lines (redacted), metrics and
 * spans. Runtimes depend on this narrow interface only; every method swallows its own failures.
 */
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { WorkflowDefinition } from '../definition/types.js';
import type { Decision, HistoryEntry, RunEvent, RunState } from '../interpreter/types.js';
import { flowLogger, runLogger } from './logger.js';
import { noopMetrics, type ActivityAttemptOutcome, type Metrics, type StepOutcome } from './metrics.js';
import { createRunRedactor, type RunRedactor } from './run-redactor.js';
import { buildRunTrace, emitSpanRecords, traceCarrierOf, type SpanRecord } from './run-trace.js';
import { ATTR, withActivitySpan, type TraceCarrier } from './tracing.js';

/** A transition as committed by a runtime. */
export interface CommittedTransition {
  readonly definition: WorkflowDefinition;
  /** Null when the transition created the run. */
  readonly previous: RunState | null;
  readonly decision: Decision;
  /** The (first) event decided; a transition may carry several (their entries are in `decision.history`). */
  readonly event: RunEvent;
  /** Reads the run's full history (after this commit); used once the run has ended, for its span tree. */
  readonly loadHistory?: () => Promise<readonly HistoryEntry[]>;
}

/** Who an activity attempt is for (the fields of an activity job). */
export interface AttemptInfo {
  readonly runId: string;
  readonly activity: string;
  readonly attempt: number;
  readonly stepPath: string;
  readonly stepId?: string;
  readonly taskQueue?: string;
  readonly workflow: { readonly name: string; readonly version: number };
  /** Reads the run's first history entry (RunStarted, with the caller's trace carrier) when this process has not seen it. */
  readonly loadFirstEntry?: () => Promise<HistoryEntry | undefined>;
  /** Reads the flow's definition (for its `redact` list) when this process has not seen it; called once per flow version. */
  readonly loadDefinition?: () => Promise<WorkflowDefinition>;
}

/** The part of an attempt's outcome the observer reads (`executeActivity`'s result fits). */
export interface AttemptOutcomeLike {
  readonly ok: boolean;
  readonly error?: { readonly type: string; readonly message: string };
}

/** What a runtime calls. */
export interface RunObserver {
  /** After a transition was committed. Synchronous and cheap; slow work (trace emission) runs in the background. */
  onCommitted(transition: CommittedTransition): void;
  /** Runs one attempt inside its span, timing it, with a logger carrying the attempt's fields. */
  aroundAttempt<T extends AttemptOutcomeLike>(attempt: AttemptInfo, run: (log: Logger) => Promise<T>): Promise<T>;
  /** A durable timer fired `latenessMs` after it was due. */
  timerFired(latenessMs: number, purpose?: string): void;
  /** Resolves when background work started so far has finished (tests, graceful stop). */
  flush(): Promise<void>;
}

/** What the observer needs; everything is optional. */
export interface RunObserverDeps {
  readonly metrics?: Metrics;
  /** Root logger (e.g. `createLogger()`); without one nothing is logged. */
  readonly logger?: Logger;
  /** Tracer (e.g. `flowlineTracer()`); without one no span is made. */
  readonly tracer?: Tracer;
  /** Whether spans are worth making now (default: true when a tracer is given). See `isTracingEnabled`. */
  readonly tracingEnabled?: () => boolean;
  /** Global redact paths (`FLOWLINE_REDACT`), added to each flow's own. */
  readonly globalRedact?: readonly string[];
  readonly now?: () => number;
}

const INFO_ENTRIES = new Set(['RunStarted', 'RunEnded', 'StepFailed', 'StepRetried', 'CompensationStarted', 'CompensationCompleted', 'CompensationFailed']);
const CARRIER_CACHE = 10_000;
/** The revision of a run's state right after its RunStarted decision (the core counts decisions from 1). */
const CREATION_REVISION = 1;

/** Creates an observer. Side effects: only through its dependencies. */
export function createRunObserver(deps: RunObserverDeps): RunObserver {
  const metrics = deps.metrics ?? noopMetrics;
  const tracing = (): boolean => deps.tracer !== undefined && (deps.tracingEnabled?.() ?? true);
  const now = deps.now ?? Date.now;
  const pending = new Set<Promise<void>>();
  const carriers = new Map<string, TraceCarrier | null>();
  const redactors = new Map<string, RunRedactor>();
  const flows = new Map<string, WorkflowDefinition>();

  const redactorFor = (definition: WorkflowDefinition): RunRedactor => {
    const key = `${definition.name}@${definition.version}`;
    let redactor = redactors.get(key);
    if (!redactor) redactors.set(key, (redactor = createRunRedactor(definition.redact, deps.globalRedact)));
    return redactor;
  };
  const remember = (runId: string, carrier: TraceCarrier | null): void => {
    if (carriers.size >= CARRIER_CACHE) carriers.delete(carriers.keys().next().value as string);
    carriers.set(runId, carrier);
  };
  const background = (work: () => Promise<void>): void => {
    const promise = work().catch((error: unknown) => deps.logger?.warn({ err: error }, 'flowline: observability work failed'));
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  };

  const logEntries = (transition: CommittedTransition, redactor: RunRedactor): void => {
    if (!deps.logger) return;
    const { definition, decision } = transition;
    const state = decision.state;
    const root = deps.logger;
    const levelOf = (entry: HistoryEntry): 'debug' | 'info' | 'warn' =>
      entry.type === 'RunEnded' && state.status !== 'completed' ? 'warn' : INFO_ENTRIES.has(entry.type) ? 'info' : 'debug';
    // Only the entries the level lets through are masked and logged (this runs on every transition).
    const logged = decision.history.filter((entry) => root.isLevelEnabled(levelOf(entry)));
    if (logged.length === 0) return;
    const flowLog = flowLogger(root, definition);
    const runLog = runLogger(flowLog, { runId: state.runId, workflow: definition.name, version: definition.version });
    // Payloads are masked with the flow's paths (dynamic) before pino's static redaction applies.
    for (const entry of redactor.history(logged)) {
      const line: Record<string, unknown> = { entry: entry.type, index: entry.index };
      if (entry.path !== undefined) line.stepPath = entry.path;
      if (entry.stepId !== undefined) line.stepId = entry.stepId;
      if (entry.attempt !== undefined) line.attempt = entry.attempt;
      if (entry.seq !== undefined) line.seq = entry.seq;
      if (entry.details !== undefined) line.details = entry.details;
      if (entry.type === 'RunStarted') line.input = (entry.event as { input?: unknown } | undefined)?.input;
      runLog[levelOf(entry)](line, messageOf(entry));
    }
  };

  const onRunEnded = async (definition: WorkflowDefinition, runId: string, loadHistory: () => Promise<readonly HistoryEntry[]>): Promise<void> => {
    const history = await loadHistory();
    const records = buildRunTrace(definition, runId, history);
    for (const record of records) {
      if (record.kind !== 'step') continue;
      metrics.stepEnded(definition.name, String(record.attributes[ATTR.stepKind]), stepOutcome(record), (record.endMs ?? record.startMs) - record.startMs);
    }
    if (tracing()) emitSpanRecords(deps.tracer!, carriers.get(runId) ?? traceCarrierOf(history), records);
    carriers.delete(runId);
  };

  return {
    onCommitted(transition) {
      try {
        const { definition, decision, event, previous } = transition;
        const state = decision.state;
        flows.set(`${definition.name}@${definition.version}`, definition);
        const created = event.type === 'RunStarted' && previous === null;
        if (created) remember(state.runId, event.trace ?? null);
        // A start is counted once, by the process that commits the run's first transition after its
        // creation (usually a worker; the revision check makes it exactly one), or by the creating
        // process when the run ended within its creation decision.
        if ((created && state.status !== 'running') || previous?.revision === CREATION_REVISION) metrics.runStarted(definition.name);
        // Counted from history: one transition may carry several events (a batch on Redis).
        for (const entry of decision.history) {
          if (entry.type === 'SignalReceived') metrics.signalReceived(definition.name);
          if (entry.type === 'CompensationCompleted') metrics.compensationEnded(definition.name, 'completed');
          if (entry.type === 'CompensationFailed') metrics.compensationEnded(definition.name, 'failed');
        }
        logEntries(transition, redactorFor(definition));
        if (state.status !== 'running' && (previous === null || previous.status === 'running')) {
          metrics.runEnded(definition.name, state.status, (state.endedAt ?? now()) - state.startedAt);
          const { loadHistory } = transition;
          // Step durations and the span tree need the whole history: read it only if someone looks.
          if (loadHistory && (metrics !== noopMetrics || tracing())) background(() => onRunEnded(definition, state.runId, loadHistory));
        }
      } catch (error) {
        deps.logger?.warn({ err: error }, 'flowline: observing a transition failed');
      }
    },

    async aroundAttempt<T extends AttemptOutcomeLike>(attempt: AttemptInfo, run: (log: Logger) => Promise<T>): Promise<T> {
      const definition = deps.logger ? await definitionOf(attempt) : undefined;
      const parent = deps.logger
        ? flowLogger(deps.logger, definition ?? { name: attempt.workflow.name, version: attempt.workflow.version })
        : undefined;
      const log = parent
        ? runLogger(parent, {
            runId: attempt.runId,
            workflow: attempt.workflow.name,
            version: attempt.workflow.version,
            stepPath: attempt.stepPath,
            ...(attempt.stepId === undefined ? {} : { stepId: attempt.stepId }),
            attempt: attempt.attempt,
          }).child({ activity: attempt.activity })
        : silentLogger();
      // The handler's logger: executeActivity adds runId, stepId, attempt and activity itself.
      const handlerLog = parent ? parent.child({ workflow: attempt.workflow.name, version: attempt.workflow.version, stepPath: attempt.stepPath }) : log;
      const started = now();
      const execute = (): Promise<T> => run(handlerLog);
      let result: T;
      if (tracing()) {
        const carrier = await carrierOf(attempt);
        result = await withActivitySpan(
          deps.tracer!,
          carrier,
          {
            runId: attempt.runId,
            workflow: attempt.workflow.name,
            version: attempt.workflow.version,
            activity: attempt.activity,
            attempt: attempt.attempt,
            stepPath: attempt.stepPath,
            ...(attempt.stepId === undefined ? {} : { stepId: attempt.stepId }),
            ...(attempt.taskQueue === undefined ? {} : { taskQueue: attempt.taskQueue }),
          },
          execute,
          (r) => (r.ok ? { ok: true } : { ok: false, type: r.error?.type ?? 'Error', message: r.error?.message ?? '' }),
        );
      } else {
        result = await execute();
      }
      const durationMs = now() - started;
      const outcome = attemptOutcome(result);
      metrics.activityAttempt(attempt.activity, outcome, durationMs, attempt.attempt);
      if (result.ok) log.info({ durationMs }, 'activity attempt completed');
      else log.warn({ durationMs, error: { type: result.error?.type, message: result.error?.message } }, `activity attempt ${outcome}`);
      return result;
    },

    timerFired(latenessMs, purpose) {
      metrics.timerFired(latenessMs, purpose);
    },

    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };

  /** The flow's definition, seen in a transition or loaded once; undefined when it cannot be had. */
  async function definitionOf(attempt: AttemptInfo): Promise<WorkflowDefinition | undefined> {
    const key = `${attempt.workflow.name}@${attempt.workflow.version}`;
    const known = flows.get(key);
    if (known || !attempt.loadDefinition) return known;
    try {
      const loaded = await attempt.loadDefinition();
      flows.set(key, loaded);
      return loaded;
    } catch {
      return undefined;
    }
  }

  async function carrierOf({ runId, loadFirstEntry }: AttemptInfo): Promise<TraceCarrier | undefined> {
    if (carriers.has(runId)) return carriers.get(runId) ?? undefined;
    if (!loadFirstEntry) return undefined;
    try {
      const first = await loadFirstEntry();
      const carrier = (first ? traceCarrierOf([first]) : undefined) ?? null;
      remember(runId, carrier);
      return carrier ?? undefined;
    } catch {
      return undefined;
    }
  }
}

function attemptOutcome(result: AttemptOutcomeLike): ActivityAttemptOutcome {
  if (result.ok) return 'completed';
  if (result.error?.type === 'Timeout' || result.error?.type === 'HeartbeatTimeout') return 'timeout';
  if (result.error?.type === 'Cancelled') return 'cancelled';
  return 'failed';
}

function stepOutcome(record: SpanRecord): StepOutcome {
  if (record.attributes['flowline.step.skipped'] === 1) return 'skipped';
  if (record.error?.type === 'Cancelled') return 'cancelled';
  return record.error ? 'failed' : 'completed';
}

function messageOf(entry: HistoryEntry): string {
  switch (entry.type) {
    case 'RunStarted':
      return 'run started';
    case 'RunEnded':
      return `run ended ${String((entry.details as { status?: unknown } | undefined)?.status ?? '')}`.trim();
    default:
      return entry.type;
  }
}

function silentLogger(): Logger {
  const noop = (): void => undefined;
  const logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop, child: () => logger } as unknown as Logger;
  return logger;
}
