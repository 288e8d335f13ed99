/**
 * OpenTelemetry tracing with `@opentelemetry/api` only (users bring their SDK and exporter): W3C
 * trace context carried as a plain object stored with a run or signal, and live spans around
 * activity attempts so a handler's own spans nest inside the caller's trace.
 */
import {
  context,
  createTraceState,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

/** Instrumentation scope name of every Flowline span. */
export const TRACER_NAME = 'flowline';

/** W3C trace context as stored with a run/signal: `traceparent`, optional `tracestate`, plus whatever the global propagator adds (baggage…). */
export type TraceCarrier = Readonly<Record<string, string>>;

/** The tracer Flowline uses: the global provider's (a no-op until the user registers an SDK). */
export function flowlineTracer(version?: string): Tracer {
  return trace.getTracer(TRACER_NAME, version);
}

/**
 * True when an SDK registered a global tracer provider (otherwise every span is a no-op and
 * work done only to make spans can be skipped). Pure apart from reading the global provider.
 */
export function isTracingEnabled(): boolean {
  const global = trace.getTracerProvider();
  if (!(global instanceof ProxyTracerProvider)) return true;
  // A fresh proxy's delegate is the API's no-op provider: the global one differs once an SDK registered.
  return global.getDelegate() !== new ProxyTracerProvider().getDelegate();
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C trace context of `ctx` (default: the active one) as a plain object, or undefined when
 * there is no valid span in it. Writes `traceparent`/`tracestate` itself — so it works even when
 * no global propagator is registered — then lets the global propagator add its own fields.
 * Pure apart from reading the active context.
 */
export function injectTraceContext(ctx: Context = context.active()): TraceCarrier | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  carrier.traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const state = spanContext.traceState?.serialize();
  if (state) carrier.tracestate = state;
  else delete carrier.tracestate;
  return carrier;
}

/**
 * A context whose parent is the remote span described by `carrier` (ROOT_CONTEXT when the carrier
 * is missing or malformed), with whatever else the global propagator extracts. Pure.
 */
export function extractTraceContext(carrier: TraceCarrier | undefined | null, base: Context = ROOT_CONTEXT): Context {
  if (!carrier) return base;
  const withPropagator = propagation.extract(base, carrier);
  const match = TRACEPARENT.exec(carrier.traceparent ?? '');
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2]) || /^0+$/.test(match[3])) return withPropagator;
  return trace.setSpanContext(withPropagator, {
    traceId: match[2],
    spanId: match[3],
    traceFlags: parseInt(match[4], 16) & TraceFlags.SAMPLED,
    isRemote: true,
    ...(carrier.tracestate ? { traceState: createTraceState(carrier.tracestate) } : {}),
  });
}

/** Span attribute names (a `flowline.` namespace; run ids are fine on spans, never on metrics). */
export const ATTR = {
  runId: 'flowline.run.id',
  workflow: 'flowline.workflow.name',
  version: 'flowline.workflow.version',
  status: 'flowline.run.status',
  stepPath: 'flowline.step.path',
  stepId: 'flowline.step.id',
  stepKind: 'flowline.step.kind',
  activity: 'flowline.activity.name',
  attempt: 'flowline.activity.attempt',
  taskQueue: 'flowline.activity.task_queue',
  errorType: 'flowline.error.type',
  signal: 'flowline.signal.name',
} as const;

/** Who an activity attempt is for. */
export interface AttemptSpanFields {
  readonly runId: string;
  readonly workflow: string;
  readonly version: number;
  readonly activity: string;
  readonly attempt: number;
  readonly stepPath: string;
  readonly stepId?: string;
  readonly taskQueue?: string;
}

/**
 * Runs `work` inside a live `flowline.activity <name>` span (kind CONSUMER) whose parent is the
 * remote context in `carrier` (the run's), so spans the handler creates nest under it. The span
 * ends with status ERROR when `work` throws or `outcome` says it failed. Side effects: one span.
 */
export async function withActivitySpan<T>(
  tracer: Tracer,
  carrier: TraceCarrier | undefined,
  fields: AttemptSpanFields,
  work: (span: Span) => Promise<T>,
  outcome?: (result: T) => { ok: true } | { ok: false; type: string; message: string },
): Promise<T> {
  const parent = extractTraceContext(carrier);
  const span = tracer.startSpan(
    `flowline.activity ${fields.activity}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [ATTR.runId]: fields.runId,
        [ATTR.workflow]: fields.workflow,
        [ATTR.version]: fields.version,
        [ATTR.activity]: fields.activity,
        [ATTR.attempt]: fields.attempt,
        [ATTR.stepPath]: fields.stepPath,
        ...(fields.stepId === undefined ? {} : { [ATTR.stepId]: fields.stepId }),
        ...(fields.taskQueue === undefined ? {} : { [ATTR.taskQueue]: fields.taskQueue }),
      },
    },
    parent,
  );
  try {
    const result = await context.with(trace.setSpan(parent, span), () => work(span));
    const verdict = outcome?.(result) ?? { ok: true };
    if (verdict.ok) span.setStatus({ code: SpanStatusCode.OK });
    else {
      span.setAttribute(ATTR.errorType, verdict.type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${verdict.type}: ${verdict.message}` });
    }
    return result;
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs `work` inside a short client span (`flowline.start <workflow>`, `flowline.signal <name>`…)
 * and hands it the carrier of that span, to store with the run or signal so the worker side
 * continues the same trace. Side effects: one span.
 */
export async function withClientSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Readonly<Record<string, string | number>>,
  work: (carrier: TraceCarrier | undefined) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { kind: SpanKind.PRODUCER, attributes: { ...attributes } });
  const ctx = trace.setSpan(context.active(), span);
  try {
    const result = await context.with(ctx, () => work(injectTraceContext(ctx)));
    span.setStatus({ code: SpanStatusCode.OK });
    return result;
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Records a thrown error on a span and marks the span failed. */
function markFailed(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
