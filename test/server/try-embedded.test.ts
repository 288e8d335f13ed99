/** "Try it" routes beside the embedded runtime, with a handler the server runs in-process. */
import { createEmbeddedEngine } from '../../src/runtime/memory/index.js';
import { defineTrySuite } from './try.cases.js';

defineTrySuite('try runs beside the embedded runtime', async () => {
  const registered = { 'stock.reserve': (input: { qty: number }) => ({ id: `real-${input.qty}` }) };
  const engine = createEmbeddedEngine({ activities: registered });
  return { engine, payloadLimitBytes: engine.limits.payloadBytes, registered, close: () => engine.close() };
});
