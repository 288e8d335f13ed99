import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createRunObserver } from '../../src/observability/run-observer.js';
import { createEmbeddedEngine } from '../../src/runtime/memory/index.js';

describe('observing the embedded runtime', () => {
  it('records metrics and redacted log lines through the same observer', async () => {
    const chunks: string[] = [];
    const metrics = createMetrics();
    const observer = createRunObserver({
      metrics,
      logger: createLogger({ level: 'debug', env: {}, destination: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }) }),
    });
    let calls = 0;
    const engine = createEmbeddedEngine({
      skipTimers: true,
      observer,
      activities: {
        'crm.lookup': async () => {
          calls += 1;
          if (calls === 1) throw new Error('flaky');
          return { email: 'ann@example.com', apiKey: 'sk-live-123456' };
        },
      },
    });
    await engine.deploy(
      loadDefinition(`
dsl: flowline/v1
name: lookup
version: 1
redact: [$.steps.find.output.apiKey]
steps:
  - id: find
    call: crm.lookup
    retry: { maxAttempts: 2, initialInterval: 10ms }
`),
    );
    const { runId } = await engine.start('lookup', { id: 'e-1' });
    expect((await engine.result(runId, { wait: true, timeoutMs: 10_000 })).status).toBe('completed');
    await observer.flush();
    await engine.close();

    const text = await metrics.scrape();
    expect(text).toContain('flowline_runs_started_total{workflow="lookup"} 1');
    expect(text).toContain('flowline_runs_ended_total{workflow="lookup",status="completed"} 1');
    expect(text).toContain('flowline_activity_attempts_total{activity="crm.lookup",outcome="failed"} 1');
    expect(text).toContain('flowline_activity_retries_total{activity="crm.lookup"} 1');
    expect(text).toContain('flowline_step_duration_seconds_count{workflow="lookup",kind="call",outcome="completed"} 1');
    const logs = chunks.join('');
    expect(logs).toContain('"runId":"e-1"');
    expect(logs).toContain('ann@example.com');
    expect(logs).not.toContain('sk-live-123456');
  });
});
