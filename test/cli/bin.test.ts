/**
 * The published bin (bin/flowline.js) as a real process, one smoke per verb family: it starts
 * (tsx for the sources, TypeScript activity modules), its exit code is the verb's, and activity
 * logs reach the process's stderr (pino writes to fd 2, which an in-process run cannot see).
 * Everything else about the verbs runs in-process (run.test.ts, validate.test.ts,
 * flowtest/run.test.ts); serve and the Redis verbs have their own process files (serve-process,
 * redis-quickstart).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/flowline.js');
const ACTIVITIES = join(ROOT, 'test/fixtures/activities/run-activities.ts');
const SHOP = 'test/flowtest/fixtures/shop';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function flowline(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((done) => {
    const options = { cwd: ROOT, timeout: 150_000, env: { ...process.env, FLOWLINE_LOG_LEVEL: '', NO_COLOR: '1', ...env } };
    execFile(process.execPath, [BIN, ...args], options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
      done({ code, stdout, stderr });
    });
  });
}

let dir: string;
const file = (name: string): string => join(dir, name);

/** A two-step order flow the verbs run (shared by run.test.ts and bin.test.ts). */
const ORDER = readFileSync(new URL('./fixtures/cli-order.yaml', import.meta.url), 'utf8');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowline-bin-'));
  await writeFile(file('order.yaml'), ORDER);
  await writeFile(file('invalid.yaml'), 'dsl: flowline/v1\nname: bad\nversion: 1\nsteps:\n  - call: a.b\n    colour: red\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Concurrent: each case waits mostly for a new process to start (seconds under tsx on a loaded machine).
describe.concurrent('bin/flowline.js', { timeout: 180_000 }, () => {
  it('run: prints the output as JSON and exits 0 (TS activities module, inline input); ctx.log lines go to stderr', async () => {
    const ran = await flowline(['run', file('order.yaml'), '--input', '{"sku":"A1","qty":2}', '--activities', ACTIVITIES], {
      FLOWLINE_LOG_LEVEL: 'info',
    });
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ reservation: 'res-A1-2', charge: 'ch-20' });
    // ctx.log writes JSON lines to stderr, carrying the attempt's identity; stdout stays clean.
    const line = JSON.parse(ran.stderr.split('\n').find((l) => l.includes('reserving')) ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'reserving', sku: 'A1', stepId: 'reserve', attempt: 1, activity: 'inventory.reserve' });
    expect(typeof line.runId).toBe('string');
  });

  it('run: exits 1 when the run fails; at the default log level no info line is written', async () => {
    const failed = await flowline(['run', file('order.yaml'), '--input', '{"sku":"C3","qty":50}', '--activities', ACTIVITIES, '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', output: null, error: { type: 'CardDeclined', step: 'pay' } });
    expect(failed.stderr).not.toContain('reserving'); // default level is warn
  });

  it('validate: exits 2 for an invalid document, naming file:line:col, and 0 for a valid one', async () => {
    const [invalid, valid] = await Promise.all([flowline(['validate', file('invalid.yaml')]), flowline(['validate', 'workflows/hello-world.yaml'])]);
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toMatch(/invalid\.yaml:\d+:\d+ {2}/);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('workflows/hello-world.yaml: valid');
  });

  it('test: prints one line per case and the summary last, exits 1 on a failure, writes JUnit XML', async () => {
    const junit = join(dir, 'reports', 'flows.xml');
    const { code, stdout } = await flowline(['test', SHOP, '--junit', junit]);
    const lines = stdout.trimEnd().split('\n');
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe('7 passed, 4 failed');
    expect(lines).toContain(`✓ ${SHOP}/passing.test.yaml › confirmed order is charged the child flow's price`);
    expect(lines).toContain(
      `✗ ${SHOP}/failing.test.yaml › wrong status and output — status: expected failed, got completed; output.amount: expected 41, got 40`,
    );
    expect(lines.filter((l) => /^[✓✗] /.test(l))).toHaveLength(11);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('tests="11" failures="4" errors="0"');
  });
});
