import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import { createEmbeddedEngine } from '../../src/runtime/memory/index.js';
import { buildRunTrace, emitRunTrace, traceCarrierOf } from '../../src/observability/run-trace.js';
import { extractTraceContext, injectTraceContext, withActivitySpan, withClientSpan } from '../../src/observability/tracing.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
let tracer: Tracer;

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  tracer = provider.getTracer('test');
});
afterAll(async () => {
  context.disable();
  await provider.shutdown();
});
beforeEach(() => exporter.reset());

const FLOW = `
dsl: flowline/v1
name: pay-and-ship
version: 1
steps:
  - id: reserve
    call: inventory.reserve
    compensate:
      call: inventory.release
  - id: pay
    call: payments.charge
    retry: { maxAttempts: 2, initialInterval: 20ms }
  - id: ship
    call: shipping.create
`;

async function runFlow(): Promise<{ runId: string; history: Awaited<ReturnType<ReturnType<typeof createEmbeddedEngine>['history']>>; definition: ReturnType<typeof loadDefinition> }> {
  const definition = loadDefinition(FLOW);
  let charges = 0;
  const engine = createEmbeddedEngine({
    skipTimers: true,
    activities: {
      'inventory.reserve': async () => ({ id: 'r1' }),
      'inventory.release': async () => ({ released: true }),
      'payments.charge': async () => {
        charges += 1;
        if (charges === 1) throw Object.assign(new Error('gateway down'), { type: 'GatewayError' });
        return { chargeId: 'c1' };
      },
      'shipping.create': async () => {
        throw Object.assign(new Error('no courier'), { type: 'NoCourier', nonRetryable: true });
      },
    },
  });
  await engine.deploy(definition);
  const { runId } = await engine.start('pay-and-ship', { id: 'run-1' });
  const result = await engine.result(runId, { wait: true, timeoutMs: 10_000 });
  expect(result.status).toBe('compensated');
  const history = await engine.history(runId);
  await engine.close();
  return { runId, history, definition };
}

function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

