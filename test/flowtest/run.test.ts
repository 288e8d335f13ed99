/** Running flow test files: passing and failing cases, invalid files, the CLI's lines, exit codes, --json and JUnit XML. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverFlowTests, junitXml, runFlowTestFile, type FileResult } from '../../src/flowtest/index.js';
import { runInProcess } from '../workflows/cli-in-process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOP = 'test/flowtest/fixtures/shop';
const BROKEN = 'test/flowtest/fixtures/broken';

/** A minimal XML well-formedness check: every open tag is closed in order. */
function balancedTags(xml: string): boolean {
  const stack: string[] = [];
  for (const match of xml.matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match as unknown as [string, string, string, string];
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  return stack.length === 0;
}

describe('flow test files on the embedded runtime', () => {
  it('passes every case of a good file: child flows, signals, mocks, retries, compensation, refused starts', async () => {
    const result = await runFlowTestFile(`${SHOP}/passing.test.yaml`);
    expect(result.invalid).toBeUndefined();
    expect(result.cases.map((c) => [c.name, c.passed, c.reasons])).toEqual(result.cases.map((c) => [c.name, true, []]));
    expect(result.cases).toHaveLength(6);
    expect(result.cases[2]?.actual?.calls).toEqual(['stock.reserve', 'stock.reserve', 'prices.lookup', 'payments.charge', 'stock.release']);
  });

  it('reports each failing case with expected and actual values', async () => {
    const result = await runFlowTestFile(`${SHOP}/failing.test.yaml`);
    expect(result.cases.map((c) => c.passed)).toEqual([false, false, true, false, false]);
    expect(result.cases[0]?.reasons).toEqual(['status: expected failed, got completed', 'output.amount: expected 41, got 40']);
    expect(result.cases[1]?.reasons).toEqual([
      'calls: expected [stock.reserve, payments.charge], got [stock.reserve, prices.lookup, payments.charge]',
    ]);
    expect(result.cases[3]?.reasons[1]).toBe('error: expected {"type":"CardDeclined"}, got no error');
    expect(result.cases[4]?.reasons).toEqual(['mocks: the flow calls no activity named "payment.charge" (did you mean `payments.charge`?)']);
  });

  it('reports an invalid test file, a missing flow and an invalid flow without running anything', async () => {
    const invalid = await runFlowTestFile(`${BROKEN}/invalid.test.yaml`);
    expect(invalid.cases).toEqual([]);
    expect(invalid.invalid).toEqual([
      `${BROKEN}/invalid.test.yaml:4:5  unknown key \`mock\`  (did you mean \`mocks\`?)`,
      `${BROKEN}/invalid.test.yaml:7:15  \`status\` must be one of running, completed, failed, compensated, compensation_failed, cancelled, terminated, timed_out`,
    ]);
    const missing = await runFlowTestFile(`${BROKEN}/missing-flow.test.yaml`);
    expect(missing.invalid?.[0]).toContain('nowhere.yaml');
    const badFlow = await runFlowTestFile(`${BROKEN}/bad-flow.test.yaml`);
    expect(badFlow.invalid?.[0]).toBe(`${BROKEN}/bad-flow.yaml:5:5  unknown key \`cal\` in a step  (did you mean \`call\`?)`);
  });

  it('finds test files recursively, sorted, skipping node_modules and hidden folders', async () => {
    const files = await discoverFlowTests(['test/flowtest/fixtures']);
    expect(files).toEqual([
      `${BROKEN}/bad-flow.test.yaml`,
      `${BROKEN}/invalid.test.yaml`,
      `${BROKEN}/missing-flow.test.yaml`,
      `${SHOP}/failing.test.yaml`,
      `${SHOP}/passing.test.yaml`,
      'test/flowtest/fixtures/waiting/forever.test.yaml',
    ]);
    await expect(discoverFlowTests(['no/such/place'])).rejects.toThrow('no such file or directory');
  });
});

describe('JUnit XML', () => {
  it('has one testsuite per file, one testcase per case, failures and errors counted', async () => {
    const results: FileResult[] = [
      await runFlowTestFile(`${SHOP}/failing.test.yaml`),
      await runFlowTestFile(`${BROKEN}/invalid.test.yaml`),
    ];
    const xml = junitXml(results, '2026-01-01T00:00:00.000Z');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="flowline test" tests="6" failures="4" errors="1"')).toBe(true);
    expect(balancedTags(xml)).toBe(true);
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml.match(/<failure /g)).toHaveLength(4);
    expect(xml.match(/<error /g)).toHaveLength(1);
    expect(xml).toContain(`<testsuite name="${SHOP}/failing.test.yaml" tests="5" failures="4" errors="0"`);
    expect(xml).toContain(`<testcase classname="${SHOP}/failing.test.yaml" name="passes in between"`);
    expect(xml).toContain('message="status: expected failed, got completed; output.amount: expected 41, got 40"');
    // Quotes and angle brackets in messages are escaped.
    expect(xml).toContain('error: expected {&quot;type&quot;:&quot;CardDeclined&quot;}, got no error');
  });
});

// In-process (main(), as bin/flowline.js calls it); the bin itself: test/cli/bin.test.ts.
describe('flowline test (CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flowline-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one line per case and the summary last, exits 1 on a failure, writes JUnit XML', async () => {
    const junit = join(dir, 'reports', 'flows.xml');
    const { code, stdout } = await runInProcess(['test', SHOP, '--junit', junit]);
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

  it('exits 0 when every case passes, and 2 for invalid test files', async () => {
    const ok = await runInProcess(['test', `${SHOP}/passing.test.yaml`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trimEnd().split('\n').at(-1)).toBe('6 passed, 0 failed');
    const broken = await runInProcess(['test', BROKEN]);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toContain(`✗ ${BROKEN}/invalid.test.yaml — invalid test file:`);
    expect(broken.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 3 failed');
  });

  it('searches the current folder by default and prints JSON with --json', async () => {
    const { code, stdout } = await runInProcess(['test', '--json'], { cwd: join(ROOT, SHOP) });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { passed: number; failed: number; files: FileResult[] };
    expect([report.passed, report.failed]).toEqual([7, 4]);
    expect(report.files.map((f) => f.file)).toEqual(['failing.test.yaml', 'passing.test.yaml']);
  });

  it('bounds a case that never ends with --timeout; a case may expect status running', async () => {
    const { code, stdout } = await runInProcess(['test', 'test/flowtest/fixtures/waiting', '--timeout', '0.3']);
    expect(code).toBe(1);
    expect(stdout).toContain('✓ test/flowtest/fixtures/waiting/forever.test.yaml › still waiting, as expected');
    expect(stdout).toContain(
      '✗ test/flowtest/fixtures/waiting/forever.test.yaml › expected to finish without its signal — the run was still running after 0.3s (waiting for a signal the case does not send?)',
    );
  });

  it('exits 2 when there is no test file to run, or --timeout is not a number', async () => {
    const empty = await runInProcess(['test', 'test/graph']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no flow tests (*.test.yaml) found');
    const badTimeout = await runInProcess(['test', SHOP, '--timeout', 'soon']);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain('--timeout soon: give a positive number of seconds');
  });

  it('refuses a path that does not exist with exit 2', async () => {
    const { code, stderr } = await runInProcess(['test', 'no/such/dir']);
    expect(code).toBe(2);
    expect(stderr).toContain('no/such/dir: no such file or directory');
  });
});
