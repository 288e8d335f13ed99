/** The HTTP API suite on the embedded runtime. */
import { createEmbeddedEngine } from '../../src/runtime/memory/index.js';
import { defineApiSuite } from './api.cases.js';

defineApiSuite('HTTP API on the embedded runtime', async (activities) => {
  const engine = createEmbeddedEngine({ activities });
  return { engine, payloadLimitBytes: engine.limits.payloadBytes, close: () => engine.close() };
});
