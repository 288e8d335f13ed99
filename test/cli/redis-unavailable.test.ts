/**
 * The CLI against a Redis that is not there or does not answer (issue 11), as a real process
 * where exiting is the point (`result --wait`, the worker's start-up) and in-process otherwise:
 * a private redis-server stopped with SIGSTOP (accepts connections, answers nothing), a closed
 * port, a server with a password, and URLs whose password is not percent-encoded.
 * Timings are only generous bounds that tell an answer from a hang; the assertions are on exit
 * codes and messages.
 */
import { runInProcess } from '../workflows/cli-in-process.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import { createRedisEngine } from '../../src/runtime/redis/index.js';
import { uniquePrefix } from '../redis/helpers.js';
import { freePort, startPrivateRedis, type PrivateRedis } from '../redis/private-server.js';
import { flowline } from './redis-process.js';

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


/** Runs the CLI and measures how long it took. */
async function timed(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  const outcome = await flowline(args, env);
  return { code: outcome.code, stderr: outcome.stderr, ms: Date.now() - started };
}

/** Runs the CLI in this process and measures how long it took. */
async function timedInProcess(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  const outcome = await runInProcess(args, { env });
  return { code: outcome.code, stderr: outcome.stderr, ms: Date.now() - started };
}

/** Runs the CLI in this process (for messages; exiting is what the spawned calls prove). */
function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runInProcess(argv);
}

/** Far above process start-up plus the timeouts under load, far below the 60 s after which `flowline()` kills a hung call. */
const ANSWERED_WITHIN_MS = 40_000;

describe('a Redis that accepts connections but does not answer (SIGSTOP)', () => {
  const prefix = uniquePrefix('fltest-stopped');
  let server: PrivateRedis | undefined;
  let runId: string;

  beforeAll(async () => {
    server = await startPrivateRedis();
    const engine = createRedisEngine({ url: `redis://127.0.0.1:${server.port}`, prefix });
    try {
      await engine.deploy(FLOW);
      ({ runId } = await engine.start('patient'));
    } finally {
      await engine.close();
    }
    process.kill(server.process.pid as number, 'SIGSTOP');
  });

  afterAll(() => server?.stop());

  it('describe, signal, start and result --wait exit 2 with RedisUnavailable instead of hanging', async () => {
    const target = ['--redis', `redis://127.0.0.1:${server?.port}`, '--prefix', prefix];
    // The environment variable and the flag set the same bound.
    const env = { FLOWLINE_REDIS_TIMEOUT: '1500' };
    // result --wait as a process (it must exit, not just return: every verb closes its engine the
    // same way, in withEngine); the others in this process meanwhile, one at a time.
    const waiting = timed(['result', runId, '--wait', '--timeout', '3000', ...target], env);
    const described = await timedInProcess(['describe', runId, ...target], env);
    const signalled = await timedInProcess(['signal', runId, 'go', ...target], env);
    const started = await timedInProcess(['start', 'patient', ...target, '--redis-timeout', '1500']);
    const waited = await waiting;
    for (const outcome of [described, signalled, started, waited]) {
      expect(outcome.code, outcome.stderr).toBe(2);
      expect(outcome.stderr).toContain(`RedisUnavailable: Redis at redis://127.0.0.1:${server?.port} did not answer within 1.5 s`);
      expect(outcome.stderr).toContain('--redis-timeout to wait longer');
      expect(outcome.ms).toBeLessThan(ANSWERED_WITHIN_MS);
    }
  }, 90_000);

  it('fails an API call with RedisUnavailable after commandTimeoutMs', async () => {
    const engine = createRedisEngine({ url: `redis://127.0.0.1:${server?.port}`, prefix, commandTimeoutMs: 1000 });
    try {
      await expect(engine.describe(runId)).rejects.toMatchObject({ type: 'RedisUnavailable', timedOut: true });
    } finally {
      await engine.close({ force: true });
    }
  });
});

describe('flowline worker at start-up', () => {
  let guarded: PrivateRedis | undefined;

  afterAll(() => guarded?.stop());

  it('says what it waits for on a closed port, then exits 2 after its start-up timeout', async () => {
    const port = await freePort();
    const outcome = await timed(['worker', '--redis', `redis://127.0.0.1:${port}`], { FLOWLINE_STARTUP_TIMEOUT: '2000' });
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(outcome.stderr).toContain(`flowline worker: waiting for Redis at redis://127.0.0.1:${port}: connection refused; retrying`);
    expect(outcome.stderr).toContain('RedisUnavailable');
    expect(outcome.stderr).toContain('--startup-timeout to wait longer');
    expect(outcome.ms).toBeLessThan(ANSWERED_WITHIN_MS);
  }, 90_000);

  it('says "wrong password" and exits 2 at once, without waiting for the start-up timeout', async () => {
    guarded = await startPrivateRedis({ extraArgs: ['--requirepass', 'the-secret'], password: 'the-secret' });
    const url = (password: string): string => `redis://:${password}@127.0.0.1:${guarded?.port}`;
    // The right password (with a percent-encoded "-") is accepted: the refusal below is the password's.
    const listed = await cli('list', '--json', '--redis', url('the%2Dsecret'), '--prefix', uniquePrefix('fltest-auth'));
    expect(listed.code, listed.stderr).toBe(0);
    const verb = await cli('describe', 'x', '--redis', url('Not-The-Pass'));
    const worker = await timed(['worker', '--redis', url('Not-The-Pass')], { FLOWLINE_STARTUP_TIMEOUT: '60000' });
    for (const outcome of [worker, verb]) {
      expect(outcome.code, outcome.stderr).toBe(2);
      expect(outcome.stderr).toContain('RedisConfig: authentication failed');
      expect(outcome.stderr).toContain('wrong password');
      expect(outcome.stderr).not.toContain('maxmemory-policy');
      expect(outcome.stderr).not.toContain('Not-The-Pass');
    }
    expect(worker.ms).toBeLessThan(ANSWERED_WITHIN_MS);
  }, 90_000);
});

describe('passwords that are not percent-encoded', () => {
  it('never appear in what the CLI prints, and the message says how to encode them', async () => {
    const cases = [
      { url: 'redis://:p@ss/w#rd@127.0.0.1:6379', secrets: ['p@ss', 'ss/w', 'w#rd'] },
      { url: 'redis://app:s3cr/t@127.0.0.1:6379/0', secrets: ['s3cr', 'cr/t'] },
      { url: 'redis://:pa?ss@127.0.0.1:6379', secrets: ['pa?ss', 'pa?'] },
    ];
    const outcomes = [];
    for (const { url } of cases) outcomes.push(await cli('describe', 'x', '--redis', url));
    // The worker prints its own start-up failure before exiting.
    outcomes.push(await timed(['worker', '--redis', cases[0]!.url]));
    outcomes.forEach((outcome, index) => {
      const { secrets } = cases[index] ?? cases[0]!;
      for (const secret of secrets) expect(outcome.stderr).not.toContain(secret);
      expect(outcome.code, outcome.stderr).toBe(2);
      expect(outcome.stderr).toContain('RedisConfig');
      expect(outcome.stderr).toContain('percent-encode');
    });
  }, 90_000);
});
