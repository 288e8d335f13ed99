/** Shared helpers of the example-flow tests: load an example, replay every run, wait for a run to reach a point. */
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { loadDefinitionFile } from '../../src/definition/load.js';
import type { WorkflowDefinition } from '../../src/definition/types.js';
import { DEFAULT_LIMITS } from '../../src/expression/index.js';
import { replay } from '../../src/interpreter/index.js';
import type { EmbeddedEngine } from '../../src/runtime/memory/index.js';

export const WORKFLOWS = resolve(import.meta.dirname, '../../workflows');

/** Load workflows/<name>.yaml. */
export function example(name: string): Promise<WorkflowDefinition> {
  return loadDefinitionFile(join(WORKFLOWS, `${name}.yaml`));
}

/**
 * Expression bounds for these tests: the production 100 ms is a wall-clock limit, and on a busy
 * 2-core CI machine an ordinary expression can exceed it (the one non-determinism the core
 * tolerates). Engines and replays in these tests use 5 s so a slow machine cannot fail them.
 */
export const TEST_LIMITS = { expression: { timeoutMs: 5_000 } } as const;
export const REPLAY_OPTIONS = { limits: { ...DEFAULT_LIMITS, timeoutMs: 5_000 } } as const;

/** Replaying each run's history through the core must give exactly the state the engine holds. */
export async function expectEveryRunReplays(engine: EmbeddedEngine): Promise<number> {
  const runs = await engine.list();
  for (const summary of runs) {
    const { definition, state } = engine.inspect(summary.runId);
    const replayed = await replay(definition, await engine.history(summary.runId), REPLAY_OPTIONS);
    expect(replayed, `replay of ${summary.name} run ${summary.runId}`).toEqual(state);
  }
  return runs.length;
}

/**
 * Wait until `condition` holds, yielding to the event loop between checks (the engine works in
 * microtasks and immediates; no wall-clock sleeps). Fails after `maxTurns` turns.
 */
export async function until(condition: () => boolean | Promise<boolean>, what: string, maxTurns = 10_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (await condition()) return;
    await new Promise((resolveTurn) => setImmediate(resolveTurn));
  }
  throw new Error(`gave up waiting for ${what}`);
}
