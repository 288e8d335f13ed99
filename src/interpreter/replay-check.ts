/**
 * The replay check as a report instead of an exception: strict replay (strict-replay.ts) of a
 * recorded history against a definition, answering "deterministic, or where not". What
 * `flowline replay`, `engine.replay` and `POST /v1/runs/{id}/replay` return. Pure.
 */
import type { WorkflowDefinition } from '../definition/types.js';
import type { HistoryEntry, ReplayReport } from './types.js';
import { NonDeterminismError } from './errors.js';
import { recordedDecisions, replayStrict, type StrictReplayOptions } from './strict-replay.js';

/**
 * Replays `history` against `definition` and reports the first non-deterministic decision.
 * Throws CoreMisuseError when `history` is not a run's history (no RunStarted first).
 */
export async function replayHistory(definition: WorkflowDefinition, history: readonly HistoryEntry[], options: StrictReplayOptions = {}): Promise<ReplayReport> {
  const decisions = recordedDecisions(history);
  const opening = decisions[0]!.opening.event;
  const runId = opening.type === 'RunStarted' ? opening.runId : '';
  const workflow = { name: definition.name, version: definition.version, digest: definition.digest };
  try {
    await replayStrict(definition, history, options);
    return { runId, workflow, deterministic: true, entries: history.length, decisions: decisions.length, divergence: null };
  } catch (error) {
    if (!(error instanceof NonDeterminismError)) throw error;
    const d = error.details;
    return {
      runId,
      workflow,
      deterministic: false,
      entries: d.entryIndex + 1,
      decisions: decisions.filter((decision) => decision.opening.index <= d.eventIndex).length,
      divergence: {
        message: error.message,
        entryIndex: d.entryIndex,
        eventIndex: d.eventIndex,
        eventType: d.eventType,
        stepId: d.stepId ?? null,
        path: d.path ?? null,
        expected: d.expected,
        got: d.got,
        field: d.field,
      },
    };
  }
}
