/**
 * A runaway expression fails its step; it never takes the process down or holds it. Driven for
 * real through bin/flowline.js, because the fault (V8 aborting on a huge string) kills the process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/flowline.js');
// Far above the ~2 s a run takes here (tsx start-up included), far below the ~40 s the
// backtracking regex took: long enough only for a hang to trip it.
const HANG_BOUND_MS = 30_000;

interface Ran {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function flowline(args: string[]): Promise<Ran> {
  return new Promise((done) => {
    const options = { cwd: ROOT, timeout: HANG_BOUND_MS, killSignal: 'SIGKILL' as const, env: { ...process.env, FLOWLINE_LOG_LEVEL: '' } };
    execFile(process.execPath, [BIN, ...args], options, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: unknown; signal?: string | null }) | null;
      done({ code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0, signal: failure?.signal ?? null, stdout, stderr });
    });
  });
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowline-runaway-'));
  await writeFile(
    join(dir, 'doubling.yaml'),
    [
      'dsl: flowline/v1',
      'name: doubling',
      'version: 1',
      'steps:',
      '  - id: grow',
      '    set:',
      // Before: JSONata's $length spreads the 268-million-character text into an array and V8
      // aborts the process (SIGTRAP, "invalid size error") after ~26 s and 2.2 GB.
      "      length: '${ ( $f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f(\"ab\", 27)) ) }'",
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'backtracking.yaml'),
    [
      'dsl: flowline/v1',
      'name: backtracking',
      'version: 1',
      `output: '\${ $contains("${'a'.repeat(30)}!", /^(a+)+$/) }'`,
      'steps:',
      '  - set: { checked: true }',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('flowline run with a runaway expression', { timeout: HANG_BOUND_MS + 10_000 }, () => {
  it('fails the run with ExpressionError and exits 1 when a recursion keeps doubling a text (V8 used to abort the process)', async () => {
    const ran = await flowline(['run', join(dir, 'doubling.yaml'), '--json']);
    expect(ran.signal).toBeNull();
    expect(ran.code).toBe(1);
    const body = JSON.parse(ran.stdout) as { status: string; error: { type: string; message: string; step: string } };
    expect(body.status).toBe('failed');
    expect(body.error).toMatchObject({ type: 'ExpressionError', step: 'grow' });
    expect(body.error.message).toMatch(/built a text of about \d+ characters, above the limit/);
    expect(ran.stderr).not.toMatch(/FATAL|invalid size error/i);
  });

  it('completes a run whose regex literal backtracks catastrophically on JavaScript RegExp', async () => {
    const ran = await flowline(['run', join(dir, 'backtracking.yaml')]);
    expect(ran.signal).toBeNull();
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toBe(false);
  });
});
