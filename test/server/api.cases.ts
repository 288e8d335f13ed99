/**
 * The HTTP API (SPEC §12) through real HTTP requests to a real server, written once and run on both
 * runtimes (api-embedded.test.ts, api-redis.test.ts): every route, every refusal with its status
 * and problem type, signalId dedup, long polls, and event streams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityMap } from '../../src/activities/types.js';
import type { Engine } from '../../src/runtime/engine.js';
import { call, expectProblem, openEvents, startServer, waitFor, type LiveServer } from './helpers.js';

export interface ApiEngine {
  readonly engine: Engine;
  readonly payloadLimitBytes: number;
  close(): Promise<void>;
}

const tag = `h${process.pid.toString(36)}${Date.now().toString(36)}`;

export const FLOW = `dsl: flowline/v1
name: http-order-${tag}
version: 1
input: { schema: { type: object, properties: { qty: { type: integer } } } }
signals:
  approve: { schema: { type: object, required: [by], properties: { by: { type: string } } } }
queries:
  approvals: \${ $count($vars.approvals) }
steps:
  - set: { approvals: [] }
  - id: approval
    waitSignal: approve
    assign: { approvals: '\${ $append($vars.approvals, [$output.by]) }' }
  - id: charge
    call: test.flaky
    retry: { maxAttempts: 3, initialInterval: 1ms, jitter: 0 }
output: '\${ { "by": $steps.approval.by, "charged": $steps.charge.ok } }'
`;

export const FAILING = `dsl: flowline/v1
name: http-failing-${tag}
version: 1
steps:
  - id: fails
    call: test.switchable
`;

export const FLOW_NAME = `http-order-${tag}`;

/** Waits for a signal, then continues as new until generation 3, which ends with its generation. */
export const GENERATIONS = `dsl: flowline/v1
name: http-generations-${tag}
version: 1
signals:
  next: {}
steps:
  - waitSignal: next
  - if: \${ $exists($input.g) = false or $input.g < 3 }
    continueAsNew:
      input: { g: '\${ $exists($input.g) ? $input.g + 1 : 2 }' }
output: '\${ { "g": $input.g } }'
`;

