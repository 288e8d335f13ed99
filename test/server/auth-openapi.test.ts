/** Bearer roles, security headers, the audit log, and the OpenAPI 3.1 document (valid, and every operation exercised by this folder's tests). */
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { Validator } from '@seriousme/openapi-schema-validator';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEngine } from '../../src/runtime/memory/index.js';
import { parseTokens, TokenChecker } from '../../src/server/auth.js';
import { call, expectProblem, startServer, type LiveServer } from './helpers.js';

const TOKENS = parseTokens(
  ['viewer-token-0123456789 viewer Vera', 'operator-token-0123456789 operator Otto', 'author-token-0123456789 author Ada'].join('\n'),
  'test tokens',
);
const [VIEWER, OPERATOR, AUTHOR] = TOKENS.map((t) => t.token) as [string, string, string];
const FLOW = 'dsl: flowline/v1\nname: auth-flow\nversion: 1\nsignals:\n  go: {}\nsteps:\n  - waitSignal: go\n';

describe('HTTP API auth, headers, audit and OpenAPI', () => {
  let server: LiveServer;
  const audit: Record<string, unknown>[] = [];
  const engine = createEmbeddedEngine();

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        audit.push(JSON.parse(String(chunk)));
        done();
      },
    });
    server = await startServer({ engine, payloadLimitBytes: engine.limits.payloadBytes, tokens: TOKENS, logger: pino(sink) });
  });
  afterAll(async () => {
    await server.close();
    await engine.close();
  });

  it('refuses calls without a known token with 401 and a WWW-Authenticate header', async () => {
    const none = await call(server.base, 'GET', '/v1/runs');
    expectProblem(none, 401, 'Unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expectProblem(await call(server.base, 'GET', '/v1/runs', { token: 'not-a-token-at-all-xxxx' }), 401, 'Unauthorized');
  });

  it('gives each role its calls: viewer reads, operator also starts and signals, author also validates and deploys (403 otherwise)', async () => {
    expectProblem(await call(server.base, 'POST', '/v1/definitions', { raw: FLOW, token: OPERATOR }), 403, 'Forbidden');
    expectProblem(await call(server.base, 'POST', '/v1/validate', { raw: FLOW, token: VIEWER }), 403, 'Forbidden');
    expectProblem(await call(server.base, 'POST', '/v1/try', { json: { document: FLOW }, token: OPERATOR }), 403, 'Forbidden');
    // An author may try; this server was built without a trier, which it says.
    expectProblem(await call(server.base, 'POST', '/v1/try', { json: { document: FLOW }, token: AUTHOR }), 501, 'NotImplemented');
    expect((await call(server.base, 'POST', '/v1/definitions', { raw: FLOW, token: AUTHOR })).status).toBe(201);
    expect((await call(server.base, 'POST', '/v1/validate', { raw: FLOW, token: AUTHOR })).status).toBe(200);
    expectProblem(await call(server.base, 'POST', '/v1/runs', { json: { name: 'auth-flow' }, token: VIEWER }), 403, 'Forbidden');
    const started = await call(server.base, 'POST', '/v1/runs', { json: { name: 'auth-flow', id: 'audited-run' }, token: OPERATOR });
    expect(started.status).toBe(201);
    expectProblem(await call(server.base, 'POST', '/v1/runs/audited-run/signals/go', { json: { data: { secret: 's3cr3t' } }, token: VIEWER }), 403, 'Forbidden');
    expect((await call(server.base, 'POST', '/v1/runs/audited-run/signals/go', { json: { data: { secret: 's3cr3t' } }, token: AUTHOR })).status).toBe(202);
    expect((await call(server.base, 'GET', '/v1/runs/audited-run', { token: VIEWER })).status).toBe(200);
    expect((await call(server.base, 'GET', '/metrics', { token: VIEWER })).status).toBe(200);
    expect((await call(server.base, 'GET', '/healthz')).status).toBe(200);
  });

  it('tells the studio who calls and serves a graph whose step nodes carry their lines (deployed, and from validate?graph=true)', async () => {
    expect((await call(server.base, 'GET', '/v1/whoami', { token: VIEWER })).body).toEqual({ name: 'Vera', role: 'viewer' });
    expect((await call(server.base, 'GET', '/v1/whoami', { token: AUTHOR })).body).toEqual({ name: 'Ada', role: 'author' });
    expectProblem(await call(server.base, 'GET', '/v1/whoami'), 401, 'Unauthorized');
    const deployed = await call(server.base, 'GET', '/v1/definitions/auth-flow/1/graph', { token: VIEWER });
    expect(deployed.status).toBe(200);
    expect(deployed.body.nodes).toContainEqual(expect.objectContaining({ path: '/steps/0', shape: 'signal', line: 7, endLine: 7 }));
    const checked = await call(server.base, 'POST', '/v1/validate?graph=true', { raw: FLOW, token: AUTHOR });
    expect(checked.body.graph.nodes).toEqual(deployed.body.nodes);
    expect((await call(server.base, 'POST', '/v1/validate', { raw: FLOW, token: AUTHOR })).body.graph).toBeUndefined();
  });

  it('writes one audit line per state-changing call (who, route, run id) and never the payload', async () => {
    const lines = audit.filter((line) => line.audit === true);
    expect(lines).toContainEqual(expect.objectContaining({ who: 'Otto', method: 'POST', route: '/v1/runs', runId: 'audited-run', status: 201 }));
    expect(lines).toContainEqual(expect.objectContaining({ who: 'Ada', route: '/v1/runs/:id/signals/:name', runId: 'audited-run', status: 202 }));
    expect(lines).toContainEqual(expect.objectContaining({ who: 'Ada', route: '/v1/definitions', status: 201 }));
    expect(lines.some((line) => line.method === 'GET')).toBe(false);
    expect(JSON.stringify(audit)).not.toContain('s3cr3t');
    expect(JSON.stringify(audit)).not.toContain(OPERATOR);
  });

  it('sends security headers and no CORS header unless configured', async () => {
    const reply = await call(server.base, 'GET', '/healthz');
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('x-frame-options')).toBe('DENY');
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('compares tokens by hash against every configured token', () => {
    const checker = new TokenChecker(TOKENS);
    expect(checker.find(OPERATOR)?.name).toBe('Otto');
    expect(checker.find(`${OPERATOR}x`)).toBeUndefined();
    expect(() => parseTokens('short viewer Bob', 'inline')).toThrow(/at least 16/);
    expect(() => parseTokens('0123456789abcdefgh admin Bob', 'inline')).toThrow(/role must be one of/);
  });

  it('serves an OpenAPI 3.1 document that validates, and every operation in it is exercised by the API suite', async () => {
    const reply = await call(server.base, 'GET', '/v1/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(reply.body);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    const operations = Object.entries(reply.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // Each operation must appear as a request in the suite's source (path written with its ids filled in).
    const suite = await readFile(new URL('./api.cases.ts', import.meta.url), 'utf8');
    const here = await readFile(new URL(import.meta.url), 'utf8');
    const tries = await readFile(new URL('./try.cases.ts', import.meta.url), 'utf8');
    const missing = operations.filter((operation) => {
      const [method, path] = operation.split(' ') as [string, string];
      const pattern = new RegExp(`'${method}', \`?'?${path.replace(/\{[^}]+\}/g, '[^/\'`?]+').replace(/\//g, '\\/')}[\`'?]`);
      return !pattern.test(suite) && !pattern.test(here) && !pattern.test(tries);
    });
    expect(missing).toEqual([]);
    expect(operations.length).toBeGreaterThanOrEqual(15);
  });
});
