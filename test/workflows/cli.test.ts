/**
 * The examples through the command line, as the README and guides show them: `flowline run`, `flowline graph`.
 * In-process (main(), as bin/flowline.js calls it); the bin itself: test/cli/bin.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { toMermaid } from '../../src/graph/index.js';
import { runInProcess } from './cli-in-process.js';
import { example } from './helpers.js';

describe('examples on the command line', () => {
  it('flowline run runs scheduled-report once with the shared activity module', async () => {
    const { code, stdout, stderr } = await runInProcess([
      'run',
      'workflows/scheduled-report.yaml',
      '--activities',
      'workflows/activities/index.ts',
      '--input',
      '{"date":"2026-03-01","recipients":["ops@example.com"]}',
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      status: 'completed',
      output: { day: '2026-03-01', delivery: 'sent', headline: '42 orders, 12 tickets' },
      error: null,
    });
  });

  it('flowline run exits 1 and reports the error of a compensated order', async () => {
    const { code, stdout } = await runInProcess([
      'run',
      'workflows/order-fulfilment.yaml',
      '--activities',
      'workflows/activities/index.ts',
      '--input',
      '{"orderId":"o-9","sku":"A1","qty":1,"customer":"mallory"}',
      '--signal',
      'approve={"by":"bob"}',
      '--skip-timers',
      '--json',
    ]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'compensated', error: { type: 'CardDeclined', step: 'pay' } });
  });

  it('flowline graph prints the same diagram as the library', async () => {
    const { code, stdout } = await runInProcess(['graph', 'workflows/order-fulfilment.yaml']);
    expect(code).toBe(0);
    expect(stdout).toBe(toMermaid(await example('order-fulfilment')));
    const bad = await runInProcess(['graph', 'workflows/order-fulfilment.yaml', '--format', 'dot']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format dot is not supported (formats: mermaid)');
  });

  it('flowline graph --json wraps the diagram; an invalid flow exits 2 with file:line:col', async () => {
    const json = await runInProcess(['graph', 'workflows/hello-world.yaml', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ file: 'workflows/hello-world.yaml', name: 'hello-world', version: 1, format: 'mermaid' });
    const invalid = await runInProcess(['graph', 'test/workflows/fixtures/pitfalls/p4.yaml']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('test/workflows/fixtures/pitfalls/p4.yaml:6:5  unknown key `cal` in a step  (did you mean `call`?)');
    const missing = await runInProcess(['graph', 'workflows/nope.yaml']);
    expect(missing.code).toBe(2);
  });

  // Without --skip-timers every example waits out its real backoffs and timeouts (batch retries
  // after 5 s) and prints its result. order-fulfilment and human-approval wait 24 h for people:
  // test/cli/run-real-time.test.ts covers that wait.
  it.each([
    ['hello-world', '{"name":"Ada"}'],
    ['batch', '{"catalogue":"spring","chunkSize":25}'],
    ['data-pipeline', '{"source":"customers-2024"}'],
    ['service-orchestration', '{"customerId":"cust-2"}'],
    ['scheduled-report', '{"date":"2026-03-01"}'],
  ])('flowline run %s in real time prints its result', async (name, input) => {
    const { code, stdout } = await runInProcess(['run', `workflows/${name}.yaml`, '--activities', 'workflows/activities/index.ts', '--input', input, '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'completed', error: null });
    expect(code).toBe(0);
  });

  it('flowline run finds the activities next to the flow without --activities (workflows/activities/index.ts)', async () => {
    const { code, stdout } = await runInProcess([
      'run',
      'workflows/order-fulfilment.yaml',
      '--input',
      '{"orderId":"o-2","sku":"A1","qty":1,"customer":"ann"}',
      '--signal',
      'approve={"by":"bob"}',
      '--skip-timers',
      '--json',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'completed', error: null });
    expect(code).toBe(0);
  });

  it('flowline run names a failed step by where it sits, not by its JSON pointer', async () => {
    const { code, stderr } = await runInProcess(['run', 'test/cli/fixtures/fails-in-try.yaml']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/is failed at step 2 \(try\) › step 1 \(fail\): Broken: it broke/);
    expect(stderr).not.toContain('/steps/');
  });
});
