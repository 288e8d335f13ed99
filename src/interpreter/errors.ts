/**
 * Errors the core throws. The core never throws for a workflow's own failure (that is run state);
 * it throws only when it is misused — an event for another definition, an event before the run
 * started — or when its own bookkeeping is inconsistent (a bug).
 */
import { FlowlineError } from '../errors.js';

/** The caller broke the core's contract (wrong definition, wrong event for the state). */
export class CoreMisuseError extends FlowlineError {
  constructor(message: string, details?: unknown) {
    super('CoreMisuse', message, details);
  }
}

/** The core's bookkeeping is inconsistent: a bug in the interpreter. */
export class CoreInvariantError extends FlowlineError {
  constructor(message: string) {
    super('CoreInvariant', message);
  }
}

/** A query failed to evaluate (`type` is ExpressionError or ExpressionTimeout). */
export class QueryFailedError extends FlowlineError {
  constructor(type: string, message: string, name: string) {
    super(type, `query "${name}" failed: ${message}`, { query: name });
  }
}

/** Where a replay and its history parted, for tools (no payloads: fields are named, not shown). */
export interface NonDeterminismDetails {
  readonly runId: string;
  /** Index of the history entry that differs (or would come next, when one side has fewer). */
  readonly entryIndex: number;
  /** Index of the entry carrying the event whose decision differs. */
  readonly eventIndex: number;
  readonly eventType: string;
  /** Path (JSON pointer) and id of the step the differing entry is about, when it names one. */
  readonly path?: string;
  readonly stepId?: string;
  /** What history holds and what the definition now gives, summarised (`StepScheduled seq 3 activity "x"`), or null when absent. */
  readonly expected: string | null;
  readonly got: string | null;
  /** The first differing field (`type`, `seq`, `details.activity`…), or null when one side has no entry. */
  readonly field: string | null;
}

/**
 * Replaying a run's history through `decide` gave a different decision than the one history
 * recorded: the definition (or the core) no longer does what it did when the run was made.
 */
export class NonDeterminismError extends FlowlineError {
  declare readonly details: NonDeterminismDetails;
  constructor(message: string, details: NonDeterminismDetails) {
    super('NonDeterminism', message, details);
  }
}
