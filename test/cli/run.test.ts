/**
 * `flowline run` through the CLI's main() in this process: output, --json, exit codes, inputs,
 * signals, child flows. The bin itself (a process, its exit code, activity logs on stderr):
 * test/cli/bin.test.ts.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../workflows/cli-in-process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ACTIVITIES = join(ROOT, 'test/fixtures/activities/run-activities.ts');

function flowline(args: string[]): ReturnType<typeof runInProcess> {
  return runInProcess(args, { cwd: ROOT, env: { FLOWLINE_LOG_LEVEL: undefined } });
}

let dir: string;
const file = (name: string): string => join(dir, name);

/** A two-step order flow the verbs run (shared by run.test.ts and bin.test.ts). */
const ORDER = readFileSync(new URL('./fixtures/cli-order.yaml', import.meta.url), 'utf8');

const APPROVAL = `
dsl: flowline/v1
name: cli-approval
version: 1
signals:
  note: { schema: { type: string } }
  approve: { schema: { type: object, required: [by], properties: { by: { type: string } } } }
steps:
  - id: first
    waitSignal: note
  - id: second
    waitSignal: note
  - id: approval
    waitSignal: approve
    timeout: 48h
  - wait: 1h
output: '\${ [$steps.first, $steps.second, $steps.approval.by] }'
`;

const PARENT = `
dsl: flowline/v1
name: cli-parent
version: 1
steps:
  - id: local
    workflow: cli-child
    with: hello
  - id: other
    workflow: cli-elsewhere
output: '\${ [$steps.local, $steps.other] }'
`;

const CHILD = `
dsl: flowline/v1
name: cli-child
version: 1
steps:
  - call: text.shout
    with: '\${ $input }'
`;

const ELSEWHERE = `{"dsl":"flowline/v1","name":"cli-elsewhere","version":1,"steps":[{"return":"from --flows"}]}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowline-run-'));
  await mkdir(file('more'));
  await writeFile(file('order.yaml'), ORDER);
  await writeFile(file('approval.yaml'), APPROVAL);
  await writeFile(file('parent.yaml'), PARENT);
  await writeFile(file('child.yml'), CHILD);
  await writeFile(file('child.test.yaml'), 'flow: ./child.yml\ncases: []\n');
  await writeFile(file('broken.yaml'), 'dsl: flowline/v1\nname: [oops\n');
  await writeFile(file('notes.json'), '{"not": "a workflow"}');
  await writeFile(file('more/elsewhere.json'), ELSEWHERE);
  await writeFile(
    file('stuck.yaml'),
    'dsl: flowline/v1\nname: cli-stuck\nversion: 1\nsignals: { go: {} }\nsteps:\n  - waitSignal: go\n',
  );
  await writeFile(file('input.json'), JSON.stringify({ sku: 'B2', qty: 3 }));
  await writeFile(file('invalid.yaml'), 'dsl: flowline/v1\nname: bad\nversion: 1\nsteps:\n  - call: a.b\n    colour: red\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('flowline run', () => {
  it('--json prints { runId, status, output, error } and exits 1 when the run fails; --input @file', async () => {
    await writeFile(file('big.json'), JSON.stringify({ sku: 'C3', qty: 50 }));
    const failed = await flowline(['run', file('order.yaml'), '--input', `@${file('big.json')}`, '--activities', ACTIVITIES, '--json']);
    expect(failed.code).toBe(1);
    const body = JSON.parse(failed.stdout) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'output', 'runId', 'status']);
    expect(body).toMatchObject({ status: 'failed', output: null, error: { type: 'CardDeclined', message: 'amount 500 declined', step: 'pay' } });
    expect(typeof body.runId).toBe('string');

    const ok = await flowline(['run', file('order.yaml'), '--input', `@${file('input.json')}`, '--activities', ACTIVITIES, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'completed', output: { reservation: 'res-B2-3' }, error: null });
  });

  it('delivers --signal values right after the start, in order; --skip-timers skips the waits', async () => {
    const ran = await flowline([
      'run',
      file('approval.yaml'),
      '--signal',
      'note="one"',
      '--signal',
      'approve={"by":"ann"}',
      '--signal',
      'note="two"',
      '--skip-timers',
    ]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual(['one', 'two', 'ann']);
  });

  it('resolves child flows from the file’s directory and --flows, skipping flow tests and files that are not workflows', async () => {
    const ran = await flowline(['run', file('parent.yaml'), '--activities', ACTIVITIES, '--flows', file('more'), '--json']);
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ status: 'completed', output: ['HELLO!', 'from --flows'] });
    const missing = await flowline(['run', file('parent.yaml'), '--activities', ACTIVITIES, '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ status: 'failed', error: { type: 'ChildFailed', step: 'other' } });
  });

  it('ends a run that nothing can wake (waiting for a signal no one can send) instead of hanging', async () => {
    const ran = await flowline(['run', file('stuck.yaml'), '--json']);
    expect(ran.code).toBe(1);
    expect(JSON.parse(ran.stdout)).toMatchObject({ status: 'cancelled' });
    expect(ran.stderr).toContain('declared: go');
  });

  it('exits 2 for an invalid document, naming file:line:col', async () => {
    const ran = await flowline(['run', file('invalid.yaml')]);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toMatch(/invalid\.yaml:\d+:\d+ /);
  });

  it('exits 2 for invalid input, malformed JSON, an undeclared or invalid signal, or a missing activities module', async () => {
    const cases: string[][] = [
      ['run', file('order.yaml'), '--input', '{"sku":"A1","qty":0}', '--activities', ACTIVITIES],
      ['run', file('order.yaml'), '--input', '{not json', '--activities', ACTIVITIES],
      ['run', file('approval.yaml'), '--signal', 'nope={}'],
      ['run', file('approval.yaml'), '--signal', 'approve={"by":1}'],
      ['run', file('order.yaml'), '--activities', join(dir, 'missing.ts')],
    ];
    // One at a time: in-process commands share stdout, stderr and process.exitCode.
    const results = [];
    for (const args of cases) results.push(await flowline(args));
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(results[0]!.stderr).toContain('InputInvalid');
    expect(results[1]!.stderr).toContain('not valid JSON');
    expect(results[2]!.stderr).toContain('SignalNotDeclared');
    expect(results[3]!.stderr).toContain('SignalPayloadInvalid');
    expect(results[4]!.stderr).toContain('missing.ts');
    for (const result of results) expect(result.stdout).toBe('');
  });
});
