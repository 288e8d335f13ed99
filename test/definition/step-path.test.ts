import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rawStepFacts, readableStepPath } from '../../src/definition/step-path.js';

const document = parse(`
dsl: flowline/v1
name: t
version: 1
steps:
  - set: { a: 1 }
  - id: reserve
    call: inventory.reserve
    compensate:
      call: inventory.release
  - call: payments.charge
    catch:
      - errors: [CardDeclined]
        steps:
          - call: mail.send
          - wait: 1s
          - set: { declined: true }
  - parallel:
      - call: a.b
      - steps:
          - set: { x: 1 }
  - switch:
      - when: \${ true }
        steps:
          - fail: Nope
      - default:
          - id: fallback
            set: { y: 1 }
          - return: 1
`);

const path = (pointer: string): string => readableStepPath(pointer, rawStepFacts(document));

describe('readableStepPath', () => {
  it.each([
    ['/steps/0', 'step 1 (set)'],
    ['/steps/1', 'reserve'],
    ['/steps/1/compensate', 'reserve › compensate (call inventory.release)'],
    ['/steps/2', 'step 3 (call payments.charge)'],
    ['/steps/2/catch/0', 'step 3 (call payments.charge) › catch 1'],
    ['/steps/2/catch/0/steps/2', 'step 3 (call payments.charge) › catch 1 › step 3 (set)'],
    ['/steps/3/parallel/1/steps/0', 'step 4 (parallel) › branch 2 (steps) › step 1 (set)'],
    ['/steps/4/switch/0/steps/0', 'step 5 (switch) › case 1 › step 1 (fail)'],
    ['/steps/4/switch/1/default/0', 'fallback'],
    ['/steps/4/switch/1/default/1', 'step 5 (switch) › default › step 2 (return)'],
    ['', 'the workflow'],
  ])('%s reads %s', (pointer, readable) => {
    expect(path(pointer)).toBe(readable);
  });

  it('starts at the nearest enclosing step with an id', () => {
    const withId = parse('steps:\n  - id: pay\n    try:\n      - call: a.b\n      - set: { x: 1 }\n    catch:\n      - steps:\n          - set: { y: 1 }\n');
    expect(readableStepPath('/steps/0/try/1', rawStepFacts(withId))).toBe('pay › step 2 (set)');
    expect(readableStepPath('/steps/0/catch/0/steps/0', rawStepFacts(withId))).toBe('pay › catch 1 › step 1 (set)');
  });
});
