/**
 * Strict replay, as Temporal's replayer does it: every inbound event of a run's history is decided
 * again, and what each decision writes must be what the run recorded after that event. A
 * difference is a NonDeterminismError naming the step and what differed — the check to run
 * recorded histories through before deploying a changed flow under the same version.
 *
 * History is a sequence of decisions: an entry carrying `event` opens one (the event the core
 * decided on), the entries up to the next such entry are what that decision wrote (steps
 * scheduled, timers started, failures, the run's end…). Commands leave their trace there
 * (StepScheduled, TimerStarted), so comparing entries compares commands too. Pure.
 */
import type { WorkflowDefinition } from '../definition/types.js';
import { DEFAULT_LIMITS, type EvaluationLimits } from '../expression/index.js';
import type { HistoryEntry, RunEvent, RunState } from './types.js';
import { decide } from './decide.js';
import { definitionsAlong } from './replay.js';
import { CoreMisuseError, NonDeterminismError } from './errors.js';
import { recordedTimeouts } from './recorded-timeouts.js';
import { asStored, differingField, stepName, summarise } from './replay-diff.js';

/**
 * Time bound per expression while replaying (ms), at least. A time limit guards a live run's
 * liveness; it is not part of what a flow means. Recorded timeouts are taken from history (never
 * evaluated again), and every other expression, which finished in time when the run was made,
 * gets ample time now: a slow or busy machine cannot turn a replay into a false difference.
 * Deterministic bounds (depth, sizes) stay as given.
 */
export const REPLAY_EXPRESSION_TIMEOUT_MS = 10_000;

/** Options of a strict replay. */
export interface StrictReplayOptions {
  /** The expression limits the run was made with (default: the expression module's); the time bound is raised, see above. */
  readonly limits?: EvaluationLimits;
  /** Definitions the run was pinned to before it was migrated to `definition` (see replay.ts). */
  readonly earlier?: readonly WorkflowDefinition[];
}

interface RecordedDecision {
  readonly opening: HistoryEntry & { readonly event: RunEvent };
  /** Every entry of the decision, the opening one first. */
  readonly entries: readonly HistoryEntry[];
}

/** Cuts history into decisions. Throws CoreMisuseError when it does not open with an event. */
export function recordedDecisions(history: readonly HistoryEntry[]): RecordedDecision[] {
  const decisions: { opening: RecordedDecision['opening']; entries: HistoryEntry[] }[] = [];
  for (const entry of history) {
    if (entry.event) decisions.push({ opening: entry as RecordedDecision['opening'], entries: [entry] });
    else if (decisions.length === 0) throw new CoreMisuseError(`history entry ${entry.index} (${entry.type}) comes before any event: this is not a run's history`);
    else decisions[decisions.length - 1]!.entries.push(entry);
  }
  if (decisions[0]?.opening.event.type !== 'RunStarted') throw new CoreMisuseError('history holds no RunStarted event first: nothing to replay');
  return decisions;
}

/**
 * Decides every recorded event again and checks each decision wrote what history holds; returns
 * the state reached. Throws NonDeterminismError at the first difference. Pure.
 */
export async function replayStrict(definition: WorkflowDefinition, history: readonly HistoryEntry[], options: StrictReplayOptions = {}): Promise<RunState> {
  const base = options.limits ?? DEFAULT_LIMITS;
  const limits: EvaluationLimits = { ...base, timeoutMs: Math.max(base.timeoutMs, REPLAY_EXPRESSION_TIMEOUT_MS) };
  let state: RunState | undefined;
  const definitionFor = definitionsAlong(definition, history, options.earlier);
  for (const recorded of recordedDecisions(history)) {
    const decision = await decide(definitionFor(recorded.opening.event), state, recorded.opening.event, { limits, recordedTimeouts: recordedTimeouts(recorded.entries) });
    const runId = decision.state.runId;
    if (!decision.accepted) throw notAccepted(definition, runId, recorded);
    const replayed = decision.history.map(asStored);
    const length = Math.max(recorded.entries.length, replayed.length);
    for (let i = 0; i < length; i++) {
      const expected = recorded.entries[i] && asStored(recorded.entries[i]!);
      const got = replayed[i];
      const field = expected && got ? differingField(expected, got) : null;
      if (field !== undefined) throw differs(definition, runId, recorded, expected, got, field);
    }
    state = decision.state;
  }
  return state!;
}

function notAccepted(definition: WorkflowDefinition, runId: string, recorded: RecordedDecision): NonDeterminismError {
  const opening = recorded.opening;
  const where = stepName(definition, opening);
  return new NonDeterminismError(
    `nondeterminism detected replaying run ${runId}: history entry ${opening.index} recorded ${summarise(opening)}${where ? ` for ${where}` : ''}, ` +
      'but the definition as it is now does not wait for that event (the step that waited for it is gone, moved or changed). ' +
      FIX,
    {
      runId,
      entryIndex: opening.index,
      eventIndex: opening.index,
      eventType: opening.event.type,
      ...(opening.path === undefined ? {} : { path: opening.path }),
      ...(opening.stepId === undefined ? {} : { stepId: opening.stepId }),
      expected: summarise(opening),
      got: null,
      field: null,
    },
  );
}

const FIX =
  'Runs keep the definition they started with, so a change that alters what a run already did must be deployed as a new version; ' +
  'or, if the change is meant, record the history again.';

function differs(
  definition: WorkflowDefinition,
  runId: string,
  recorded: RecordedDecision,
  expected: HistoryEntry | undefined,
  got: HistoryEntry | undefined,
  field: string | null,
): NonDeterminismError {
  const opening = recorded.opening;
  const about = expected ?? got!;
  const where = stepName(definition, about);
  const entryIndex = about.index;
  const elsewhere = expected && got && (got.path !== expected.path || got.stepId !== expected.stepId) ? stepName(definition, got) : undefined;
  const what =
    expected && got
      ? `history recorded ${summarise(expected)}, the definition now gives ${summarise(got)}${elsewhere ? ` for ${elsewhere}` : ''}` +
        (summarise(expected) === summarise(got) && !elsewhere ? ` (they differ in ${field})` : '')
      : expected
        ? `history recorded ${summarise(expected)}, the definition now gives nothing there`
        : `the definition now gives ${summarise(got!)}, which history does not hold`;
  return new NonDeterminismError(
    `nondeterminism detected replaying run ${runId} at history entry ${entryIndex}${where ? `, ${where}` : ''}: ${what} ` +
      `(deciding ${opening.event.type} of entry ${opening.index}). ${FIX}`,
    {
      runId,
      entryIndex,
      eventIndex: opening.index,
      eventType: opening.event.type,
      ...(about.path === undefined ? {} : { path: about.path }),
      ...(about.stepId === undefined ? {} : { stepId: about.stepId }),
      expected: expected ? summarise(expected) : null,
      got: got ? summarise(got) : null,
      field,
    },
  );
}