describe('W3C trace context carriers', () => {
  it('round-trips a span context through a plain object, trace state included', () => {
    const span = tracer.startSpan('caller');
    const carrier = injectTraceContext(trace.setSpan(context.active(), span));
    expect(carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const extracted = trace.getSpanContext(extractTraceContext({ ...carrier!, tracestate: 'vendor=abc' }));
    expect(extracted).toMatchObject({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, isRemote: true });
    expect(extracted?.traceState?.get('vendor')).toBe('abc');
    span.end();
  });

  it('gives nothing without an active span and ignores malformed carriers', () => {
    expect(injectTraceContext()).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: 'garbage' }))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01` }))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext(undefined))).toBeUndefined();
  });

  it('writes traceparent even when no global propagator is registered', () => {
    propagation.disable();
    const span = tracer.startSpan('x');
    expect(injectTraceContext(trace.setSpan(context.active(), span))?.traceparent).toContain(span.spanContext().spanId);
    span.end();
  });
});

describe('live spans', () => {
  it('continues the caller\'s trace from start to the activity, with handler spans nested inside', async () => {
    const caller = tracer.startSpan('http POST /orders');
    const carrier = await context.with(trace.setSpan(context.active(), caller), () =>
      withClientSpan(tracer, 'flowline.start pay-and-ship', { 'flowline.workflow.name': 'pay-and-ship' }, async (c) => c),
    );
    caller.end();
    // Later, in a worker: the carrier stored with the run is all it has.
    const result = await withActivitySpan(
      tracer,
      carrier,
      { runId: 'run-1', workflow: 'pay-and-ship', version: 1, activity: 'payments.charge', attempt: 2, stepPath: '/steps/1', stepId: 'pay' },
      async () => {
        tracer.startSpan('stripe.charge').end();
        return { ok: false as const, error: { type: 'CardDeclined', message: 'declined' } };
      },
      (r) => (r.ok ? { ok: true } : { ok: false, ...r.error }),
    );
    expect(result.ok).toBe(false);
    const spans = exporter.getFinishedSpans();
    const [start] = byName(spans, 'flowline.start pay-and-ship');
    const [activity] = byName(spans, 'flowline.activity payments.charge');
    const [handler] = byName(spans, 'stripe.charge');
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(parentOf(start)).toBe(caller.spanContext().spanId);
    expect(parentOf(activity)).toBe(start.spanContext().spanId);
    expect(parentOf(handler)).toBe(activity.spanContext().spanId);
    expect(activity.attributes).toMatchObject({ 'flowline.run.id': 'run-1', 'flowline.activity.attempt': 2, 'flowline.error.type': 'CardDeclined' });
    expect(activity.status.code).toBe(2);
  });

  it('marks the activity span failed when the work throws', async () => {
    await expect(
      withActivitySpan(tracer, undefined, { runId: 'r', workflow: 'w', version: 1, activity: 'a', attempt: 1, stepPath: '/steps/0' }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const [span] = exporter.getFinishedSpans();
    expect(span.status).toMatchObject({ code: 2, message: 'boom' });
    expect(span.events.map((e) => e.name)).toContain('exception');
  });
});

describe('run span tree from history', () => {
  it('draws run → steps → attempts with retries and the compensation, in the caller\'s trace', async () => {
    const { runId, history, definition } = await runFlow();
    const caller = tracer.startSpan('caller');
    const carrier = injectTraceContext(trace.setSpan(context.active(), caller));
    caller.end();
    const count = emitRunTrace(tracer, carrier, definition, runId, history);
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBe(count + 1);
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([caller.spanContext().traceId]));

    const [run] = byName(spans, 'flowline.run pay-and-ship');
    expect(parentOf(run)).toBe(caller.spanContext().spanId);
    expect(run.attributes).toMatchObject({ 'flowline.run.id': 'run-1', 'flowline.run.status': 'compensated' });
    expect(run.status.code).toBe(2);

    const steps = ['reserve', 'pay', 'ship'].map((id) => byName(spans, `flowline.step ${id}`));
    for (const [step] of steps) expect(parentOf(step)).toBe(run.spanContext().spanId);
    const [[reserve], [pay], [ship]] = steps;
    expect(pay.status.code).toBe(1);
    expect(ship.status.code).toBe(2);

    const charges = byName(spans, 'flowline.attempt payments.charge');
    expect(charges.map((s) => s.attributes['flowline.activity.attempt']).sort()).toEqual([1, 2]);
    for (const attempt of charges) expect(parentOf(attempt)).toBe(pay.spanContext().spanId);
    expect(charges.map((s) => s.status.code).sort()).toEqual([1, 2]);
    expect(parentOf(byName(spans, 'flowline.attempt inventory.reserve')[0])).toBe(reserve.spanContext().spanId);

    const [compensation] = byName(spans, 'flowline.compensation reserve');
    expect(parentOf(compensation)).toBe(run.spanContext().spanId);
    const [release] = byName(spans, 'flowline.attempt inventory.release');
    const releaseStep = spans.find((s) => s.spanContext().spanId === parentOf(release));
    expect(parentOf(releaseStep!)).toBe(compensation.spanContext().spanId);

    // Times come from the history: the run covers its children.
    const ms = (t: [number, number]): number => t[0] * 1000 + t[1] / 1e6;
    for (const span of spans.filter((s) => s !== run && s.name !== 'caller')) {
      expect(ms(span.startTime)).toBeGreaterThanOrEqual(ms(run.startTime) - 1);
      expect(ms(span.endTime)).toBeLessThanOrEqual(ms(run.endTime) + 1);
    }
  });

  it('is a pure function of the history: same records twice, parents before children', async () => {
    const { runId, history, definition } = await runFlow();
    const a = buildRunTrace(definition, runId, history);
    expect(buildRunTrace(definition, runId, history)).toEqual(a);
    a.forEach((record, index) => expect(record.parent).toBeLessThan(index));
    expect(traceCarrierOf(history)).toBeUndefined();
    expect(traceCarrierOf([{ index: 0, at: 1, type: 'RunStarted', event: { type: 'RunStarted', at: 1, runId: 'r', input: null, trace: { traceparent: 'x' } } as never }])).toEqual({ traceparent: 'x' });
  });
});

describe('tracing detection', () => {
  it('is off until an SDK registers a global provider, then on', async () => {
    const { isTracingEnabled } = await import('../../src/observability/tracing.js');
    trace.disable();
    expect(isTracingEnabled()).toBe(false);
    trace.setGlobalTracerProvider(provider);
    expect(isTracingEnabled()).toBe(true);
    trace.disable();
  });
});

describe('signals in the run span', () => {
  it('links the run span to each signal sender\'s trace and records the signal as an event', () => {
    const definition = loadDefinition(`
dsl: flowline/v1
name: waits
version: 1
signals: { go: {} }
steps:
  - id: wait
    waitSignal: go
`);
    const sender = tracer.startSpan('POST /approve');
    const carrier = injectTraceContext(trace.setSpan(context.active(), sender))!;
    sender.end();
    const history = [
      { index: 0, at: 1000, type: 'RunStarted' as const, event: { type: 'RunStarted' as const, at: 1000, runId: 'w1', input: null } },
      { index: 1, at: 2000, type: 'SignalReceived' as const, event: { type: 'SignalReceived' as const, at: 2000, name: 'go', data: {}, trace: carrier } },
      { index: 2, at: 2000, type: 'SignalConsumed' as const, path: '/steps/0', stepId: 'wait', details: { signal: 'go' } },
      { index: 3, at: 2000, type: 'StepCompleted' as const, path: '/steps/0', stepId: 'wait', details: { output: {} } },
      { index: 4, at: 2001, type: 'RunEnded' as const, details: { status: 'completed', output: {}, error: null } },
    ];
    emitRunTrace(tracer, undefined, definition, 'w1', history);
    const run = exporter.getFinishedSpans().find((s) => s.name === 'flowline.run waits')!;
    expect(run.links.map((l) => l.context.spanId)).toEqual([sender.spanContext().spanId]);
    expect(run.events.map((e) => e.name)).toEqual(['signal received']);
    const step = exporter.getFinishedSpans().find((s) => s.name === 'flowline.step wait')!;
    expect(step.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
  });
});
