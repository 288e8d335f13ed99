/**
 * End to end on the Redis runtime: a flow with a retry and a compensation, run by a real worker,
 * observed through logs (redacted), /metrics and the span tree of the caller's trace.
 */
import { Writable } from 'node:stream';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadDefinition } from '../../src/definition/load.js';
import { startObservabilityServer, type ObservabilityServer } from '../../src/observability/http-server.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createRunObserver } from '../../src/observability/run-observer.js';
import { QueueProbe } from '../../src/runtime/redis/queue-probe.js';
import { createRedisEngine, startWorker, type RedisEngine, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { deletePrefix, rawClient, TEST_REDIS_URL, uniquePrefix } from '../redis/helpers.js';

const FLOW = `
dsl: flowline/v1
name: checkout
version: 1
redact: [$.input.card.number, $.steps.pay.output.token]
steps:
  - id: reserve
    call: inventory.reserve
    with: { sku: '\${ $input.sku }' }
    compensate:
      call: inventory.release
      with: { id: '\${ $output.id }' }
  - id: pay
    call: payments.charge
    with:
      card: '\${ $input.card.number }'
    retry: { maxAttempts: 3, initialInterval: 10ms }
  - id: ship
    call: shipping.create
`;
const CARD = '4111111111111111';
const TOKEN = 'tok_SECRET_77';
const PASSWORD = 'hunter2-very-secret';

const prefix = uniquePrefix('flobs-e2e');
const client = rawClient();
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const logChunks: string[] = [];
const metrics = createMetrics();
const observer = createRunObserver({
  metrics,
  logger: createLogger({
    level: 'debug',
    env: { FLOWLINE_REDACT: '**.password' },
    destination: new Writable({
      write(chunk, _encoding, callback) {
        logChunks.push(String(chunk));
        callback();
      },
    }),
  }),
  tracer: provider.getTracer('flowline'),
  globalRedact: ['**.password'],
});
let engine: RedisEngine;
let worker: WorkerHandle;
let server: ObservabilityServer;
let probe: QueueProbe;
let charges = 0;
let seenCard: unknown;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  engine = createRedisEngine({ url: TEST_REDIS_URL, prefix, observer });
  worker = await startWorker({
    url: TEST_REDIS_URL,
    prefix,
    observer,
    maintenanceIntervalMs: 0,
    activities: {
      'inventory.reserve': async () => ({ id: 'res-1' }),
      'inventory.release': async () => ({ released: true }),
      'payments.charge': async (input: { card: string }, ctx) => {
        seenCard = input.card;
        charges += 1;
        ctx.log.info({ password: PASSWORD }, 'charging');
        if (charges === 1) throw Object.assign(new Error('gateway busy'), { type: 'GatewayBusy' });
        return { token: TOKEN, amount: 10 };
      },
      'shipping.create': async () => {
        throw Object.assign(new Error('no courier available'), { type: 'NoCourier', nonRetryable: true });
      },
    },
  });
  probe = new QueueProbe(TEST_REDIS_URL, prefix);
  server = await startObservabilityServer({
    port: 0,
    host: '127.0.0.1',
    metrics,
    health: { live: () => probe.ping(), ready: async () => worker.isReady() },
  });
  metrics.setCollectors({ queueJobCounts: () => probe.jobCounts(), redisMemory: () => probe.memory(), runCounts: () => probe.runCounts() });
});

afterAll(async () => {
  await server?.close();
  await worker?.close();
  await engine?.close();
  await probe?.close();
  await deletePrefix(client, prefix);
  client.disconnect();
  context.disable();
  await provider.shutdown();
});