/** Defines the suite; `make(activities)` returns a fresh engine on the runtime under test. */
export function defineApiSuite(name: string, make: (activities: ActivityMap) => Promise<ApiEngine>): void {
  describe(name, () => {
    let api: ApiEngine;
    let server: LiveServer;
    let base: string;
    let failSwitchable = true;
    const flakyAttempts = new Map<string, number>();

    beforeAll(async () => {
      api = await make({
        'test.flaky': async (_input, ctx) => {
          const n = (flakyAttempts.get(ctx.runId) ?? 0) + 1;
          flakyAttempts.set(ctx.runId, n);
          if (n === 1) throw new Error('the first attempt fails');
          return { ok: true };
        },
        'test.switchable': async () => {
          if (failSwitchable) throw new Error('switched off');
          return { ok: true };
        },
      });
      server = await startServer({ engine: api.engine, payloadLimitBytes: api.payloadLimitBytes, heartbeatMs: 50 });
      base = server.base;
      expect((await call(base, 'POST', '/v1/definitions', { raw: FLOW })).status).toBe(201);
      expect((await call(base, 'POST', '/v1/definitions', { raw: GENERATIONS })).status).toBe(201);
    });
    afterAll(async () => {
      await server?.close();
      await api?.close();
    });

    const start = async (body: Record<string, unknown> = {}) => {
      const reply = await call(base, 'POST', '/v1/runs', { json: { name: FLOW_NAME, input: {}, ...body } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      return reply.body.runId as string;
    };

    it('POST /v1/validate answers every issue with line, column and pointer, for YAML, JSON and plain text', async () => {
      const bad = await call(base, 'POST', '/v1/validate', { raw: 'dsl: flowline/v1\nname: x\nversion: 1\nsteps:\n  - call: 3\n' });
      expect(bad.status).toBe(200);
      expect(bad.body.valid).toBe(false);
      expect(bad.body.issues[0]).toMatchObject({ pointer: '/steps/0/call', line: 5 });
      expect((await call(base, 'POST', '/v1/validate', { raw: FLOW, contentType: 'text/plain' })).body).toEqual({ valid: true, issues: [] });
      const json = JSON.stringify({ dsl: 'flowline/v1', name: 'j', version: 1, steps: [{ set: { a: 1 } }] });
      expect((await call(base, 'POST', '/v1/validate', { raw: json, contentType: 'application/json' })).body).toEqual({ valid: true, issues: [] });
      expectProblem(await call(base, 'POST', '/v1/validate', { raw: '<x/>', contentType: 'application/xml' }), 415, 'UnsupportedMediaType');
    });

    it('POST /v1/definitions deploys (201), is a no-op for the same text (200), refuses a conflict (409) and an invalid document (422)', async () => {
      expect((await call(base, 'POST', '/v1/definitions', { raw: FLOW })).status).toBe(200);
      expectProblem(await call(base, 'POST', '/v1/definitions', { raw: FLOW.replace('qty', 'quantity') }), 409, 'DefinitionConflict');
      const invalid = await call(base, 'POST', '/v1/definitions', { raw: 'dsl: flowline/v1\nname: x\n' });
      expectProblem(invalid, 422, 'DefinitionInvalid');
      expect(invalid.body.issues.length).toBeGreaterThanOrEqual(2);
      expect(invalid.body.issues[0]).toHaveProperty('pointer');
    });

    it('GET /v1/definitions lists; GET /v1/definitions/{name}/{version} returns the text as deployed; 404 for an unknown version', async () => {
      const list = await call(base, 'GET', '/v1/definitions');
      expect(list.body.definitions).toContainEqual({ name: FLOW_NAME, versions: [1], latest: 1 });
      const read = await call(base, 'GET', `/v1/definitions/${FLOW_NAME}/1`);
      expect(read.body).toMatchObject({ name: FLOW_NAME, version: 1, source: FLOW });
      expectProblem(await call(base, 'GET', `/v1/definitions/${FLOW_NAME}/9`), 404, 'DefinitionNotFound');
    });

    it('POST /v1/runs starts (201); a running id is refused with 409 naming it; unknown flow 404; bad input 422; bad body 400', async () => {
      const id = `biz-${tag}`;
      expect(await start({ id, input: { qty: 2 } })).toBe(id);
      const again = await call(base, 'POST', '/v1/runs', { json: { name: FLOW_NAME, id, input: {} } });
      expectProblem(again, 409, 'RunAlreadyExists');
      expect(again.body.runId).toBe(id);
      expectProblem(await call(base, 'POST', '/v1/runs', { json: { name: 'nope' } }), 404, 'DefinitionNotFound');
      expectProblem(await call(base, 'POST', '/v1/runs', { json: { name: FLOW_NAME, input: { qty: 'two' } } }), 422, 'InputInvalid');
      const schema = await call(base, 'POST', '/v1/runs', { json: { nam: FLOW_NAME, version: 'x' } });
      expectProblem(schema, 400, 'RequestInvalid');
      expect(schema.body.issues.map((i: { pointer: string }) => i.pointer)).toEqual(expect.arrayContaining(['/body/name', '/body/version']));
      expectProblem(await call(base, 'POST', '/v1/runs', { raw: '{"name": ', contentType: 'application/json' }), 400, 'BadRequest');
      await call(base, 'POST', `/v1/runs/${id}/terminate`, { json: { reason: 'test over' } });
    });

    it('refuses a body above the payload limit with 413 before the engine sees it', async () => {
      const big = 'x'.repeat(api.payloadLimitBytes + 128 * 1024);
      expectProblem(await call(base, 'POST', '/v1/runs', { json: { name: FLOW_NAME, input: { big } } }), 413, 'PayloadTooLarge');
      const runId = await start();
      expectProblem(await call(base, 'POST', `/v1/runs/${runId}/signals/approve`, { json: { data: { by: big } } }), 413, 'PayloadTooLarge');
      await call(base, 'POST', `/v1/runs/${runId}/terminate`);
    });

    it('signals (202): the same signalId re-sent is applied once; refusals 404, 409, 422; queries answer { value }', async () => {
      const runId = await start();
      expect((await call(base, 'GET', `/v1/runs/${runId}/queries/approvals`)).body).toEqual({ value: 0 });
      expectProblem(await call(base, 'GET', `/v1/runs/${runId}/queries/nope`), 404, 'QueryNotFound');
      expectProblem(await call(base, 'POST', `/v1/runs/${runId}/signals/nope`, { json: {} }), 422, 'SignalNotDeclared');
      const invalid = await call(base, 'POST', `/v1/runs/${runId}/signals/approve`, { json: { data: { by: 3 } } });
      expectProblem(invalid, 422, 'SignalPayloadInvalid');
      expect(invalid.body.issues[0].pointer).toBe('/by');
      expectProblem(await call(base, 'POST', '/v1/runs/nope/signals/approve', { json: { data: { by: 'ann' } } }), 404, 'RunNotFound');
      for (let i = 0; i < 3; i++) {
        expect((await call(base, 'POST', `/v1/runs/${runId}/signals/approve`, { json: { data: { by: 'ann' }, signalId: 's-1' } })).status).toBe(202);
      }
      const result = await call(base, 'GET', `/v1/runs/${runId}/result?wait=true&timeoutMs=10000`);
      expect(result.body).toEqual({ runId, status: 'completed', output: { by: 'ann', charged: true }, error: null });
      const history = (await call(base, 'GET', `/v1/runs/${runId}/history`)).body as { type: string }[];
      expect(history.filter((e) => e.type === 'SignalReceived')).toHaveLength(1);
      expect((await call(base, 'GET', `/v1/runs/${runId}/queries/approvals`)).body).toEqual({ value: 1 });
      expectProblem(await call(base, 'POST', `/v1/runs/${runId}/signals/approve`, { json: { data: { by: 'bob' } } }), 409, 'RunNotActive');
    });

    it('GET /v1/runs/{id} describes, /history lists, /result long-polls and answers the current state when the wait runs out', async () => {
      const runId = await start({ input: { qty: 1 } });
      const described = await call(base, 'GET', `/v1/runs/${runId}`);
      expect(described.body).toMatchObject({ runId, status: 'running', name: FLOW_NAME, version: 1 });
      expectProblem(await call(base, 'GET', '/v1/runs/nope'), 404, 'RunNotFound');
      expectProblem(await call(base, 'GET', '/v1/runs/nope/history'), 404, 'RunNotFound');
      expect((await call(base, 'GET', `/v1/runs/${runId}/result`)).body).toMatchObject({ status: 'running', output: null });
      expect((await call(base, 'GET', `/v1/runs/${runId}/result?wait=true&timeoutMs=50`)).body).toMatchObject({ status: 'running' });
      const waiting = call(base, 'GET', `/v1/runs/${runId}/result?wait=true&timeoutMs=10000`);
      await call(base, 'POST', `/v1/runs/${runId}/signals/approve`, { json: { data: { by: 'cy' } } });
      expect((await waiting).body).toMatchObject({ runId, status: 'completed' });
      const history = (await call(base, 'GET', `/v1/runs/${runId}/history`)).body as { index: number; type: string }[];
      expect(history.map((e) => e.index)).toEqual(history.map((_, i) => i));
      expect(history.at(-1)?.type).toBe('RunEnded');
    });

    it('POST /v1/runs/{id}/migrate plans (dryRun), moves, refuses a blocked move with 409 naming the step; POST /v1/migrations moves many', async () => {
      const v2 = FLOW.replace('version: 1', 'version: 2\nmigrateFrom: [1]').replace('  - set: { approvals: [] }\n', '  - set: { approvals: [] }\n  - set: { moved: true }\n');
      const v3 = FLOW.replace('version: 1', 'version: 3').replace(/approval\b/g, 'approval_v3');
      for (const text of [v2, v3]) expect((await call(base, 'POST', '/v1/definitions', { raw: text })).status).toBe(201);
      const runId = await start({ version: 1 });
      await waitFor(async () => ((await call(base, 'GET', `/v1/runs/${runId}/history`)).body as { type: string }[]).some((e) => e.type === 'VariablesSet'), 'the run waits for approval');
      const plan = await call(base, 'POST', `/v1/runs/${runId}/migrate`, { json: { toVersion: 2, dryRun: true } });
      expect(plan.status).toBe(200);
      expect(plan.body).toMatchObject({ runId, outcome: 'planned', fromVersion: 1, toVersion: 2, allowed: true, blockers: [], warnings: [] });
      expect(plan.body.moves).toContainEqual({ step: 'approval', kind: 'waitSignal', from: '/steps/1', to: '/steps/2' });
      const blocked = await call(base, 'POST', `/v1/runs/${runId}/migrate`, { json: { toVersion: 3 } });
      expectProblem(blocked, 409, 'MigrationBlocked');
      expect(blocked.body.blockers.map((b: { step: string }) => b.step)).toEqual(['approval']);
      expectProblem(await call(base, 'POST', '/v1/runs/nope/migrate', { json: { toVersion: 2 } }), 404, 'RunNotFound');
      expectProblem(await call(base, 'POST', `/v1/runs/${runId}/migrate`, { json: {} }), 400, 'RequestInvalid');
      const many = await call(base, 'POST', '/v1/migrations', { json: { name: FLOW_NAME, fromVersion: 1, toVersion: 2 } });
      expect(many.status).toBe(200);
      expect(many.body.reports).toContainEqual(expect.objectContaining({ runId, outcome: 'migrated' }));
      expect((await call(base, 'GET', `/v1/runs/${runId}`)).body.version).toBe(2);
      const history = (await call(base, 'GET', `/v1/runs/${runId}/history`)).body as { type: string; details?: unknown }[];
      expect(history.filter((e) => e.type === 'RunMigrated').map((e) => e.details)).toEqual([{ from: 1, to: 2 }]);
      await call(base, 'POST', `/v1/runs/${runId}/signals/approve`, { json: { data: { by: 'dee' } } });
      expect((await call(base, 'GET', `/v1/runs/${runId}/result?wait=true&timeoutMs=10000`)).body).toMatchObject({ status: 'completed', output: { by: 'dee' } });
    });

    it('POST /v1/runs/{id}/replay reports a clean replay, the first difference against an edited document, 404 and 422', async () => {
      const runId = await start({ version: 1, input: { qty: 1 } });
      await call(base, 'POST', `/v1/runs/${runId}/signals/approve`, { json: { data: { by: 'di' } } });
      expect((await call(base, 'GET', `/v1/runs/${runId}/result?wait=true&timeoutMs=10000`)).body).toMatchObject({ status: 'completed' });
      const clean = await call(base, 'POST', `/v1/runs/${runId}/replay`);
      expect(clean.status).toBe(200);
      expect(clean.body).toMatchObject({ runId, deterministic: true, divergence: null, workflow: { name: FLOW_NAME, version: 1 } });
      const renamed = FLOW.replace('call: test.flaky', 'call: test.renamed');
      const differs = await call(base, 'POST', `/v1/runs/${runId}/replay`, { json: { document: renamed } });
      expect(differs.status).toBe(200);
      expect(differs.body).toMatchObject({
        deterministic: false,
        divergence: { stepId: 'charge', field: 'details.activity', expected: expect.stringContaining('"test.flaky"'), got: expect.stringContaining('"test.renamed"') },
      });
      expectProblem(await call(base, 'POST', '/v1/runs/nope/replay'), 404, 'RunNotFound');
      expectProblem(await call(base, 'POST', `/v1/runs/${runId}/replay`, { json: { document: 'dsl: flowline/v1\nname: x\n' } }), 422, 'DefinitionInvalid');
    });

    it('GET /v1/runs lists newest first with filters and a cursor', async () => {
      const ids = [await start(), await start(), await start()];
      const page1 = await call(base, 'GET', `/v1/runs?name=${FLOW_NAME}&status=running&limit=2`);
      expect(page1.body.runs).toHaveLength(2);
      expect(page1.body.nextCursor).not.toBeNull();
      const page2 = await call(base, 'GET', `/v1/runs?name=${FLOW_NAME}&status=running&limit=2&cursor=${page1.body.nextCursor}`);
      const listed = [...page1.body.runs, ...page2.body.runs].map((r: { runId: string }) => r.runId);
      for (const id of ids) expect(listed).toContain(id);
      const starts = page1.body.runs.map((r: { startedAt: string }) => r.startedAt);
      expect([...starts].sort().reverse()).toEqual(starts);
      expectProblem(await call(base, 'GET', '/v1/runs?status=sleeping'), 400, 'RequestInvalid');
      for (const id of ids) await call(base, 'POST', `/v1/runs/${id}/cancel`, { json: { reason: 'cleanup' } });
    });

    it('GET /v1/runs filters by start time: since an instant, before one, between two', async () => {
      const first = await start();
      const firstAt = Date.parse((await call(base, 'GET', `/v1/runs/${first}`)).body.startedAt);
      // The second run must start in a later millisecond for the boundary to fall between them.
      await waitFor(async () => Date.now() > firstAt + 1, 'the clock passed the first start');
      const second = await start();
      const secondAt = (await call(base, 'GET', `/v1/runs/${second}`)).body.startedAt as string;
      const ids = async (query: string): Promise<string[]> => (await call(base, 'GET', `/v1/runs?name=${FLOW_NAME}&limit=1000&${query}`)).body.runs.map((r: { runId: string }) => r.runId);
      const since = await ids(`startedAfter=${encodeURIComponent(secondAt)}`);
      expect(since).toContain(second);
      expect(since).not.toContain(first);
      const before = await ids(`startedBefore=${encodeURIComponent(secondAt)}`);
      expect(before).toContain(first);
      expect(before).not.toContain(second);
      expect(await ids(`startedAfter=${encodeURIComponent(new Date(firstAt).toISOString())}&startedBefore=${encodeURIComponent(secondAt)}`)).toEqual([first]);
      expect(await ids(`status=running&startedAfter=${encodeURIComponent(secondAt)}`)).toEqual([second]);
      expectProblem(await call(base, 'GET', '/v1/runs?startedAfter=yesterday'), 400, 'RequestInvalid');
      for (const id of [first, second]) await call(base, 'POST', `/v1/runs/${id}/cancel`, { json: { reason: 'cleanup' } });
    });

    it('GET /v1/runs?where= filters by search attributes (all conditions hold); a condition it cannot read is 400 WhereInvalid', async () => {
      const searchable = `dsl: flowline/v1
name: http-search-${tag}
version: 1
signals: { go: {} }
searchAttributes:
  customer: { type: keyword, value: '\${ $input.customer }' }
  total: { type: number, value: '\${ $input.total }' }
steps:
  - waitSignal: go
`;
      expect((await call(base, 'POST', '/v1/definitions', { raw: searchable })).status).toBe(201);
      const ids: string[] = [];
      for (const input of [{ customer: 'ann', total: 150 }, { customer: 'ann', total: 50 }, { customer: 'bob', total: 300 }]) {
        ids.push((await call(base, 'POST', '/v1/runs', { json: { name: `http-search-${tag}`, input } })).body.runId as string);
      }
      const listed = await call(base, 'GET', `/v1/runs?where=${encodeURIComponent('customer=ann')}&where=${encodeURIComponent('total>100')}`);
      expect(listed.status).toBe(200);
      expect(listed.body.runs).toEqual([expect.objectContaining({ runId: ids[0], searchAttributes: { customer: 'ann', total: 150 } })]);
      const one = await call(base, 'GET', `/v1/runs?name=http-search-${tag}&where=${encodeURIComponent('total>=150')}`);
      expect(one.body.runs.map((r: { runId: string }) => r.runId).sort()).toEqual([ids[0], ids[2]].sort());
      expectProblem(await call(base, 'GET', `/v1/runs?where=${encodeURIComponent('total>')}`), 400, 'WhereInvalid');
      for (const id of ids) await call(base, 'POST', `/v1/runs/${id}/terminate`);
    });

    it('cancel and terminate answer 202 (409 when the run has ended); retry restarts a failed run from its failed step', async () => {
      const cancelled = await start();
      expect((await call(base, 'POST', `/v1/runs/${cancelled}/cancel`, { json: { reason: 'no longer needed' } })).status).toBe(202);
      await waitFor(async () => (await call(base, 'GET', `/v1/runs/${cancelled}`)).body.status === 'cancelled', 'the run is cancelled');
      expectProblem(await call(base, 'POST', `/v1/runs/${cancelled}/cancel`), 409, 'RunNotActive');
      const terminated = await start();
      expect((await call(base, 'POST', `/v1/runs/${terminated}/terminate`)).status).toBe(202);
      expect((await call(base, 'GET', `/v1/runs/${terminated}/result?wait=true&timeoutMs=5000`)).body.status).toBe('terminated');

      expect((await call(base, 'POST', '/v1/definitions', { raw: FAILING })).status).toBe(201);
      failSwitchable = true;
      const failing = (await call(base, 'POST', '/v1/runs', { json: { name: `http-failing-${tag}` } })).body.runId as string;
      expect((await call(base, 'GET', `/v1/runs/${failing}/result?wait=true&timeoutMs=10000`)).body.status).toBe('failed');
      expectProblem(await call(base, 'POST', `/v1/runs/${failing}/terminate`), 409, 'RunNotActive');
      failSwitchable = false;
      expect((await call(base, 'POST', `/v1/runs/${failing}/retry`, { json: {} })).status).toBe(202);
      expect((await call(base, 'GET', `/v1/runs/${failing}/result?wait=true&timeoutMs=10000`)).body.status).toBe('completed');
      expectProblem(await call(base, 'POST', '/v1/runs/nope/retry'), 404, 'RunNotFound');
    });

    it('GET /v1/runs/{id}/events streams every entry of a run with a signal and a retry, in order, then ends; resumes from Last-Event-ID', async () => {
      const runId = await start();
      const live = openEvents(base, runId);
      expect(await live.status).toBe(200);
      await call(base, 'POST', `/v1/runs/${runId}/signals/approve`, { json: { data: { by: 'dee' } } });
      const events = await live.done;
      const history = (await call(base, 'GET', `/v1/runs/${runId}/history`)).body as { index: number; type: string }[];
      const entries = events.filter((e) => e.event === 'entry');
      expect(entries.map((e) => JSON.parse(e.data))).toEqual(history);
      expect(entries.map((e) => e.id)).toEqual(history.map((e) => String(e.index)));
      expect(history.map((e) => e.type)).toEqual(expect.arrayContaining(['SignalReceived', 'StepRetried', 'RunEnded']));
      expect(events.at(-1)).toEqual({ event: 'end', data: JSON.stringify({ status: 'completed' }) });

      const resumed = await openEvents(base, runId, { lastEventId: 4 }).done;
      expect(resumed.filter((e) => e.event === 'entry').map((e) => JSON.parse(e.data))).toEqual(history.slice(5));
      expectProblem(await call(base, 'GET', '/v1/runs/nope/events'), 404, 'RunNotFound');
    });

    it('GET /v1/runs/{id}/events names entries of later generations <generation>.<index>, and Last-Event-ID resumes in the right generation', async () => {
      const runId = (await call(base, 'POST', '/v1/runs', { json: { name: `http-generations-${tag}` } })).body.runId as string;
      const live = openEvents(base, runId);
      expect(await live.status).toBe(200);
      for (const generation of [1, 2, 3]) {
        await waitFor(async () => (await call(base, 'GET', `/v1/runs/${runId}`)).body.generation === generation, `generation ${generation} waits`);
        expect((await call(base, 'POST', `/v1/runs/${runId}/signals/next`, { json: {} })).status).toBe(202);
      }
      const events = await live.done;
      expect(events.at(-1)).toEqual({ event: 'end', data: JSON.stringify({ status: 'completed' }) });
      const ids = events.filter((e) => e.event === 'entry').map((e) => e.id as string);
      // Each generation's history starts again at 0; the id says which generation an entry belongs to.
      expect(ids.filter((id) => /^\d+$/.test(id))[0]).toBe('0');
      expect(ids).toContain('2.0');
      expect(ids).toContain('3.0');
      expect(new Set(ids).size).toBe(ids.length);
      const last = (await call(base, 'GET', `/v1/runs/${runId}/history`)).body as { index: number }[];
      expect(ids.filter((id) => id.startsWith('3.'))).toEqual(last.map((e) => `3.${e.index}`));

      const entriesAfter = async (lastEventId: string) =>
        (await openEvents(base, runId, { lastEventId }).done).filter((e) => e.event === 'entry').map((e) => (JSON.parse(e.data) as { index: number }).index);
      // From an older generation: the current one from its first entry.
      expect(await entriesAfter('1')).toEqual(last.map((e) => e.index));
      expect(await entriesAfter('2.1')).toEqual(last.map((e) => e.index));
      // From the current generation: after that entry.
      expect(await entriesAfter('3.1')).toEqual(last.slice(2).map((e) => e.index));
      expectProblem(await call(base, 'GET', `/v1/runs/${runId}/events`, { headers: { 'last-event-id': 'three' } }), 400, 'RequestInvalid');
    });

    it('serves 100 concurrent event streams on one run, each with every entry in order, and heartbeats while waiting', async () => {
      const runId = await start();
      const clients = Array.from({ length: 100 }, () => openEvents(base, runId));
      expect(new Set(await Promise.all(clients.map((c) => c.status)))).toEqual(new Set([200]));
      await waitFor(() => clients[0]!.comments.includes('heartbeat'), 'a heartbeat comment arrives');
      await call(base, 'POST', `/v1/runs/${runId}/signals/approve`, { json: { data: { by: 'eve' } } });
      const all = await Promise.all(clients.map((c) => c.done));
      const history = (await call(base, 'GET', `/v1/runs/${runId}/history`)).body;
      for (const events of all) {
        expect(events.filter((e) => e.event === 'entry').map((e) => JSON.parse(e.data))).toEqual(history);
        expect(events.at(-1)?.event).toBe('end');
      }
    });

    it('answers /healthz, /readyz and /metrics with request counts by route template', async () => {
      expect((await call(base, 'GET', '/healthz')).status).toBe(200);
      expect((await call(base, 'GET', '/readyz')).status).toBe(200);
      const metrics = await call(base, 'GET', '/metrics');
      expect(metrics.body).toContain('flowline_http_requests_total{route="/v1/runs/:id",method="GET",status="404"}');
      expect(metrics.body).toContain('flowline_http_request_duration_seconds_bucket');
      expect(metrics.body).not.toMatch(/route="\/v1\/runs\/nope/);
      expectProblem(await call(base, 'GET', '/v1/nothing-here'), 404, 'RouteNotFound');
    });
  });
}
