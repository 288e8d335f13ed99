/**
 * `result --wait` against a Redis that answers: --timeout bounds the wait, not --redis-timeout
 * (which bounds one command). In-process; the unanswering Redis: redis-unavailable.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import { createRedisEngine } from '../../src/runtime/redis/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from '../redis/helpers.js';
import { runInProcess } from '../workflows/cli-in-process.js';

const FLOW = loadDefinition(
  `dsl: flowline/v1
name: patient
version: 1
signals: { go: {} }
steps:
  - waitSignal: go
`,
  { file: 'patient.yaml' },
);

function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runInProcess(argv);
}

describe('result --wait while Redis answers', () => {
  const prefix = uniquePrefix('fltest-patient');

  afterAll(async () => {
    const client = rawClient();
    await deletePrefix(client, prefix);
    await client.quit();
  });

  it('waits as long as --timeout asks, even when --redis-timeout is shorter', async () => {
    const engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
    let runId: string;
    try {
      await engine.deploy(FLOW);
      ({ runId } = await engine.start('patient'));
    } finally {
      await engine.close();
    }
    const waited = await cli('result', runId, '--wait', '--timeout', '2500', '--redis', TEST_REDIS_URL, '--prefix', prefix, '--redis-timeout', '500');
    expect(waited.code, waited.stderr).toBe(2);
    expect(waited.stderr).toContain(`WaitTimeout: run "${runId}" did not finish within 2.5s`);
    expect(waited.stderr).not.toContain('RedisUnavailable');
  }, 60_000);
});

