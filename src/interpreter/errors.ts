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
