/**
 * The README's two-terminal quick start on a real Redis, through the real CLI: a worker process;
 * then deploy, start, signal, result — plus the exit codes of SPEC §9 for a run that did not
 * complete and for an unknown run, and a graceful SIGTERM stop of the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, rawClient, uniquePrefix } from '../redis/helpers.js';
import { flowline, spawnWorker, type WorkerProcess } from './redis-process.js';

const prefix = uniquePrefix('fltest-cli');
const env = { FLOWLINE_PREFIX: prefix };
let worker: WorkerProcess;

beforeAll(async () => {
  worker = await spawnWorker(['--activities', 'workflows/activities/index.ts'], env);
}, 60_000);

afterAll(async () => {
  if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  const client = rawClient();
  await deletePrefix(client, prefix);
  await client.quit();
});

describe('flowline on Redis (quick start)', () => {
  it('deploy, start, signal, result --wait; a rejected run exits 1; an unknown run exits 2', async () => {
    const deployed = await flowline(['deploy', 'workflows/human-approval.yaml', '--json'], env);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(JSON.parse(deployed.stdout)).toEqual([expect.objectContaining({ name: 'human-approval', version: 1, created: true })]);

    const input = JSON.stringify({ requester: 'ann', amount: 120, purpose: 'train ticket' });
    const [approved, rejected] = await Promise.all([
      flowline(['start', 'human-approval', '--id', 'exp-1', '--input', input], env),
      flowline(['start', 'human-approval', '--id', 'exp-2', '--input', input, '--json'], env),
    ]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout.trim()).toBe('exp-1');
    expect(JSON.parse(rejected.stdout)).toEqual({ runId: 'exp-2' });

    const [signalled, signalledNo] = await Promise.all([
      flowline(['signal', 'exp-1', 'decision', '--data', '{"approved":true,"by":"bob"}'], env),
      flowline(['signal', 'exp-2', 'decision', '--data', '{"approved":false,"by":"bob"}'], env),
    ]);
    expect(signalled.code, signalled.stderr).toBe(0);
    expect(signalledNo.code, signalledNo.stderr).toBe(0);

    const [done, failed, unknown] = await Promise.all([
      flowline(['result', 'exp-1', '--wait', '--json'], env),
      flowline(['result', 'exp-2', '--wait', '--json'], env),
      flowline(['describe', 'no-such-run'], env),
    ]);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ runId: 'exp-1', status: 'completed', output: { approved: true, approvedBy: ['bob'] }, error: null });
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ runId: 'exp-2', status: 'compensated', error: { type: 'Rejected' } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('RunNotFound');

    const [listed, described, history] = await Promise.all([
      flowline(['list', '--name', 'human-approval', '--json'], env),
      flowline(['describe', 'exp-1', '--json'], env),
      flowline(['history', 'exp-2', '--json'], env),
    ]);
    expect(JSON.parse(listed.stdout).map((r: { runId: string }) => r.runId).sort()).toEqual(['exp-1', 'exp-2']);
    expect(JSON.parse(described.stdout)).toMatchObject({ runId: 'exp-1', status: 'completed', name: 'human-approval', version: 1, error: null });
    const types = (JSON.parse(history.stdout) as { type: string }[]).map((e) => e.type);
    expect(types[0]).toBe('RunStarted');
    expect(types).toContain('SignalReceived');
    expect(types.at(-1)).toBe('RunEnded');
  }, 60_000);

  it('stops the worker gracefully on SIGTERM', async () => {
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toContain('flowline worker stopped');
  }, 30_000);
});
