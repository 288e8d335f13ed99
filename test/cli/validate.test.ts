/** `flowline validate` driven through the CLI's main(), in this process. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../workflows/cli-in-process.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `flowline …` run in this process (same main() as bin/flowline.js; nothing here is about the process itself). */
function flowline(...args: string[]): Promise<Outcome> {
  return runInProcess(args, { cwd: repo });
}

const dir = mkdtempSync(join(tmpdir(), 'flowline-validate-cli-'));
const HEAD = 'dsl: flowline/v1\nname: t\nversion: 1\n';
const bad = join(dir, 'bad.yaml');
writeFileSync(bad, `${HEAD}steps:\n  - cal: inventory.reserve\n  - call: inventory.reserve\n    retry: { maxAttempts: 0 }\n  - wait: 5\n`);
const good = join(dir, 'good.yaml');
writeFileSync(good, `${HEAD}steps:\n  - call: inventory.reserve\n  - call: payments.charge\n    compensate: { call: payments.refnd }\n`);
// Not next to the flows under a conventional name: only --activities brings it in.
mkdirSync(join(dir, 'modules'));
const activities = join(dir, 'modules', 'shop.ts');
writeFileSync(
  activities,
  "const noop = async (input: unknown) => input;\nexport default { inventory: { reserve: noop }, 'payments.charge': noop, 'payments.refund': noop };\n",
);
const broken = join(dir, 'broken.mjs');
writeFileSync(broken, 'export const notActivities = 1;\n');

describe('flowline validate', () => {
  it('prints every problem as file:line:col  message  (hint), sorted, and exits 2', async () => {
    const { code, stdout, stderr } = await flowline('validate', bad, good);
    expect(code).toBe(2);
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      `${bad}:5:5  unknown key \`cal\` in a step  (did you mean \`call\`?)`,
      `${bad}:7:27  \`maxAttempts\` must be at least 1 (1 means a single attempt, no retry)`,
      expect.stringMatching(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8:11  \`wait\`: a duration needs a unit: write \`5s\``)),
      `${good}: valid`,
    ]);
    expect(stderr).toBe('3 problems in 1 of 2 files\n');
  });

  it('exits 0 for valid files and whole directories (flow tests skipped)', async () => {
    const { code, stdout } = await flowline('validate', 'workflows');
    expect(code).toBe(0);
    expect(stdout).toContain('workflows/hello-world.yaml: valid');
    expect(stdout).not.toContain('.test.yaml');
  });

  it('--json prints structured issues', async () => {
    const { code, stdout } = await flowline('validate', '--json', bad, good);
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as { valid: boolean; files: Array<{ file: string; valid: boolean; issues: Array<Record<string, unknown>> }> };
    expect(report.valid).toBe(false);
    expect(report.files.map((f) => [f.file, f.valid, f.issues.length])).toEqual([
      [bad, false, 3],
      [good, true, 0],
    ]);
    expect(report.files[0].issues[0]).toEqual({
      file: bad,
      line: 5,
      column: 5,
      pointer: '/steps/0/cal',
      message: 'unknown key `cal` in a step',
      hint: 'did you mean `call`?',
    });
  });

  it('--activities reports calls (compensations included) of unregistered activities', async () => {
    const { code, stdout } = await flowline('validate', '--activities', activities, good);
    expect(code).toBe(2);
    expect(stdout.trim()).toBe(`${good}:7:25  activity \`payments.refnd\` is not registered in ${activities}  (did you mean \`payments.refund\`?)`);
  });

  it("finds a flow's <flow>.activities.ts next to it without --activities, as flowline test does", async () => {
    const conventional = mkdtempSync(join(tmpdir(), 'flowline-validate-conventional-'));
    const flow = join(conventional, 'shop.yaml');
    writeFileSync(flow, `${HEAD}steps:\n  - call: inventory.reserve\n  - call: payments.charge\n    compensate: { call: payments.refnd }\n`);
    writeFileSync(join(conventional, 'shop.activities.ts'), "const noop = async (input: unknown) => input;\nexport default { 'inventory.reserve': noop, 'payments.charge': noop, 'payments.refund': noop };\n");
    const { code, stdout } = await flowline('validate', flow);
    expect(code).toBe(2);
    expect(stdout.trim()).toBe(`${flow}:7:25  activity \`payments.refnd\` is not registered in ${join(conventional, 'shop.activities.ts')}  (did you mean \`payments.refund\`?)`);
  });

  it('takes --activities more than once, and refuses an activity registered by two modules', async () => {
    const extra = join(dir, 'modules', 'refunds.mjs');
    writeFileSync(extra, "export default { 'payments.refnd': async () => null };\n");
    const both = await flowline('validate', '--activities', activities, '--activities', extra, good);
    expect(both.stdout.trim()).toBe(`${good}: valid`);
    expect(both.code).toBe(0);
    const twice = await flowline('validate', '--activities', activities, '--activities', activities, good);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('is registered by both');
  });

  it('refuses an activity module that exports no activities, in one line without a stack trace', async () => {
    const { code, stdout, stderr } = await flowline('validate', '--activities', broken, good);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^flowline validate: ActivityModuleInvalid: .*exports no activities/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('checks a flow test file named explicitly against the flow-test schema', async () => {
    const testFile = join(dir, 'flow.test.yaml');
    writeFileSync(testFile, 'flow: ./good.yaml\ncases:\n  - name: happy\n    expcet: { status: completed }\n');
    const { code, stdout } = await flowline('validate', testFile, 'workflows/order-fulfilment.test.yaml');
    expect(code).toBe(2);
    expect(stdout.trim().split('\n')).toEqual([`${testFile}:4:5  unknown key \`expcet\`  (did you mean \`expect\`?)`, 'workflows/order-fulfilment.test.yaml: valid']);
  });

  it('reports a missing file as an issue of that file', async () => {
    const missing = join(dir, 'nope.yaml');
    const { code, stdout, stderr } = await flowline('validate', missing);
    expect(code).toBe(2);
    expect(stdout.trim()).toBe(`${missing}:1:1  file not found`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
