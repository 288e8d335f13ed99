/**
 * Queries (SPEC §6): a named expression of the definition evaluated against a run's current state,
 * read-only, in any status. `$steps` is the top-level scope; `$now()` is the run's last update.
 */
import type { WorkflowDefinition } from '../definition/types.js';
import { DEFAULT_LIMITS } from '../expression/index.js';
import { QueryNotFoundError } from '../errors.js';
import type { EvaluationLimits, RunState } from './types.js';
import { ROOT_SCOPE, type CoreState } from './core-state.js';
import { deterministicUuid } from './determinism.js';
import { evaluateIn } from './evaluate.js';
import { QueryFailedError } from './errors.js';

/** Evaluates query `name` on `state`. Throws QueryNotFoundError or QueryFailedError; never changes the state. */
export async function evaluateQuery(
  definition: WorkflowDefinition,
  state: RunState,
  name: string,
  options: { readonly limits?: EvaluationLimits } = {},
): Promise<unknown> {
  if (!Object.prototype.hasOwnProperty.call(definition.queries, name)) {
    throw new QueryNotFoundError(name, Object.keys(definition.queries));
  }
  const core = state.core as CoreState;
  let counter = 0;
  const result = await evaluateIn(
    {
      runId: state.runId,
      definition,
      input: state.input,
      vars: state.vars,
      scopes: core.scopes,
      startedAt: state.startedAt,
      attempt: state.retries + 1,
      at: state.updatedAt,
      limits: options.limits ?? DEFAULT_LIMITS,
      // Read-only: `$uuid()` in a query does not advance the run's counter.
      uuid: () => deterministicUuid(`${state.runId}:query`, counter++),
    },
    definition.queries[name],
    ROOT_SCOPE,
    null,
    { output: state.output },
  );
  if (!result.ok) throw new QueryFailedError(result.error.type, result.error.message, name);
  return result.value;
}
