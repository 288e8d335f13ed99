/** Runs the conformance suite on the embedded runtime, and checks that replaying each run's history reproduces its state. */
import { expect } from 'vitest';
import { replay } from '../../src/interpreter/index.js';
import { createEmbeddedEngine, EmbeddedEngine } from '../../src/runtime/memory/index.js';
import type { Engine } from '../../src/runtime/engine.js';
import { defineConformanceSuite } from './suite.js';

async function replayEveryRun(engine: Engine): Promise<void> {
  const embedded = engine as EmbeddedEngine;
  expect(embedded).toBeInstanceOf(EmbeddedEngine);
  for (const summary of await engine.list()) {
    const { definition, state, history } = embedded.inspect(summary.runId);
    const replayed = await replay(definition, history);
    expect(replayed, `replay of run ${summary.runId} (${summary.name})`).toEqual(state);
  }
}

defineConformanceSuite('embedded runtime', async (activities) => createEmbeddedEngine({ activities, skipTimers: true }), {
  afterTest: replayEveryRun,
});
