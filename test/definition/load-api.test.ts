/** The loader's API surface: options, byte-order marks, issue shape. */
import { describe, expect, it } from 'vitest';
import { loadDefinition, validateDefinition } from '../../src/definition/load.js';

const FLOW = 'dsl: flowline/v1\nname: api\nversion: 1\nsteps:\n  - call: inventory.reserve\n    compensate: { call: inventory.relase }\n';

describe('validateDefinition', () => {
  it('leaves `file` out of issues when none is given', () => {
    const [issue] = validateDefinition('dsl: flowline/v1\nname: api\nversion: 1\nsteps:\n  - cal: x\n').issues;
    expect(issue).toEqual({ line: 5, column: 5, pointer: '/steps/0/cal', message: 'unknown key `cal` in a step', hint: 'did you mean `call`?' });
  });

  it('checks activity names only when a set of activities is given, compensations included', () => {
    expect(validateDefinition(FLOW).issues).toEqual([]);
    const { issues } = validateDefinition(FLOW, { activities: ['inventory.reserve', 'inventory.release'], activitiesSource: 'acts.ts' });
    expect(issues).toEqual([
      {
        line: 6,
        column: 25,
        pointer: '/steps/0/compensate/call',
        message: 'activity `inventory.relase` is not registered in acts.ts',
        hint: 'did you mean `inventory.release`?',
      },
    ]);
  });

  it('reads a document that starts with a UTF-8 byte-order mark, positions unchanged', () => {
    expect(loadDefinition(`\ufeff${FLOW}`).name).toBe('api');
    const [issue] = validateDefinition('\ufeffdsl: flowline/v2\nname: api\nversion: 1\nsteps:\n  - set: { a: 1 }\n').issues;
    expect([issue.line, issue.column]).toEqual([1, 6]);
  });

  it('gives the same definition for the same text (deterministic, frozen)', () => {
    const a = loadDefinition(FLOW);
    const b = loadDefinition(FLOW);
    expect(a).toEqual(b);
    expect(a.digest).toBe(b.digest);
    expect(() => {
      (a as { name: string }).name = 'changed';
    }).toThrow(TypeError);
  });
});
