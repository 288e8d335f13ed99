/**
 * Runs that wait in real time, through real processes (no --skip-timers): a `wait:`, a retry
 * backoff, a signal timeout that fires, the README's order example left waiting for its approval,
 * and `engine.run` from a script. Before the embedded clock's timers kept the process alive, each
 * of these exited 13 with nothing printed.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/flowline.js');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function flowline(args: string[]): Promise<Ran> {
  return new Promise((done) => {
    const options = { cwd: ROOT, timeout: 60_000, env: { ...process.env, FLOWLINE_LOG_LEVEL: '' } };
    execFile(process.execPath, [BIN, ...args], options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

let dir: string;
const file = (name: string): string => join(dir, name);

const WAITS = `
dsl: flowline/v1
name: real-waits
version: 1
steps:
  - id: nap
    wait: 1500ms
  - id: until
    wait: { until: '\${ $fromMillis($millis() + 500) }' }
output: '\${ { "napped": true } }'
`;

const BACKOFF = `
dsl: flowline/v1
name: real-backoff
version: 1
steps:
  - id: flaky
    call: flaky.once
    retry: { maxAttempts: 3, initialInterval: 2s }
output: '\${ $steps.flaky }'
`;

// Fails on its first attempt in this process, succeeds on the second: the retry waits 2 s in between.
const FLAKY_ACTIVITIES = `
let attempts = 0;
export default {
  'flaky.once': async (_input, ctx) => {
    attempts++;
    if (ctx.attempt === 1) throw Object.assign(new Error('first attempt fails'), { name: 'Flaky' });
    return { attempt: ctx.attempt, calls: attempts };
  },
};
`;

const SIGNAL_TIMEOUT = `
dsl: flowline/v1
name: real-signal-timeout
version: 1
signals:
  go: { schema: { type: object } }
steps:
  - id: answer
    waitSignal: go
    timeout: 1s
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowline-real-time-'));
  await writeFile(file('waits.yaml'), WAITS);
  await writeFile(file('backoff.yaml'), BACKOFF);
  await writeFile(file('flaky.mjs'), FLAKY_ACTIVITIES);
  await writeFile(file('signal-timeout.yaml'), SIGNAL_TIMEOUT);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('flowline run waits in real time', () => {
  it('waits for `wait:` timers and prints the output', async () => {
    const started = Date.now();
    const ran = await flowline(['run', file('waits.yaml')]);
    expect(ran.stderr).toContain('is waiting until');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ napped: true });
    // The timers really ran on the wall clock (1.5 s + 0.5 s), they were not skipped.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  it('waits out a retry backoff and completes on the second attempt', async () => {
    const ran = await flowline(['run', file('backoff.yaml'), '--activities', file('flaky.mjs'), '--json']);
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ status: 'completed', output: { attempt: 2, calls: 2 } });
    expect(ran.stderr).toContain('waiting to retry a failed step');
  });

  it('fails a run whose signal timeout fires, and says so', async () => {
    const ran = await flowline(['run', file('signal-timeout.yaml'), '--json']);
    expect(ran.code).toBe(1);
    expect(JSON.parse(ran.stdout)).toMatchObject({ status: 'failed', error: { type: 'SignalTimeout', step: 'answer' } });
  });

  it('keeps the README order example waiting for its approval, says why, and cancels it on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'run',
        'workflows/order-fulfilment.yaml',
        '--activities',
        'workflows/activities/index.ts',
        '--input',
        '{"orderId":"o-1","sku":"A1","qty":2,"customer":"ann"}',
        '--json',
      ],
      { cwd: ROOT, env: { ...process.env, FLOWLINE_LOG_LEVEL: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Synchronisation: the notice that the run is waiting (it waits 24 h for `approve`).
    await new Promise<void>((done, fail) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('is waiting')) done();
      });
      void exited.then((code) => fail(new Error(`exited ${code} before waiting; stderr: ${stderr}`)));
    });
    expect(stderr).toMatch(/--signal name=JSON/);
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as { status: string };
    expect(result.status).toBe('cancelled');
  });
});

describe('engine.run from a script', () => {
  it('keeps the process alive while the run waits on a timer', async () => {
    const script = `
      import { createEmbeddedEngine, loadDefinition } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
      const engine = createEmbeddedEngine();
      const definition = loadDefinition(${JSON.stringify(WAITS)});
      const result = await engine.run(definition);
      console.log(JSON.stringify(result));
      await engine.close();
    `;
    await writeFile(file('script.mts'), script);
    const ran = await new Promise<Ran>((done) => {
      execFile(process.execPath, ['--import', 'tsx', file('script.mts')], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      });
    });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ status: 'completed', output: { napped: true } });
  });
});
