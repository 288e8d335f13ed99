/** Hand-built normalised definitions for graph tests (independent of the loader). */
import type { Step, WorkflowDefinition } from '../../src/definition/types.js';

/** A minimal definition around the given steps. */
export function definitionOf(steps: Step[], extra: Partial<WorkflowDefinition> = {}): WorkflowDefinition {
  return {
    dsl: 'flowline/v1',
    name: 'graph-fixture',
    version: 1,
    signals: {},
    queries: {},
    defaults: {},
    steps,
    digest: 'test',
    ...extra,
  };
}

export const call = (id: string, activity: string, more: Partial<Step> = {}): Step =>
  ({ kind: 'call', path: `/steps/${id}`, id, call: activity, ...more }) as Step;
