import { describe, expect, it } from 'vitest';
import { createMetrics, noopMetrics } from '../../src/observability/metrics.js';

/** Reads one sample's value from a text exposition, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus metrics', () => {
  it('counts runs started and ended by flow and status, with a duration histogram in seconds', async () => {
    const metrics = createMetrics();
    metrics.runStarted('order');
    metrics.runStarted('order');
    metrics.runEnded('order', 'completed', 1500);
    metrics.runEnded('order', 'compensated', 250);
    const text = await metrics.scrape();
    expect(sample(text, 'flowline_runs_started_total{workflow="order"}')).toBe(2);
    expect(sample(text, 'flowline_runs_ended_total{workflow="order",status="completed"}')).toBe(1);
    expect(sample(text, 'flowline_runs_ended_total{workflow="order",status="compensated"}')).toBe(1);
    expect(sample(text, 'flowline_run_duration_seconds_sum{workflow="order",status="completed"}')).toBe(1.5);
    expect(sample(text, 'flowline_run_duration_seconds_bucket{le="1",workflow="order",status="completed"}')).toBe(0);
    expect(sample(text, 'flowline_run_duration_seconds_bucket{le="5",workflow="order",status="completed"}')).toBe(1);
  });

  it('counts activity attempts, retries and timeouts by activity', async () => {
    const metrics = createMetrics();
    metrics.activityAttempt('payments.charge', 'failed', 20, 1);
    metrics.activityAttempt('payments.charge', 'timeout', 1000, 2);
    metrics.activityAttempt('payments.charge', 'completed', 30, 3);
    const text = await metrics.scrape();
    expect(sample(text, 'flowline_activity_attempts_total{activity="payments.charge",outcome="failed"}')).toBe(1);
    expect(sample(text, 'flowline_activity_attempts_total{activity="payments.charge",outcome="timeout"}')).toBe(1);
    expect(sample(text, 'flowline_activity_attempts_total{activity="payments.charge",outcome="completed"}')).toBe(1);
    expect(sample(text, 'flowline_activity_retries_total{activity="payments.charge"}')).toBe(2);
    expect(sample(text, 'flowline_activity_timeouts_total{activity="payments.charge"}')).toBe(1);
    expect(sample(text, 'flowline_activity_attempt_duration_seconds_count{activity="payments.charge",outcome="completed"}')).toBe(1);
  });

  it('records step durations, compensations, signals and timer lateness', async () => {
    const metrics = createMetrics();
    metrics.stepEnded('order', 'call', 'completed', 40);
    metrics.compensationEnded('order', 'completed');
    metrics.signalReceived('order');
    metrics.timerFired(45, 'retry');
    const text = await metrics.scrape();
    expect(sample(text, 'flowline_step_duration_seconds_count{workflow="order",kind="call",outcome="completed"}')).toBe(1);
    expect(sample(text, 'flowline_compensations_total{workflow="order",outcome="completed"}')).toBe(1);
    expect(sample(text, 'flowline_signals_received_total{workflow="order"}')).toBe(1);
    expect(sample(text, 'flowline_timer_lateness_seconds_sum{purpose="retry"}')).toBeCloseTo(0.045);
    expect(sample(text, 'flowline_timer_lateness_seconds_bucket{le="0.05",purpose="retry"}')).toBe(1);
  });

  it('reads queue depths and Redis memory through the collectors at scrape time', async () => {
    const metrics = createMetrics();
    let waiting = 3;
    metrics.setCollectors({
      queueJobCounts: async () => [{ queue: 'flowline-activities-default', waiting, active: 2, delayed: 1 }],
      redisMemory: async () => ({ usedBytes: 1024, maxBytes: 4096 }),
    });
    const text = await metrics.scrape();
    expect(sample(text, 'flowline_queue_jobs{queue="flowline-activities-default",state="waiting"}')).toBe(3);
    expect(sample(text, 'flowline_queue_jobs{queue="flowline-activities-default",state="active"}')).toBe(2);
    expect(sample(text, 'flowline_queue_jobs{queue="flowline-activities-default",state="delayed"}')).toBe(1);
    expect(sample(text, 'flowline_redis_memory_used_bytes')).toBe(1024);
    expect(sample(text, 'flowline_redis_memory_max_bytes')).toBe(4096);

    // Replacing the collectors drops the cached reading.
    waiting = 7;
    metrics.setCollectors({ queueJobCounts: async () => [{ queue: 'q', waiting, active: 0, delayed: 0 }] });
    const again = await metrics.scrape();
    expect(sample(again, 'flowline_queue_jobs{queue="q",state="waiting"}')).toBe(7);
    expect(sample(again, 'flowline_queue_jobs{queue="flowline-activities-default",state="waiting"}')).toBeUndefined();
  });

  it('keeps the scrape working when a collector fails, and counts the failure', async () => {
    const metrics = createMetrics({
      collectors: {
        queueJobCounts: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
    });
    metrics.runStarted('order');
    const text = await metrics.scrape();
    expect(sample(text, 'flowline_runs_started_total{workflow="order"}')).toBe(1);
    expect(sample(text, 'flowline_metrics_collect_errors_total{collector="queue_jobs"}')).toBe(1);
  });

  it('bounds label cardinality: names past the limit collapse into __other__', async () => {
    const metrics = createMetrics({ maxLabelValues: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'a']) metrics.runStarted(name);
    const text = await metrics.scrape();
    expect(sample(text, 'flowline_runs_started_total{workflow="a"}')).toBe(2);
    expect(sample(text, 'flowline_runs_started_total{workflow="b"}')).toBe(1);
    expect(sample(text, 'flowline_runs_started_total{workflow="__other__"}')).toBe(2);
    expect(text).not.toContain('workflow="c"');
  });

  it('follows Prometheus naming: flowline_ prefix, counters end in _total, histograms in _seconds', async () => {
    const metrics = createMetrics();
    const all = await metrics.registry.getMetricsAsJSON();
    for (const metric of all) {
      expect(metric.name).toMatch(/^flowline_/);
      if (String(metric.type) === 'counter') expect(metric.name).toMatch(/_total$/);
      if (String(metric.type) === 'histogram') expect(metric.name).toMatch(/_seconds$/);
      expect((metric as { aggregator?: string; labelNames?: string[] }).labelNames ?? []).not.toContain('runId');
    }
    expect(all.length).toBeGreaterThanOrEqual(15);
  });

  it('optionally exports the Node process metrics, unprefixed', async () => {
    const text = await createMetrics({ defaultMetrics: true }).scrape();
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('has a no-op twin with the same surface', async () => {
    noopMetrics.runStarted('x');
    noopMetrics.activityAttempt('x', 'completed', 1, 1);
    expect(await noopMetrics.scrape()).toBe('');
  });
});
