/**
 * `npx tsx bench/try.ts`: the round trip of the studio's "Try it" over real HTTP, on the example
 * workflows/order-fulfilment.yaml: `POST /v1/try` with a mocked card decline (runs to its
 * compensation), with an approval signal (runs to the end), `POST /v1/try/tests` (its six cases,
 * with the example activities registered), and `POST /v1/validate?graph=true` of the same text in
 * the same run as the yardstick (what the studio already does on every keystroke pause).
 *
 *   npx tsx bench/try.ts [-- --rounds 40]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadActivityModules } from '../src/activities/module.js';
import { FlowTrier } from '../src/flowtest/try-run.js';
import { createEmbeddedEngine } from '../src/runtime/memory/index.js';
import { createServer } from '../src/server/app.js';
import { percentile } from './stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '40' } } });
const ROUNDS = Number(values.rounds);
const document = readFileSync('workflows/order-fulfilment.yaml', 'utf8');
const input = { orderId: 'o-1', sku: 'A1', qty: 2, customer: 'ann', address: '1 Main St' };
const answer = (output: unknown) => ({ mock: { output } });
const declined = {
  'inventory.reserve': answer({ reservationId: 'r1', unitPrice: 10 }),
  'payments.charge': { mock: { error: { type: 'CardDeclined', message: 'declined', nonRetryable: true } } },
  'inventory.release': answer({ released: true }),
  'payments.refund': answer({}),
  'notifications.escalate': answer({}),
  'shipping.create': answer({ trackingNumber: 'T-1' }),
};
const approved = { ...declined, 'payments.charge': answer({ chargeId: 'c1' }) };

const source = await loadActivityModules(['workflows/activities/index.ts']);
const engine = createEmbeddedEngine();
const app = await createServer({ engine, payloadLimitBytes: engine.limits.payloadBytes, trier: new FlowTrier({ source, payloadBytes: engine.limits.payloadBytes, flowsDir: 'workflows' }) });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (!address || typeof address === 'string') throw new Error('no address');
const base = `http://127.0.0.1:${address.port}`;

async function post(path: string, body: unknown, contentType = 'application/json'): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const parsed = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

const cases: [string, () => Promise<unknown>][] = [
  ['POST /v1/validate?graph=true (yardstick)', () => post('/v1/validate?graph=true', document, 'application/yaml')],
  ['POST /v1/try, card declined → compensated', () => post('/v1/try', { document, input, activities: declined })],
  ['POST /v1/try, approved by signal → completed', () => post('/v1/try', { document, input, activities: approved, signals: [{ name: 'approve', data: { by: 'bob' } }] })],
  ['POST /v1/try/tests, the six cases', () => post('/v1/try/tests', { document })],
];

const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (const [, run] of cases) await run(); // warm-up: JIT, ajv and JSONata compilation
// Interleaved, so that noise from other work on the machine spreads over every kind alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of cases) {
    const begun = performance.now();
    await run();
    samples.get(name)?.push(performance.now() - begun);
  }
}
const check = (await post('/v1/try', { document, input, activities: declined })) as { status: string };
if (check.status !== 'compensated') throw new Error(`unexpected try status ${check.status}`);
const yardstick = percentile(samples.get(cases[0][0]) ?? [], 50);
console.log(`${ROUNDS} rounds, ${document.length} B document`);
for (const [name, times] of samples) {
  const p50 = percentile(times, 50);
  console.log(`${name.padEnd(48)} p50 ${p50.toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms  (${(p50 / yardstick).toFixed(1)}× validate)`);
}
await app.close();
await engine.close();
