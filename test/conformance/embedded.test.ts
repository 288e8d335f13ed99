/** Runs the conformance suite on the embedded runtime, and checks that each run's history replays strictly and reproduces its state. */
import { expect } from 'vitest';
import { createEmbeddedEngine, EmbeddedEngine } from '../../src/runtime/memory/index.js';
import type { Engine } from '../../src/runtime/engine.js';
import { defineConformanceSuite } from './suite.js';
import { expectStrictReplay } from './strict-replay-check.js';

async function replayEveryRun(engine: Engine): Promise<void> {
  const embedded = engine as EmbeddedEngine;
  expect(embedded).toBeInstanceOf(EmbeddedEngine);
  for (const summary of await engine.list()) {
    await expectStrictReplay(embedded.inspect(summary.runId), `run ${summary.runId} (${summary.name})`);
  }
}

defineConformanceSuite('embedded runtime', async (activities) => createEmbeddedEngine({ activities, skipTimers: true }), {
  afterTest: replayEveryRun,
});
