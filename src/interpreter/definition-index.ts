/**
 * An index of a definition's steps by path and of its step lists by a block key, so run state can
 * name a step or a list with a short string instead of holding definition objects. Memoised per
 * definition object (the definition is immutable, so the index never changes).
 */
import type { Step, StepPath, WorkflowDefinition } from '../definition/types.js';
import { ROOT_LIST } from './core-state.js';

/** Steps by path and step lists by block key. */
export interface DefinitionIndex {
  readonly steps: ReadonlyMap<StepPath, Step>;
  readonly lists: ReadonlyMap<string, readonly Step[]>;
}

/** Block keys: the body of a composite step, a switch case, a catch clause, a compensation. */
export const listKey = {
  body: (path: StepPath): string => `${path}#steps`,
  case: (path: StepPath, i: number): string => `${path}#case${i}`,
  handler: (path: StepPath, i: number): string => `${path}#catch${i}`,
  compensation: (path: StepPath): string => `${path}#compensate`,
};

const memo = new WeakMap<WorkflowDefinition, DefinitionIndex>();

/** The index of a definition (memoised). Pure. */
export function indexDefinition(definition: WorkflowDefinition): DefinitionIndex {
  const hit = memo.get(definition);
  if (hit) return hit;
  const steps = new Map<StepPath, Step>();
  const lists = new Map<string, readonly Step[]>();
  lists.set(ROOT_LIST, definition.steps);
  const visitList = (list: readonly Step[]): void => list.forEach(visit);
  const visit = (step: Step): void => {
    steps.set(step.path, step);
    step.catch?.forEach((clause, i) => {
      lists.set(listKey.handler(step.path, i), clause.steps);
      visitList(clause.steps);
    });
    if (step.compensate) {
      lists.set(listKey.compensation(step.path), [step.compensate]);
      visit(step.compensate);
    }
    switch (step.kind) {
      case 'steps':
      case 'try':
      case 'forEach':
      case 'repeat':
        lists.set(listKey.body(step.path), step.steps);
        visitList(step.steps);
        break;
      case 'parallel':
        visitList(step.branches);
        break;
      case 'switch':
        step.cases.forEach((c, i) => {
          lists.set(listKey.case(step.path, i), c.steps);
          visitList(c.steps);
        });
        break;
      default:
        break;
    }
  };
  visitList(definition.steps);
  const index = { steps, lists };
  memo.set(definition, index);
  return index;
}
