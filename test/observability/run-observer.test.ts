import { describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import type { Decision, RunEvent, RunState, RunStatus } from '../../src/interpreter/types.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createRunObserver } from '../../src/observability/run-observer.js';

const definition = loadDefinition(`
dsl: flowline/v1
name: obs
version: 1
steps:
  - id: a
    call: x.y
`);

function state(revision: number, status: RunStatus = 'running'): RunState {
  return {
    runId: 'r1',
    workflow: { name: 'obs', version: 1, digest: definition.digest },
    status,
    input: null,
    vars: {},
    output: null,
    error: null,
    startedAt: 1000,
    updatedAt: 1000,
    endedAt: status === 'running' ? null : 4000,
    revision,
    historyLength: 0,
    retries: 0,
    parent: null,
    core: null,
  };
}
const decision = (next: RunState): Decision => ({ accepted: true, state: next, commands: [], history: [] });
const started: RunEvent = { type: 'RunStarted', at: 1000, runId: 'r1', input: null };
const activityStarted: RunEvent = { type: 'ActivityStarted', at: 1100, seq: 1, attempt: 1 };

async function sample(metrics: ReturnType<typeof createMetrics>, series: string): Promise<number | undefined> {
  const line = (await metrics.scrape()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('run observer counting', () => {
  it('counts a start once, at the first transition after creation, and the end with its duration', async () => {
    const metrics = createMetrics();
    const observer = createRunObserver({ metrics });
    observer.onCommitted({ definition, previous: null, decision: decision(state(1)), event: started });
    expect(await sample(metrics, 'flowline_runs_started_total{workflow="obs"}')).toBeUndefined();
    observer.onCommitted({ definition, previous: state(1), decision: decision(state(2)), event: activityStarted });
    observer.onCommitted({ definition, previous: state(2), decision: decision(state(3)), event: activityStarted });
    expect(await sample(metrics, 'flowline_runs_started_total{workflow="obs"}')).toBe(1);
    observer.onCommitted({ definition, previous: state(3), decision: decision(state(4, 'failed')), event: activityStarted });
    expect(await sample(metrics, 'flowline_runs_ended_total{workflow="obs",status="failed"}')).toBe(1);
    expect(await sample(metrics, 'flowline_run_duration_seconds_sum{workflow="obs",status="failed"}')).toBe(3);
  });

  it('counts a run that ends within its creation decision where it was created', async () => {
    const metrics = createMetrics();
    const observer = createRunObserver({ metrics });
    observer.onCommitted({ definition, previous: null, decision: decision(state(1, 'completed')), event: started });
    expect(await sample(metrics, 'flowline_runs_started_total{workflow="obs"}')).toBe(1);
    expect(await sample(metrics, 'flowline_runs_ended_total{workflow="obs",status="completed"}')).toBe(1);
  });

  it('never throws, even when a dependency does', async () => {
    const observer = createRunObserver({
      metrics: { ...createMetrics(), runStarted: () => { throw new Error('boom'); } },
    });
    expect(() => observer.onCommitted({ definition, previous: state(1), decision: decision(state(2)), event: activityStarted })).not.toThrow();
    await observer.flush();
  });

  it('wraps an attempt: outcome mapped to the metric, result passed through', async () => {
    const metrics = createMetrics();
    const observer = createRunObserver({ metrics });
    const info = { runId: 'r1', activity: 'x.y', attempt: 2, stepPath: '/steps/0', workflow: { name: 'obs', version: 1 } };
    const outcome = await observer.aroundAttempt(info, async () => ({ ok: false as const, error: { type: 'Timeout', message: 'late' } }));
    expect(outcome.ok).toBe(false);
    expect(await sample(metrics, 'flowline_activity_timeouts_total{activity="x.y"}')).toBe(1);
    expect(await sample(metrics, 'flowline_activity_retries_total{activity="x.y"}')).toBe(1);
  });
});

describe('attempt logging', () => {
  it('masks handler log lines by the flow\'s paths, loading the definition once when it was not seen', async () => {
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../../src/observability/logger.js');
    const chunks: string[] = [];
    const observer = createRunObserver({
      logger: createLogger({ env: {}, destination: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }) }),
    });
    const secretFlow = loadDefinition(`
dsl: flowline/v1
name: obs
version: 2
redact: [$.input.pin]
steps:
  - id: a
    call: x.y
`);
    let loads = 0;
    const info = {
      runId: 'r9',
      activity: 'x.y',
      attempt: 1,
      stepPath: '/steps/0',
      workflow: { name: 'obs', version: 2 },
      loadDefinition: async () => (loads++, secretFlow),
    };
    for (let i = 0; i < 2; i++) {
      await observer.aroundAttempt(info, async (log) => {
        log.info({ input: { pin: '9999-SECRET' } }, 'handler says');
        return { ok: true as const };
      });
    }
    expect(loads).toBe(1);
    const text = chunks.join('');
    expect(text).toContain('handler says');
    expect(text).not.toContain('9999-SECRET');
  });
});
