/**
 * `POST /v1/try` and `POST /v1/try/tests` (the studio's "Try it") through real HTTP, written once
 * and run beside both runtimes (try-embedded.test.ts, try-redis.test.ts): a try runs on its own
 * engine with timers skipped and never shows up among the server's runs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityMap } from '../../src/activities/types.js';
import { FlowTrier } from '../../src/flowtest/try-run.js';
import type { Engine } from '../../src/runtime/engine.js';
import { call, expectProblem, startServer, type LiveServer } from './helpers.js';

export interface TryEngine {
  readonly engine: Engine;
  readonly payloadLimitBytes: number;
  /** Handlers the server runs in-process (embedded); Redis servers have none. */
  readonly registered?: ActivityMap;
  close(): Promise<void>;
}

const tag = `t${process.pid.toString(36)}${Date.now().toString(36)}`;
const NAME = `try-order-${tag}`;

/** A saga with a two-day wait (skipped), a retried charge and an approval. */
export const ORDER = `dsl: flowline/v1
name: ${NAME}
version: 1
input: { schema: { type: object, required: [qty], properties: { qty: { type: integer, minimum: 1 } } } }
signals:
  approve: { schema: { type: object, required: [by], properties: { by: { type: string } } } }
steps:
  - id: reserve
    call: stock.reserve
    with:
      qty: \${ $input.qty }
    compensate: { call: stock.release }
  - id: cool_off
    wait: 2d
  - id: pay
    call: card.charge
    retry: { maxAttempts: 2, initialInterval: 1h }
  - id: approval
    waitSignal: approve
output: '\${ { "by": $steps.approval.by, "reserved": $steps.reserve.id } }'
`;

const TESTS = `flow: ./somewhere-else.yaml
cases:
  - name: a declined card releases the stock
    input: { qty: 1 }
    mocks:
      stock.reserve: { output: { id: r1 } }
      card.charge: { error: { type: CardDeclined, message: declined, nonRetryable: true } }
      stock.release: { output: {} }
    expect:
      status: compensated
      calls: [stock.reserve, card.charge, stock.release]
  - name: an approved order completes
    input: { qty: 1 }
    signals: [{ name: approve, data: { by: ann } }]
    mocks:
      stock.reserve: { output: { id: r1 } }
      card.charge: { output: { charged: true } }
    expect:
      output: { by: bob, reserved: r1 }
`;

const declined = {
  'stock.reserve': { mock: { output: { id: 'r1' } } },
  'card.charge': { mock: { error: { type: 'CardDeclined', message: 'declined', nonRetryable: true } } },
  'stock.release': { mock: { output: { released: true } } },
};

