/**
 * Search attributes (docs/decisions/0015): values of a run, declared by its flow, that `list`
 * filters by. Evaluated by the core after a decision that changed what they can read (the run's
 * start, its variables, its top-level step outputs, a migration), so a replay reproduces them and
 * both runtimes store the same values. A value that fails or has the wrong type is unset (null):
 * an attribute never fails a run. Pure.
 */
import type { SearchAttributeType, WorkflowDefinition } from '../definition/types.js';
import { DEFAULT_LIMITS } from '../expression/index.js';
import type { EvaluationLimits, RunState, SearchAttributeValue } from './types.js';
import { ROOT_SCOPE, type CoreState } from './core-state.js';
import { deterministicUuid } from './determinism.js';
import { evaluateIn } from './evaluate.js';
import { pmGet } from './pmap.js';

/** A value as an attribute of `type` stores it: text, a finite number, an ISO instant; null when it is none of these. Pure. */
export function coerceAttribute(type: SearchAttributeType, value: unknown): SearchAttributeValue {
  switch (type) {
    case 'keyword':
      return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'time': {
      if (typeof value !== 'string' && typeof value !== 'number') return null;
      const ms = typeof value === 'number' ? value : Date.parse(value);
      return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
    }
  }
}

/** True when `next` may read something `previous` did not hold (the inputs of search attributes). Pure. */
function inputsChanged(previous: RunState | undefined, next: RunState): boolean {
  if (!previous || previous.vars !== next.vars || previous.workflow.version !== next.workflow.version) return true;
  const before = pmGet((previous.core as CoreState).scopes, ROOT_SCOPE);
  const after = pmGet((next.core as CoreState).scopes, ROOT_SCOPE);
  return before?.steps !== after?.steps;
}

/**
 * `next` with its search attributes: evaluated again when their inputs changed since `previous`,
 * carried over otherwise. Unchanged (the same object) for a flow that declares none.
 */
export async function withSearchAttributes(
  definition: WorkflowDefinition,
  previous: RunState | undefined,
  next: RunState,
  limits: EvaluationLimits = DEFAULT_LIMITS,
): Promise<RunState> {
  const declared = definition.searchAttributes;
  if (!declared || Object.keys(declared).length === 0) {
    if (next.searchAttributes === undefined) return next;
    const { searchAttributes: _dropped, ...rest } = next;
    return rest;
  }
  if (!inputsChanged(previous, next)) {
    return previous?.searchAttributes && next.searchAttributes !== previous.searchAttributes ? { ...next, searchAttributes: previous.searchAttributes } : next;
  }
  const core = next.core as CoreState;
  const values: Record<string, SearchAttributeValue> = {};
  let counter = 0;
  for (const [name, attribute] of Object.entries(declared)) {
    const result = await evaluateIn(
      {
        runId: next.runId,
        definition,
        input: next.input,
        vars: next.vars,
        scopes: core.scopes,
        startedAt: next.startedAt,
        attempt: next.retries + 1,
        at: next.updatedAt,
        limits,
        // Like a query: `$uuid()` here does not advance the run's counter.
        uuid: () => deterministicUuid(`${next.runId}:search`, counter++),
      },
      attribute.value,
      ROOT_SCOPE,
      null,
    );
    values[name] = result.ok ? coerceAttribute(attribute.type, result.value) : null;
  }
  const same = previous?.searchAttributes && Object.keys(values).every((k) => previous.searchAttributes![k] === values[k]) && Object.keys(previous.searchAttributes).length === Object.keys(values).length;
  return { ...next, searchAttributes: same ? previous.searchAttributes! : values };
}
