/**
 * `flowline serve` as a process: it serves the embedded runtime over a folder of flows to the
 * example client (examples/http/client.sh, plain curl) until it is stopped. Its refusals run
 * in-process: serve.test.ts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './redis-process.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
});

/** Starts `flowline serve …` on a free port; resolves with its base URL once it says it listens. */
function serve(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((done, fail) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) done({ base: match[1]!, child });
    });
    child.on('exit', (code) => fail(new Error(`flowline serve exited with ${code}: ${stderr}`)));
  });
}

function hasCurl(): Promise<boolean> {
  return new Promise((done) => execFile('which', ['curl'], (error) => done(!error)));
}

describe('flowline serve', () => {
  it('serves the flows of a folder; the curl example client deploys, starts, signals and reads the result', async () => {
    const { base } = await serve(['--embedded', 'examples/http'], { FLOWLINE_TOKENS: '' });
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const listed = (await (await fetch(`${base}/v1/definitions`)).json()) as { definitions: { name: string }[] };
    expect(listed.definitions.map((d) => d.name)).toContain('http-approval');
    if (!(await hasCurl())) {
      // Without curl the script cannot run; the API itself was still checked above.
      expect(await hasCurl()).toBe(false);
      return;
    }
    const output = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile('sh', [resolve(ROOT, 'examples/http/client.sh')], { env: { ...process.env, FLOWLINE_URL: base }, timeout: 30_000 }, (error, stdout, stderr) =>
        done({ code: error ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(output.stderr).toBe('');
    expect(output.code).toBe(0);
    expect(output.stdout).toMatch(/started run \S+/);
    const result = JSON.parse(output.stdout.trim().split('\n').at(-1)!) as { status: string; output: unknown };
    expect(result).toMatchObject({ status: 'completed', output: { amount: 120, approvedBy: 'ann' } });
  });

  it('wires the studio\'s try runs: the --activities handlers may be chosen, and the folder\'s flow tests run against the text', async () => {
    const { base } = await serve(['--embedded', 'workflows', '--activities', 'workflows/activities/index.ts'], { FLOWLINE_TOKENS: '' });
    const info = (await (await fetch(`${base}/v1/try`)).json()) as { registeredActivities: string[]; testsFromFolder: boolean };
    expect(info.testsFromFolder).toBe(true);
    expect(info.registeredActivities).toEqual(expect.arrayContaining(['inventory.reserve', 'payments.charge', 'shipping.create']));
    const document = readFileSync(resolve(ROOT, 'workflows/order-fulfilment.yaml'), 'utf8');
    const tests = (await (
      await fetch(`${base}/v1/try/tests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ document }) })
    ).json()) as { files: { file: string; cases: { name: string; passed: boolean; reasons: string[] }[] }[] };
    expect(tests.files.map((f) => f.file)).toEqual(['order-fulfilment.test.yaml']);
    expect(tests.files[0]?.cases.filter((c) => !c.passed).map((c) => [c.name, c.reasons])).toEqual([]);
    expect(tests.files[0]?.cases).toHaveLength(6);
  });
});
