/**
 * Redis itself failing, on a private redis-server (AOF on, appendfsync always) started in a temp
 * directory: a worker refuses an evicting Redis; then Redis is killed with SIGKILL and restarted
 * under load, and no acknowledged run, signal or timer is lost (workers reconnect by themselves).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { loadDefinition } from '../../src/definition/load.js';
import { replay } from '../../src/interpreter/index.js';
import { createRedisEngine, type RedisEngine } from '../../src/runtime/redis/index.js';
import { main } from '../../src/cli/main.js';
import { flowline, spawnWorker, type WorkerProcess } from '../cli/redis-process.js';
import { uniquePrefix } from './helpers.js';

const port = 21000 + Math.floor(Math.random() * 20000);
const url = `redis://127.0.0.1:${port}`;
const prefix = uniquePrefix('fltest-aof');
const env = { FLOWLINE_PREFIX: prefix, FLOWLINE_REDIS_URL: url, FAULT_PREFIX: prefix, FAULT_REDIS_URL: url };
let dir: string;
let server: ChildProcess | undefined;
let raw: Redis;
let engine: RedisEngine;
const workers: WorkerProcess[] = [];

async function startServer(): Promise<void> {
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    for (let i = 0; i < 200; i++) {
      try {
        await probe.connect();
        // Loading the AOF: wait until Redis serves commands.
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        probe.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error('redis-server did not come up');
  } finally {
    probe.disconnect();
  }
}

async function killServer(): Promise<void> {
  const s = server;
  if (!s || s.exitCode !== null) return;
  const exited = new Promise((resolve) => s.on('exit', resolve));
  s.kill('SIGKILL');
  await exited;
}

const PATIENT = loadDefinition(
  `dsl: flowline/v1
name: patient
version: 1
signals: { go: {} }
steps:
  - id: first
    call: fault.quick
    with: { n: 1 }
  - wait: 1s
  - id: gate
    waitSignal: go
  - id: last
    call: fault.quick
    with: { n: 2 }
output: \${ $steps.last.n }
`,
  { file: 'patient.yaml' },
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowline-aof-'));
  await startServer();
  raw = new Redis(url, { maxRetriesPerRequest: null });
  raw.on('error', () => undefined);
  engine = createRedisEngine({ url, prefix });
  await engine.deploy(PATIENT);
}, 30_000);

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await engine?.close().catch(() => undefined);
  raw?.disconnect();
  await killServer();
  await rm(dir, { recursive: true, force: true });
});

describe('Redis failures', () => {
  it('a worker refuses to start against a Redis that evicts keys, and says why', async () => {
    await raw.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const refused = await flowline(['worker', '--activities', 'test/redis/fixtures/fault-activities.ts'], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('allkeys-lru');
      expect(refused.stderr).toContain('noeviction');
    } finally {
      await raw.config('SET', 'maxmemory-policy', 'noeviction');
    }
  }, 60_000);

  it('connects with an ACL user and a password given in the URL, and refuses a wrong password', async () => {
    await raw.acl('SETUSER', 'flow-app', 'on', '>p@ss:word', '~*', '&*', '+@all');
    const quiet = [vi.spyOn(process.stdout, 'write').mockImplementation(() => true), vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
    const previous = process.exitCode;
    try {
      const good = await main(['list', '--json', '--prefix', prefix, '--redis', `redis://flow-app:${encodeURIComponent('p@ss:word')}@127.0.0.1:${port}`]);
      const bad = await main(['list', '--prefix', prefix, '--redis', `redis://flow-app:wrong@127.0.0.1:${port}`]);
      expect(good).toBe(0);
      expect(bad).toBe(2);
    } finally {
      for (const spy of quiet) spy.mockRestore();
      process.exitCode = previous;
      await raw.acl('DELUSER', 'flow-app');
    }
  });

  it('Redis killed and restarted under load (AOF always): no acknowledged run, signal or timer is lost', async () => {
    workers.push(...(await Promise.all([0, 1].map(() => spawnWorker(['--activities', 'test/redis/fixtures/fault-activities.ts', '--lock-duration', '2000', '--stalled-interval', '1000'], env)))));
    const runs = await Promise.all(Array.from({ length: 20 }, () => engine.start('patient')));
    // Half the runs get their signal before the crash (buffered until their timer has fired).
    for (const { runId } of runs.slice(0, 10)) await engine.signal(runId, 'go', {});

    await killServer();
    await startServer();
    // Everything acknowledged before the crash is there.
    for (const { runId } of runs) expect(await raw.exists(`${prefix}:run:{${runId}}`)).toBe(1);

    for (const { runId } of runs.slice(10)) await engine.signal(runId, 'go', {});
    for (const { runId } of runs) {
      expect(await engine.result(runId, { wait: true, timeoutMs: 45_000 })).toMatchObject({ status: 'completed', output: 2 });
      const { definition, state, history } = await engine.inspect(runId);
      const seqs = history.filter((e) => e.type === 'ActivityCompleted' || e.type === 'TimerFired').map((e) => e.seq);
      expect(seqs).toHaveLength(3);
      expect(new Set(seqs).size).toBe(3);
      expect(history.filter((e) => e.type === 'SignalReceived')).toHaveLength(1);
      expect(await replay(definition, history)).toEqual(state);
    }
  }, 90_000);
});
