/**
 * `npm run bench:http`: what the HTTP API adds. Starts and signals N runs at 50 concurrent clients
 * through the TypeScript API and through HTTP (fetch, keep-alive) against the same embedded engine
 * kind, then the SSE fan-out: the time for a run's entries to reach 0 / 1 / 100 event streams.
 *
 *   npm run bench:http [-- --runs 4000 --concurrency 50]
 */
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { loadDefinition } from '../src/definition/load.js';
import type { Engine } from '../src/runtime/engine.js';
import { createEmbeddedEngine } from '../src/runtime/memory/index.js';
import { createServer } from '../src/server/app.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '4000' }, concurrency: { type: 'string', default: '50' } } });
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);
const FLOW = loadDefinition('dsl: flowline/v1\nname: bench-http\nversion: 1\nsignals:\n  go: {}\nsteps:\n  - waitSignal: go\n');

/** Runs `task(i)` for i < n with `concurrency` in flight; returns the wall time (ms). */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const begun = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await task(next++);
  }));
  return performance.now() - begun;
}

interface Pass { readonly startMs: number; readonly signalMs: number }

async function throughApi(engine: Engine, tag: string): Promise<Pass> {
  const startMs = await pool(RUNS, CONCURRENCY, async (i) => void (await engine.start('bench-http', { id: `${tag}-${i}` })));
  const signalMs = await pool(RUNS, CONCURRENCY, async (i) => engine.signal(`${tag}-${i}`, 'go'));
  return { startMs, signalMs };
}

async function throughHttp(base: string, tag: string): Promise<Pass> {
  // node:http with a keep-alive agent: fetch (undici) in the same process costs more than the server.
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(base);
  const post = (path: string, body: unknown): Promise<void> =>
    new Promise((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = request({ agent, host: url.hostname, port: url.port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ((res.statusCode ?? 500) >= 300 ? reject(new Error(`${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`)) : resolve()));
      });
      req.on('error', reject);
      req.end(text);
    });
  const startMs = await pool(RUNS, CONCURRENCY, (i) => post('/v1/runs', { name: 'bench-http', id: `${tag}-${i}` }));
  const signalMs = await pool(RUNS, CONCURRENCY, (i) => post(`/v1/runs/${tag}-${i}/signals/go`, {}));
  return { startMs, signalMs };
}

async function fanOut(base: string, engine: Engine, clients: number, steps: number): Promise<number> {
  const flow = loadDefinition(`dsl: flowline/v1\nname: bench-sse-${clients}\nversion: 1\nsignals:\n  go: {}\nsteps:\n  - waitSignal: go\n${Array.from({ length: steps }, (_, i) => `  - set: { v${i}: ${i} }\n`).join('')}`);
  await engine.deploy(flow);
  const { runId } = await engine.start(flow.name);
  const streams = await Promise.all(Array.from({ length: clients }, async () => {
    const response = await fetch(`${base}/v1/runs/${runId}/events`);
    return response;
  }));
  const begun = performance.now();
  await engine.signal(runId, 'go');
  await Promise.all(streams.map(async (response) => void (await response.text())));
  await engine.result(runId, { wait: true });
  return performance.now() - begun;
}

const apiEngine = createEmbeddedEngine();
await apiEngine.deploy(FLOW);
const httpEngine = createEmbeddedEngine();
await httpEngine.deploy(FLOW);
const app = await createServer({ engine: httpEngine, payloadLimitBytes: httpEngine.limits.payloadBytes });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

await throughApi(apiEngine, 'warm');
await throughHttp(base, 'warm');
const api = await throughApi(apiEngine, 'api');
const http = await throughHttp(base, 'http');
const perCall = (ms: number) => (ms * CONCURRENCY) / RUNS;
const cost = (ms: number) => ms / RUNS;
const row = (what: string, a: number, h: number) =>
  `${what.padEnd(8)} API ${Math.round((RUNS / a) * 1000).toString().padStart(7)}/s  HTTP ${Math.round((RUNS / h) * 1000).toString().padStart(7)}/s  ` +
  `HTTP adds ${(cost(h) - cost(a)).toFixed(3)} ms of process time per call (client and server in this process); latency at ${CONCURRENCY} concurrent ${perCall(a).toFixed(2)} → ${perCall(h).toFixed(2)} ms`;
console.log(`HTTP API vs TypeScript API, embedded runtime, ${RUNS} runs, ${CONCURRENCY} concurrent clients`);
console.log(row('start', api.startMs, http.startMs));
console.log(row('signal', api.signalMs, http.signalMs));
for (const clients of [0, 1, 100]) {
  const ms = await fanOut(base, httpEngine, clients, 200);
  console.log(`SSE fan-out: a 200-step run's ~${200 + 6} entries to ${String(clients).padStart(3)} streams: ${ms.toFixed(1)} ms`);
}
await app.close();
await apiEngine.close();
await httpEngine.close();
