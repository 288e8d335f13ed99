/**
 * Deciding several callers' events on one run state, in order, as one transition: what a run
 * driver commits at once when events for a run arrive together (a fan-out's answers, a signal
 * with an answer). Each caller learns whether its own events were accepted. Nothing is stored. Pure
 * apart from the callers' event builders (which may throw to refuse).
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import { decide, isTerminal } from '../../interpreter/index.js';
import type { Decision, RunEvent, RunState } from '../../interpreter/types.js';
import { stampEvent, type TimedEventInput } from './events.js';
import type { EngineLimits } from './limits.js';

/** Outcome of applying one caller's events. */
export interface ApplyResult {
  /** False when the core ignored the event (stale or duplicate answer, or `build` returned null). */
  readonly accepted: boolean;
  readonly state: RunState;
}

/**
 * How an event is applied: built from the current state (may throw to refuse, or return null to
 * skip). A list is decided in order and committed as one transition; it is accepted only when
 * its first event is, and the rest are decided only while the run is not finished.
 */
export type EventBuilder = (state: RunState, definition: WorkflowDefinition) => TimedEventInput | readonly TimedEventInput[] | null;

/** One caller's part of a batch. */
export interface BatchItem {
  readonly build: EventBuilder;
  /** The events' time is at least this (a timer fires no earlier than it was due). */
  readonly notBefore: number;
}

/** What one caller of a batch gets: its result, or what its builder (or decision) threw. */
export type ItemResult = ApplyResult | { readonly error: unknown };

/** A batch decided on one state: the combined decision of what was accepted, and each caller's result. */
export interface DecidedBatch {
  readonly definition: WorkflowDefinition;
  readonly decision: Decision | undefined;
  readonly events: readonly RunEvent[];
  readonly results: readonly ItemResult[];
}

/** Decides every caller's events on `state`, in order, stamped at `now` (nothing is stored). */
export async function decideBatch(
  definition: WorkflowDefinition,
  state: RunState,
  batch: readonly BatchItem[],
  now: number,
  limits: EngineLimits['expression'],
): Promise<DecidedBatch> {
  let decision: Decision | undefined;
  const events: RunEvent[] = [];
  const accepted: boolean[] = [];
  const errors = new Map<number, unknown>();
  for (const [index, item] of batch.entries()) {
    const before: RunState = decision?.state ?? state;
    try {
      const built = item.build(before, definition);
      const inputs: readonly TimedEventInput[] = built === null ? [] : Array.isArray(built) ? built : [built as TimedEventInput];
      let mine: Decision | undefined;
      const mineEvents: RunEvent[] = [];
      for (const input of inputs) {
        const current: RunState = mine?.state ?? before;
        if (mine && isTerminal(current.status)) break;
        const event = stampEvent(input, now, current.updatedAt, item.notBefore);
        const decided = await decide(definition, current, event, { limits });
        // The first event decides whether the caller's events are taken at all.
        if (!decided.accepted) {
          if (!mine) break;
          continue;
        }
        mine = mine ? combineDecisions(mine, decided) : decided;
        mineEvents.push(event);
      }
      accepted[index] = mine !== undefined;
      if (mine) {
        decision = decision ? combineDecisions(decision, mine) : mine;
        events.push(...mineEvents);
      }
    } catch (error) {
      errors.set(index, error);
    }
  }
  const final = decision?.state ?? state;
  const results = batch.map((_item, i): ItemResult => (errors.has(i) ? { error: errors.get(i) } : { accepted: accepted[i] === true, state: final }));
  return { definition, decision, events, results };
}

/**
 * Two decisions made one after the other on the same run, as one (the second's state). When the
 * second continued the run as new, the first's history belongs to the generation it ended and
 * is dropped with it. Pure.
 */
export function combineDecisions(first: Decision, second: Decision): Decision {
  const restarted = first.historyRestarted === true || second.historyRestarted === true;
  return {
    accepted: true,
    state: second.state,
    commands: [...first.commands, ...second.commands],
    history: second.historyRestarted ? second.history : [...first.history, ...second.history],
    ...(restarted ? { historyRestarted: true } : {}),
  };
}