export function defineTrySuite(name: string, make: () => Promise<TryEngine>): void {
  describe(name, () => {
    let made: TryEngine;
    let server: LiveServer;
    let base: string;
    let folder: string;

    beforeAll(async () => {
      made = await make();
      folder = await mkdtemp(join(tmpdir(), 'flowline-try-'));
      await writeFile(join(folder, 'order.yaml'), ORDER);
      await writeFile(join(folder, 'order.test.yaml'), TESTS.replace('./somewhere-else.yaml', './order.yaml'));
      await writeFile(join(folder, 'other.test.yaml'), 'flow: ./missing.yaml\ncases: [{ name: x }]\n');
      const trier = new FlowTrier({ payloadBytes: made.payloadLimitBytes, flowsDir: folder, ...(made.registered ? { registered: made.registered } : {}) });
      server = await startServer({ engine: made.engine, payloadLimitBytes: made.payloadLimitBytes, trier });
      base = server.base;
    });
    afterAll(async () => {
      await server?.close();
      await made?.close();
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    it('runs a mocked failure to its compensation, with the two-day wait skipped, and shows each step\'s state', async () => {
      const reply = await call(base, 'POST', '/v1/try', { json: { document: ORDER, input: { qty: 2 }, activities: declined } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      const body = reply.body;
      expect(body.status).toBe('compensated');
      expect(body.error).toMatchObject({ type: 'CardDeclined', message: 'declined' });
      expect(body.calls).toEqual(['stock.reserve', 'card.charge', 'stock.release']);
      expect(body.steps).toMatchObject({ '/steps/0': 'compensated', '/steps/0/compensate': 'done', '/steps/1': 'done', '/steps/2': 'failed' });
      expect(body.steps['/steps/3']).toBeUndefined();
      expect(body.history.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['RunStarted', 'TimerStarted', 'CompensationStarted', 'CompensationCompleted', 'RunEnded']));
      expect(body.historyTruncated).toBe(false);
      // Two days of virtual time passed, in far less real time.
      expect(body.durationMs).toBeLessThan(10_000);
      // The try never became one of the server's runs.
      expect(await made.engine.list({ name: NAME })).toEqual([]);
    });

    it('shows a retry from per-attempt mocks, then comes back waiting for the signal the run needs', async () => {
      const reply = await call(base, 'POST', '/v1/try', {
        json: {
          document: ORDER,
          input: { qty: 1 },
          activities: { ...declined, 'card.charge': { mock: [{ error: { type: 'Timeout', message: 'bank slow' } }, { output: { charged: true } }] } },
        },
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body.status).toBe('waiting');
      expect(reply.body.waitingFor).toEqual([{ signal: 'approve', path: '/steps/3', stepId: 'approval' }]);
      expect(reply.body.steps).toMatchObject({ '/steps/2': 'done', '/steps/3': 'waiting' });
      expect(reply.body.calls).toEqual(['stock.reserve', 'card.charge', 'card.charge']);
      expect(reply.body.history.some((e: { type: string }) => e.type === 'StepRetried')).toBe(true);

      const answered = await call(base, 'POST', '/v1/try', {
        json: { document: ORDER, input: { qty: 1 }, activities: { ...declined, 'card.charge': { mock: { output: {} } } }, signals: [{ name: 'approve', data: { by: 'ann' } }] },
      });
      expect(answered.body.status).toBe('completed');
      expect(answered.body.output).toEqual({ by: 'ann', reserved: 'r1' });
      expect(answered.body.steps['/steps/3']).toBe('done');
    });

    it('answers the document\'s mistakes like /v1/validate, at their lines (422), and refuses bad input, unknown mocks and bad bodies', async () => {
      const broken = ORDER.replace('call: card.charge', 'cal: card.charge');
      const invalid = await call(base, 'POST', '/v1/try', { json: { document: broken, activities: declined } });
      expectProblem(invalid, 422, 'DefinitionInvalid');
      expect(invalid.body.issues[0]).toMatchObject({ line: 16, message: expect.stringContaining('cal') });

      expectProblem(await call(base, 'POST', '/v1/try', { json: { document: ORDER, input: { qty: 0 }, activities: declined } }), 422, 'InputInvalid');

      const typo = await call(base, 'POST', '/v1/try', { json: { document: ORDER, input: { qty: 1 }, activities: { ...declined, 'card.charg': { mock: { output: {} } } } } });
      expectProblem(typo, 422, 'TryInvalid');
      expect(typo.body.detail).toContain('did you mean `card.charge`?');

      expectProblem(await call(base, 'POST', '/v1/try', { json: { document: ORDER, activities: { 'card.charge': { mock: { answer: 1 } } } } }), 400, 'RequestInvalid');
      expectProblem(await call(base, 'POST', '/v1/try', { json: { document: ORDER, timeoutMs: 60_000 } }), 400, 'RequestInvalid');
    });

    it('tells the studio what a try of the document needs: input schema, activities (registered or not), signals, graph', async () => {
      const plan = await call(base, 'POST', '/v1/try/plan', { json: { document: ORDER } });
      expect(plan.status, JSON.stringify(plan.body)).toBe(200);
      expect(plan.body).toMatchObject({ name: NAME, version: 1, input: { type: 'object', required: ['qty'] }, signals: [{ name: 'approve', schema: { required: ['by'] } }] });
      expect(plan.body.activities).toEqual([
        { name: 'stock.reserve', registered: made.registered?.['stock.reserve'] !== undefined },
        { name: 'stock.release', registered: false },
        { name: 'card.charge', registered: false },
      ]);
      expect(plan.body.graph.nodes.find((n: { path?: string }) => n.path === '/steps/3')).toMatchObject({ line: 18 });
      expectProblem(await call(base, 'POST', '/v1/try/plan', { json: { document: 'dsl: flowline/v1\nname: x\n' } }), 422, 'DefinitionInvalid');
    });

    it('runs a registered handler when asked, or says why it cannot', async () => {
      const info = await call(base, 'GET', '/v1/try');
      expect(info.status).toBe(200);
      expect(info.body.testsFromFolder).toBe(true);
      const asked = await call(base, 'POST', '/v1/try', { json: { document: ORDER, input: { qty: 3 }, activities: { ...declined, 'stock.reserve': { registered: true } } } });
      if (made.registered?.['stock.reserve']) {
        expect(info.body.registeredActivities).toContain('stock.reserve');
        expect(asked.status, JSON.stringify(asked.body)).toBe(200);
        expect(asked.body.history.find((e: { type: string; stepId?: string }) => e.type === 'StepCompleted' && e.stepId === 'reserve')?.details?.output).toEqual({ id: 'real-3' });
      } else {
        expect(info.body.registeredActivities).toEqual([]);
        expectProblem(asked, 422, 'TryInvalid');
        expect(asked.body.detail).toContain('Mock it instead');
      }
    });

    it('runs the given flow tests against the document: each case passes or fails with what differs', async () => {
      const reply = await call(base, 'POST', '/v1/try/tests', { json: { document: ORDER, tests: TESTS } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      const [file] = reply.body.files;
      expect(file.file).toBe('the test document');
      expect(file.cases.map((c: { name: string; passed: boolean }) => [c.name, c.passed])).toEqual([
        ['a declined card releases the stock', true],
        ['an approved order completes', false],
      ]);
      const failed = file.cases[1];
      expect(failed.reasons).toEqual(['output.by: expected "bob", got "ann"']);
      expect(failed.expected).toEqual({ output: { by: 'bob', reserved: 'r1' } });
      expect(failed.actual).toMatchObject({ status: 'completed', output: { by: 'ann', reserved: 'r1' } });

      const bad = await call(base, 'POST', '/v1/try/tests', { json: { document: ORDER, tests: 'cases: []\n' } });
      expect(bad.body.files[0].invalid.join('\n')).toContain('missing `flow`');
    });

    it('without a test document, runs the served folder\'s test files of this flow against the text as edited', async () => {
      const edited = ORDER.replace('"by": $steps.approval.by', '"by": "bob"');
      const reply = await call(base, 'POST', '/v1/try/tests', { json: { document: edited } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body.files.map((f: { file: string }) => f.file)).toEqual(['order.test.yaml']);
      expect(reply.body.files[0].cases.map((c: { passed: boolean }) => c.passed)).toEqual([true, true]);
      const other = await call(base, 'POST', '/v1/try/tests', { json: { document: ORDER.replace(`name: ${NAME}`, 'name: not-tested') } });
      expect(other.body.files).toEqual([]);
    });
  });
}