describe('observing a run on the Redis runtime', () => {
  let runId: string;
  let caller: ReturnType<ReturnType<typeof provider.getTracer>['startSpan']>;

  beforeAll(async () => {
    await engine.deploy(loadDefinition(FLOW));
    caller = provider.getTracer('app').startSpan('POST /checkout');
    ({ runId } = await context.with(trace.setSpan(context.active(), caller), () =>
      engine.start('checkout', { id: `order-${prefix}`, input: { sku: 'A1', card: { number: CARD }, user: { password: PASSWORD } } }),
    ));
    caller.end();
    const result = await engine.result(runId, { wait: true, timeoutMs: 20_000 });
    expect(result.status).toBe('compensated');
    expect(seenCard).toBe(CARD);
    await observer.flush();
  });

  it('logs every step with the run fields and never the redacted values', () => {
    const text = logChunks.join('');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(text).not.toContain(CARD);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(PASSWORD);
    expect(text).toContain('[REDACTED]');

    const started = lines.find((l) => l.msg === 'run started');
    expect(started).toMatchObject({ runId, workflow: 'checkout', version: 1, input: { sku: 'A1', card: { number: '[REDACTED]' } } });
    const retried = lines.find((l) => l.entry === 'StepRetried');
    expect(retried).toMatchObject({ runId, stepPath: '/steps/1', stepId: 'pay', attempt: 1 });
    const secondAttempt = lines.find((l) => l.msg === 'activity attempt completed' && l.activity === 'payments.charge');
    expect(secondAttempt).toMatchObject({ runId, workflow: 'checkout', version: 1, stepPath: '/steps/1', attempt: 2 });
    const payDone = lines.find((l) => l.entry === 'StepCompleted' && l.stepId === 'pay');
    expect(payDone).toMatchObject({ details: { output: { token: '[REDACTED]', amount: 10 } } });
    // The handler's own log line carries the attempt's fields too.
    expect(lines.find((l) => l.msg === 'charging')).toMatchObject({ runId, workflow: 'checkout', stepPath: '/steps/1', activity: 'payments.charge', attempt: 1, password: '[REDACTED]' });
    // No field is written twice on a line.
    for (const line of text.trim().split('\n')) expect(line.match(/"runId":/g)?.length ?? 0).toBeLessThanOrEqual(1);
    const ended = lines.find((l) => l.entry === 'RunEnded');
    expect(ended).toMatchObject({ level: 40, msg: 'run ended compensated' });
  });

  it('serves the run\'s metrics, queue depths and Redis memory on /metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (series: string): number | undefined => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    };
    expect(value('flowline_runs_started_total{workflow="checkout"}')).toBe(1);
    expect(value('flowline_runs_ended_total{workflow="checkout",status="compensated"}')).toBe(1);
    expect(value('flowline_run_duration_seconds_count{workflow="checkout",status="compensated"}')).toBe(1);
    expect(value('flowline_activity_attempts_total{activity="payments.charge",outcome="failed"}')).toBe(1);
    expect(value('flowline_activity_attempts_total{activity="payments.charge",outcome="completed"}')).toBe(1);
    expect(value('flowline_activity_retries_total{activity="payments.charge"}')).toBe(1);
    expect(value('flowline_activity_attempts_total{activity="shipping.create",outcome="failed"}')).toBe(1);
    expect(value('flowline_compensations_total{workflow="checkout",outcome="completed"}')).toBe(1);
    expect(value('flowline_step_duration_seconds_count{workflow="checkout",kind="call",outcome="completed"}')).toBe(3);
    expect(value('flowline_step_duration_seconds_count{workflow="checkout",kind="call",outcome="failed"}')).toBe(1);
    expect(value('flowline_timer_lateness_seconds_count{purpose="any"}')).toBeGreaterThanOrEqual(1);
    expect(value('flowline_runs{status="compensated"}')).toBe(1);
    expect(value('flowline_queue_jobs{queue="activities.default",state="waiting"}')).toBe(0);
    expect(value('flowline_redis_memory_used_bytes')).toBeGreaterThan(0);
    expect(value('flowline_redis_memory_max_bytes')).toBeGreaterThanOrEqual(0);
    expect(text).not.toContain(runId);
  });

  it('masks the redacted values in `flowline describe` and `flowline history` output', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['describe', runId, '--json', '--redis', TEST_REDIS_URL, '--prefix', prefix])).toBe(0);
      expect(await main(['history', runId, '--json', '--redis', TEST_REDIS_URL, '--prefix', prefix])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const [description, history] = printed.map((chunk) => JSON.parse(chunk) as unknown);
    expect(description).toMatchObject({ runId, status: 'compensated' });
    expect((history as unknown[]).length).toBeGreaterThan(10);
    const text = printed.join('');
    expect(text).not.toContain(CARD);
    expect(text).not.toContain(TOKEN);
    expect(text).toContain('[REDACTED]');
    // The API itself still returns the real values to code that asks for them.
    expect(JSON.stringify(await engine.history(runId))).toContain(CARD);
  });

  it('answers the health endpoints', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('continues the caller\'s trace: run → steps → attempts, plus live activity spans', () => {
    const spans = exporter.getFinishedSpans();
    const traceId = caller.spanContext().traceId;
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
    const named = (name: string): ReadableSpan[] => spans.filter((s) => s.name === name);
    const id = (s: ReadableSpan): string => s.spanContext().spanId;
    const parent = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;

    const [run] = named('flowline.run checkout');
    expect(parent(run)).toBe(id(caller as unknown as ReadableSpan));
    expect(run.attributes['flowline.run.status']).toBe('compensated');
    const [pay] = named('flowline.step pay');
    expect(parent(pay)).toBe(id(run));
    const attempts = named('flowline.attempt payments.charge');
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) expect(parent(attempt)).toBe(id(pay));
    const [compensation] = named('flowline.compensation reserve');
    expect(parent(compensation)).toBe(id(run));
    // Live spans around the handler calls hang off the caller's context stored with the run.
    const live = named('flowline.activity payments.charge');
    expect(live).toHaveLength(2);
    for (const span of live) expect(parent(span)).toBe(id(caller as unknown as ReadableSpan));
  });
});
