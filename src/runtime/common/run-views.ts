/** Read views of a run's state for the API: result, description and list summary (pure). */
import type { RunState } from '../../interpreter/types.js';
import type { RunDescription, RunResult, RunSummary } from '../engine.js';

function iso(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

/** The `{ runId, status, output, error }` outcome; output is null while the run is going. Pure. */
export function toRunResult(state: RunState): RunResult {
  return {
    runId: state.runId,
    status: state.status,
    output: state.status === 'running' ? null : (state.output ?? null),
    error: state.error ?? null,
  };
}

/** Everything `describe` shows. Pure. */
export function toRunDescription(state: RunState): RunDescription {
  return {
    ...toRunResult(state),
    name: state.workflow.name,
    version: state.workflow.version,
    startedAt: iso(state.startedAt) ?? '',
    endedAt: iso(state.endedAt),
    vars: state.vars,
    parentRunId: state.parent?.runId ?? null,
    attempt: state.retries + 1,
    ...(state.searchAttributes === undefined ? {} : { searchAttributes: state.searchAttributes }),
  };
}

/** One line of `list`. Pure. */
export function toRunSummary(state: RunState): RunSummary {
  return {
    runId: state.runId,
    name: state.workflow.name,
    version: state.workflow.version,
    status: state.status,
    startedAt: iso(state.startedAt) ?? '',
    endedAt: iso(state.endedAt),
    ...(state.searchAttributes === undefined ? {} : { searchAttributes: state.searchAttributes }),
  };
}
