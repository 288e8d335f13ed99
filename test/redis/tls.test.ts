/**
 * `rediss://` end to end: a private redis-server with TLS only (self-signed certificate made with
 * openssl), reached by the real CLI with the certificate trusted through NODE_EXTRA_CA_CERTS, and
 * refused when it is not trusted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowline } from '../cli/redis-process.js';
import { runInProcess } from '../workflows/cli-in-process.js';
import { uniquePrefix } from './helpers.js';

const port = 21000 + Math.floor(Math.random() * 20000);
let dir: string;
let server: ChildProcess;

function listening(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowline-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  server = spawn('redis-server', [
    '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--tls-cert-file', join(dir, 'cert.pem'), '--tls-key-file', join(dir, 'key.pem'),
    '--tls-ca-cert-file', join(dir, 'cert.pem'), '--tls-auth-clients', 'no',
  ], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await listening()); i++) await new Promise((resolve) => setTimeout(resolve, 25));
}, 30_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('rediss://', () => {
  it('talks TLS to Redis when the certificate is trusted, and refuses an untrusted one', async () => {
    const args = ['list', '--json', '--redis', `rediss://localhost:${port}`, '--prefix', uniquePrefix('fltest-tls')];
    // NODE_EXTRA_CA_CERTS is read when a process starts: the trusting CLI is a new process. This
    // one trusts no such certificate, so the refusal runs in it.
    const trusting = flowline(args, { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') });
    const untrusted = await runInProcess(args);
    const trusted = await trusting;
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(JSON.parse(trusted.stdout)).toEqual([]);
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toContain('cannot reach Redis');
    expect(untrusted.stderr).toMatch(/certificate/i);
  }, 60_000);
});
