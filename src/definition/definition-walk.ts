/**
 * Walks the steps of a normalised definition (`WorkflowDefinition`) at any depth: nested
 * sequences, branches, cases, catch handlers and compensations. Pure. (step-walk.ts walks the
 * raw document, before normalisation.)
 */
import type { Step } from './types.js';

/** Call `visit` on each step, parents before children. */
export function everyStep(steps: readonly Step[], visit: (step: Step) => void): void {
  for (const step of steps) {
    visit(step);
    const nested: Step[] = [];
    if ('steps' in step && Array.isArray(step.steps)) nested.push(...step.steps);
    if (step.kind === 'parallel') nested.push(...step.branches);
    if (step.kind === 'switch') for (const c of step.cases) nested.push(...c.steps);
    for (const clause of step.catch ?? []) nested.push(...clause.steps);
    if (step.compensate) nested.push(step.compensate);
    everyStep(nested, visit);
  }
}

/** Names of every activity the steps can call (compensations and handlers included). */
export function activityNames(steps: readonly Step[]): Set<string> {
  const names = new Set<string>();
  everyStep(steps, (step) => {
    if (step.kind === 'call') names.add(step.call);
  });
  return names;
}

/** Names of the child workflows the steps can start (compensations and handlers included). */
export function childWorkflowNames(steps: readonly Step[]): Set<string> {
  const names = new Set<string>();
  everyStep(steps, (step) => {
    if (step.kind === 'workflow') names.add(step.workflow);
  });
  return names;
}
