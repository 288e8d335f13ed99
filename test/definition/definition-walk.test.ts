/** The walker over normalised definitions finds steps at every depth, where `flowline run` and flow tests look for activities and children. */
import { describe, expect, it } from 'vitest';
import { activityNames, childWorkflowNames, everyStep } from '../../src/definition/definition-walk.js';
import { loadDefinition } from '../../src/definition/load.js';

const nested = loadDefinition(
  'dsl: flowline/v1\nname: nested\nversion: 1\nsteps:\n' +
    '  - parallel:\n      - call: x.inBranch\n      - workflow: child-in-branch\n' +
    '  - forEach: ${ [1] }\n    steps:\n      - call: x.inLoop\n' +
    '  - switch:\n      - when: ${ true }\n        steps: [ { call: x.inCase } ]\n      - default: [ { workflow: child-in-default } ]\n' +
    '  - repeat: { steps: [ { call: x.poll } ], until: "${ true }", max: 3 }\n' +
    '  - try: [ { id: c, call: x.c, compensate: { workflow: child-in-compensation } } ]\n    catch:\n      - steps: [ { call: x.inHandler } ]\n',
);

describe('definition walk', () => {
  it('names every activity, in branches, loops, cases, handlers and compensations', () => {
    expect([...activityNames(nested.steps)].sort()).toEqual(['x.c', 'x.inBranch', 'x.inCase', 'x.inHandler', 'x.inLoop', 'x.poll']);
  });

  it('names every child workflow, in a default case and a compensation too', () => {
    expect([...childWorkflowNames(nested.steps)].sort()).toEqual(['child-in-branch', 'child-in-compensation', 'child-in-default']);
  });

  it('visits parents before their children', () => {
    const kinds: string[] = [];
    everyStep(nested.steps.slice(0, 1), (step) => kinds.push(step.kind));
    expect(kinds).toEqual(['parallel', 'call', 'workflow']);
  });

  it('finds no child in a flow without workflow steps', () => {
    expect(childWorkflowNames(loadDefinition('dsl: flowline/v1\nname: flat\nversion: 1\nsteps:\n  - call: x.a\n').steps).size).toBe(0);
  });
});
