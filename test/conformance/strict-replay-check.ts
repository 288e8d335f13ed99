/** The conformance suites' after-test check: every run's history replays strictly and reproduces its stored state. */
import { expect } from 'vitest';
import type { WorkflowDefinition } from '../../src/definition/types.js';
import { replayStrict, type HistoryEntry, type RunState } from '../../src/interpreter/index.js';

export interface InspectedRun {
  readonly definition: WorkflowDefinition;
  readonly state: RunState;
  readonly history: readonly HistoryEntry[];
  /** Definitions a migrated run was on before its current one. */
  readonly earlier?: readonly WorkflowDefinition[];
}

/**
 * Strict replay throws NonDeterminismError naming the step when a decision differs from the
 * record; the state comparison then proves the rest of the state (vars, bookkeeping) agrees too.
 */
export async function expectStrictReplay(run: InspectedRun, label: string): Promise<void> {
  const replayed = await replayStrict(run.definition, run.history, run.earlier ? { earlier: run.earlier } : {});
  expect(replayed, `replay of ${label}`).toEqual(run.state);
}
