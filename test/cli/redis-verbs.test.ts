/**
 * The Redis verbs run in this process (`main(argv)`, stdout/stderr captured) against a real Redis
 * and an in-process worker: retry, cancel, terminate, query, schedules, and the exit codes of
 * refusals, bad input and an unreachable Redis.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startWorker, type WorkerHandle } from '../../src/runtime/redis/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from '../redis/helpers.js';

const prefix = uniquePrefix('fltest-verbs');
let dir: string;
let worker: WorkerHandle;
let flaky = 0;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    const target = argv.includes('--redis') ? ['--prefix', prefix] : ['--redis', TEST_REDIS_URL, '--prefix', prefix];
    const code = await main([...argv, ...target]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = previous;
  }
}

const FLOW = `dsl: flowline/v1
name: verbs
version: 1
signals: { go: {} }
queries:
  phase: \${ $vars.phase }
steps:
  - set: { phase: started }
  - id: first
    call: verbs.flaky
  - if: \${ $input.hold }
    waitSignal: go
output: \${ $steps.first }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowline-verbs-'));
  await writeFile(join(dir, 'verbs.yaml'), FLOW);
  worker = await startWorker({
    url: TEST_REDIS_URL,
    prefix,
    maintenanceIntervalMs: 0,
    activities: {
      // Fails its first call only: the run fails, then `retry` completes it.
      'verbs.flaky': () => {
        flaky++;
        if (flaky === 1) throw Object.assign(new Error('first time fails'), { nonRetryable: true, type: 'Flaky' });
        return 'ok';
      },
    },
  });
});

afterAll(async () => {
  await worker.close({ force: true });
  const client = rawClient();
  await deletePrefix(client, prefix);
  await client.quit();
  await rm(dir, { recursive: true, force: true });
});

describe('Redis verbs', () => {
  it('start --wait exits 1 for a failed run; retry re-runs it from the failed step to completion', async () => {
    expect((await cli('deploy', join(dir, 'verbs.yaml'))).code).toBe(0);
    const failed = await cli('start', 'verbs', '--id', 'v-1', '--input', '{"hold":false}', '--wait', '--json');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ runId: 'v-1', status: 'failed', error: { type: 'Flaky' } });
    const retried = await cli('retry', 'v-1');
    expect(retried.code, retried.stderr).toBe(0);
    const result = await cli('result', 'v-1', '--wait', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ runId: 'v-1', status: 'completed', output: 'ok', error: null });
    expect(JSON.parse((await cli('describe', 'v-1', '--json')).stdout)).toMatchObject({ attempt: 2, status: 'completed' });
    // A completed run cannot be retried.
    expect((await cli('retry', 'v-1')).code).toBe(2);
  });

  it('query, cancel and terminate; refusals exit 2', async () => {
    expect((await cli('start', 'verbs', '--id', 'v-2', '--input', '{"hold":true}')).code).toBe(0);
    const running = await cli('result', 'v-2', '--json');
    expect(running.code).toBe(1);
    expect(JSON.parse(running.stdout)).toMatchObject({ status: 'running', output: null });
    expect(JSON.parse((await cli('query', 'v-2', 'phase')).stdout)).toBe('started');
    expect((await cli('query', 'v-2', 'nope')).code).toBe(2);
    const badData = await cli('signal', 'v-2', 'go', '--data', '{not json');
    expect(badData.code).toBe(2);
    expect(badData.stderr).toContain('not valid JSON');
    expect((await cli('signal', 'v-2', 'stop')).stderr).toContain('SignalNotDeclared');
    expect((await cli('cancel', 'v-2', '--reason', 'test')).code).toBe(0);
    const cancelled = await cli('result', 'v-2', '--wait', '--json');
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ status: 'cancelled' });
    expect((await cli('cancel', 'v-2')).stderr).toContain('RunNotActive');
    expect((await cli('terminate', 'no-such-run')).code).toBe(2);
    const listed = JSON.parse((await cli('list', '--status', 'cancelled', '--json')).stdout) as { runId: string }[];
    expect(listed.map((r) => r.runId)).toEqual(['v-2']);
    expect((await cli('list', '--status', 'sleeping')).code).toBe(2);
  });

  it('migrate: --dry-run prints the plan or the blocking step (exit 1), a move continues on the new version; by flow and version too', async () => {
    const moving = (version: number, extra: string, waitId = 'hold', message = 'Thnaks') => `dsl: flowline/v1
name: moving
version: ${version}
signals: { go: {} }
steps:
${extra}  - id: ${waitId}
    waitSignal: go
  - set: { message: ${message} }
output: \${ $vars.message }
`;
    await writeFile(join(dir, 'moving-1.yaml'), moving(1, ''));
    await writeFile(join(dir, 'moving-2.yaml'), moving(2, '  - set: { added: true }\n', 'hold', 'Thanks'));
    await writeFile(join(dir, 'moving-3.yaml'), moving(3, '', 'held'));
    expect((await cli('deploy', join(dir, 'moving-1.yaml'), join(dir, 'moving-2.yaml'), join(dir, 'moving-3.yaml'))).code).toBe(0);
    expect((await cli('start', 'moving', '--version', '1', '--id', 'm-1')).code).toBe(0);
    expect((await cli('start', 'moving', '--version', '1', '--id', 'm-2')).code).toBe(0);
    const blocked = await cli('migrate', 'm-1', '--to-version', '3', '--dry-run');
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain('m-1: cannot move from v1 to v3');
    expect(blocked.stdout).toContain('blocked by hold: the run is in this step but v3 has no step with id hold');
    const refused = await cli('migrate', 'm-1', '--to-version', '3', '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ runId: 'm-1', outcome: 'blocked', blockers: [{ step: 'hold' }] });
    const plan = await cli('migrate', 'm-1', '--to-version', '2', '--dry-run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('m-1: can move from v1 to v2 (dry run, nothing changed)');
    expect(plan.stdout).toContain('hold (waitSignal): /steps/0 -> /steps/1');
    expect(plan.stdout).toContain('warning: v2 does not declare migrateFrom');
    expect(JSON.parse((await cli('describe', 'm-1', '--json')).stdout)).toMatchObject({ version: 1 });
    const moved = await cli('migrate', 'm-1', '--to-version', '2');
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toContain('m-1: moved from v1 to v2');
    const many = await cli('migrate', '--name', 'moving', '--from-version', '1', '--to-version', '2', '--json');
    expect(many.code, many.stderr).toBe(0);
    expect(JSON.parse(many.stdout)).toEqual([expect.objectContaining({ runId: 'm-2', outcome: 'migrated' })]);
    expect((await cli('signal', 'm-1', 'go')).code).toBe(0);
    expect(JSON.parse((await cli('result', 'm-1', '--wait', '--json')).stdout)).toMatchObject({ status: 'completed', output: 'Thanks' });
    expect((await cli('migrate', '--to-version', '2')).code).toBe(2);
    expect((await cli('terminate', 'm-2')).code).toBe(0);
  });

  it('list --where filters by search attributes; a condition it cannot read exits 2', async () => {
    await writeFile(join(dir, 'searchable.yaml'), `dsl: flowline/v1
name: searchable
version: 1
signals: { go: {} }
searchAttributes:
  customer: { type: keyword, value: '\${ $input.customer }' }
  total: { type: number, value: '\${ $input.total }' }
steps:
  - waitSignal: go
`);
    expect((await cli('deploy', join(dir, 'searchable.yaml'))).code).toBe(0);
    expect((await cli('start', 'searchable', '--id', 's-ann', '--input', '{"customer":"ann","total":150}')).code).toBe(0);
    expect((await cli('start', 'searchable', '--id', 's-ann2', '--input', '{"customer":"ann","total":50}')).code).toBe(0);
    const listed = await cli('list', '--where', 'customer=ann', '--where', 'total>100', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { runId: string }[]).map((r) => r.runId)).toEqual(['s-ann']);
    const text = await cli('list', '--where', 'customer=ann');
    expect(text.stdout).toContain('customer=ann total=50');
    const bad = await cli('list', '--where', 'total>');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('WhereInvalid');
    for (const id of ['s-ann', 's-ann2']) expect((await cli('terminate', id)).code).toBe(0);
  });

  it('replay <runId> exits 0 for a clean history, 3 with expected vs got against an edited --flow; history --export replays from a file', async () => {
    expect((await cli('deploy', join(dir, 'verbs.yaml'))).code).toBe(0);
    // Completed, or failed when this test runs alone (verbs.flaky fails its first call): either replays.
    const done = await cli('start', 'verbs', '--id', 'v-replay', '--input', '{"hold":false}', '--wait', '--json');
    expect(['completed', 'failed']).toContain(JSON.parse(done.stdout).status);
    const clean = await cli('replay', 'v-replay');
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('replays deterministically against verbs v1');
    await writeFile(join(dir, 'renamed.yaml'), FLOW.replace('call: verbs.flaky', 'call: verbs.renamed'));
    const differs = await cli('replay', 'v-replay', '--flow', join(dir, 'renamed.yaml'), '--json');
    expect(differs.code).toBe(3);
    expect(JSON.parse(differs.stdout)).toMatchObject({
      runId: 'v-replay',
      deterministic: false,
      divergence: { stepId: 'first', field: 'details.activity', expected: expect.stringContaining('"verbs.flaky"'), got: expect.stringContaining('"verbs.renamed"') },
    });
    const exported = await cli('history', 'v-replay', '--export');
    expect(JSON.parse(exported.stdout)).toMatchObject({ format: 'flowline-history/v1', runId: 'v-replay', workflow: { name: 'verbs', version: 1 } });
    await writeFile(join(dir, 'v-replay.json'), exported.stdout);
    expect((await cli('replay', join(dir, 'v-replay.json'))).code).toBe(0);
    const fromFile = await cli('replay', join(dir, 'v-replay.json'), '--flow', join(dir, 'renamed.yaml'));
    expect(fromFile.code).toBe(3);
    expect(fromFile.stdout).toMatch(/step first \(\/steps\/1\)/);
    expect((await cli('replay', 'no-such-run')).code).toBe(2);
  });

  it('schedule create, list and delete', async () => {
    const created = await cli('schedule', 'create', 'every-minute', '--workflow', 'verbs', '--every', '1m', '--input', '{"hold":false}', '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 'every-minute', workflow: 'verbs', every: 60_000, overlap: 'skip' });
    const listed = JSON.parse((await cli('schedule', 'list', '--json')).stdout) as { id: string; next: string | null }[];
    expect(listed.map((s) => s.id)).toEqual(['every-minute']);
    expect((await cli('schedule', 'create', 'bad', '--workflow', 'verbs', '--every', 'soon')).code).toBe(2);
    expect((await cli('schedule', 'create', 'bad', '--workflow', 'verbs')).code).toBe(2);
    expect((await cli('schedule', 'delete', 'every-minute')).code).toBe(0);
    expect((await cli('schedule', 'delete', 'every-minute')).code).toBe(2);
  });

  it('says when Redis cannot be reached, with exit code 2', async () => {
    const offline = await cli('describe', 'x', '--redis', 'redis://127.0.0.1:1');
    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain('cannot reach Redis at redis://127.0.0.1:1');
  });
});
