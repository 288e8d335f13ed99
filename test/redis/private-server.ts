/**
 * A private redis-server for tests that must break Redis (fill it, change its ACLs): started on a
 * random loopback port without persistence, never the shared server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A running private server. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** The redis-server process (a test may SIGSTOP it). */
  readonly process: ChildProcess;
  /** A client for CONFIG SET and assertions. */
  readonly admin: Redis;
  /** Resumes it if stopped, kills it, and waits for it to be gone. */
  stop(): Promise<void>;
}

/** A free loopback port (the OS picks it; nobody listens on it once this resolves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts redis-server (noeviction, no RDB, no AOF, plus `extraArgs`) and resolves once it answers
 * PING (with `password` when it requires one).
 */
export async function startPrivateRedis(options: { extraArgs?: readonly string[]; password?: string } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const server: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', ...(options.extraArgs ?? [])],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => server.on('exit', resolve));
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url, {
    ...(options.password ? { password: options.password } : {}),
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => (times > 100 ? null : 50),
  });
  admin.on('error', () => undefined);
  await admin.ping();
  return {
    url,
    port,
    process: server,
    admin,
    async stop() {
      admin.disconnect();
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGCONT');
        server.kill('SIGKILL');
      }
      await exited;
    },
  };
}
