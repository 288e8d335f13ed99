/**
 * The two-terminal quick start (docs/guides/operations-redis.md) on a real Redis: a worker
 * process; then deploy, start, signal (the CLI's main() in this process) and result --wait (a
 * process: the Redis verbs' bin smoke, which must exit once its engine is closed); then a graceful
 * SIGTERM stop of the worker. (The other verbs and their exit codes: redis-verbs.test.ts, in process.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, rawClient, uniquePrefix } from '../redis/helpers.js';
import { runInProcess } from '../workflows/cli-in-process.js';
import { flowline, spawnWorker, type WorkerProcess } from './redis-process.js';

const prefix = uniquePrefix('fltest-cli');
const env = { FLOWLINE_PREFIX: prefix };
const inProcess = (args: string[]): ReturnType<typeof runInProcess> => runInProcess(args, { env });
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
  it('deploy, start, signal, result --wait', async () => {
    const deployed = await inProcess(['deploy', 'workflows/human-approval.yaml', '--json']);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(JSON.parse(deployed.stdout)).toEqual([expect.objectContaining({ name: 'human-approval', version: 1, created: true })]);

    const input = JSON.stringify({ requester: 'ann', amount: 120, purpose: 'train ticket' });
    const started = await inProcess(['start', 'human-approval', '--id', 'exp-1', '--input', input]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout.trim()).toBe('exp-1');

    const signalled = await inProcess(['signal', 'exp-1', 'decision', '--data', '{"approved":true,"by":"bob"}']);
    expect(signalled.code, signalled.stderr).toBe(0);

    const done = await flowline(['result', 'exp-1', '--wait', '--json'], env);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ runId: 'exp-1', status: 'completed', output: { approved: true, approvedBy: ['bob'] }, error: null });
  }, 90_000);

  it('stops the worker gracefully on SIGTERM', async () => {
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toContain('flowline worker stopped');
  }, 30_000);
});
