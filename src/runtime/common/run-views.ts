/** Read views of a run's state for the API: result, description and list summary (pure). */
import type { RunState } from '../../interpreter/types.js';
import type { RunDescription, RunResult, RunSummary, RunWarning } from '../engine.js';
import { DEFAULT_HISTORY_WARNING_ENTRIES } from './limits.js';

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

/** Everything `describe` shows; `historyWarningEntries` is the engine's limit. Pure. */
export function toRunDescription(state: RunState, historyWarningEntries = DEFAULT_HISTORY_WARNING_ENTRIES): RunDescription {
  const warnings: RunWarning[] = [];
  if (state.historyLength > historyWarningEntries) {
    warnings.push({
      type: 'HistoryLarge',
      message:
        `the run's history holds ${state.historyLength} entries (more than ${historyWarningEntries}): every entry is kept while the run goes on. ` +
        'A flow that loops for long should end each stretch with a `continueAsNew` step, which starts it again under the same run id with fresh history.',
    });
  }
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
    historyLength: state.historyLength,
    generation: state.continued?.generation ?? 1,
    continuedFrom: (state.continued?.chain ?? []).map((link) => ({
      generation: link.generation,
      startedAt: iso(link.startedAt) ?? '',
      continuedAt: iso(link.continuedAt) ?? '',
      historyLength: link.historyLength,
    })),
    warnings,
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
