/** The expectation rules of flow tests: what is checked, how, and the reasons given. */
import { describe, expect, it } from 'vitest';
import { compare, firstDifference, type Observed } from '../../src/flowtest/index.js';

const completed: Observed = { status: 'completed', output: { a: 1, list: [1, 2] }, error: null, calls: ['x.a', 'x.b'], vars: { v: 1, w: 'two' } };
const failed: Observed = {
  status: 'compensated',
  output: null,
  error: { type: 'CardDeclined', message: 'declined', step: 'pay' },
  calls: ['x.a', 'x.undo'],
  vars: {},
};

describe('flow test expectations', () => {
  it.each([
    ['nothing given: the run must complete', {}, completed, []],
    ['nothing given, run failed', {}, failed, ['status: expected completed, got compensated (CardDeclined: declined)']],
    ['status matches', { status: 'compensated' as const }, failed, []],
    ['status differs', { status: 'failed' as const }, failed, ['status: expected failed, got compensated (CardDeclined: declined)']],
    ['error subset by type', { error: { type: 'CardDeclined' } }, failed, []],
    ['error subset by type and message', { error: { type: 'CardDeclined', message: 'declined' } }, failed, []],
    ['error message differs', { error: { type: 'CardDeclined', message: 'nope' } }, failed, ['error.message: expected "nope", got "declined"']],
    [
      'error expected, run completed',
      { error: { type: 'CardDeclined' } },
      completed,
      ['status: expected the run to fail, but it completed with output {"a":1,"list":[1,2]}', 'error: expected {"type":"CardDeclined"}, got no error'],
    ],
    ['error: null asserts no error', { error: null }, completed, []],
    ['error: null with an error', { status: 'compensated' as const, error: null }, failed, ['error: expected none, got CardDeclined: declined']],
    ['output deep-equal', { output: { list: [1, 2], a: 1 } }, completed, []],
    ['output differs deep inside', { output: { a: 1, list: [1, 3] } }, completed, ['output.list[1]: expected 3, got 2']],
    ['output has an extra key', { output: { a: 1 } }, completed, ['output.list: expected nothing, got [1,2]']],
    ['calls in order', { calls: ['x.a', 'x.b'] }, completed, []],
    ['calls out of order', { calls: ['x.b', 'x.a'] }, completed, ['calls: expected [x.b, x.a], got [x.a, x.b]']],
    ['vars are a subset match', { vars: { v: 1 } }, completed, []],
    ['a var differs', { vars: { w: 'three' } }, completed, ['vars.w: expected "three", got "two"']],
    ['a var is missing', { vars: { missing: 0 } }, completed, ['vars.missing: expected 0, got nothing']],
  ])('%s', (_name, expectation, observed, reasons) => {
    expect(compare(expectation, observed)).toEqual(reasons);
  });

  it('treats a refused start as no run at all', () => {
    const refused: Observed = { status: null, output: null, error: { type: 'InputInvalid', message: 'bad' }, calls: [], vars: {} };
    expect(compare({ error: { type: 'InputInvalid' } }, refused)).toEqual([]);
    expect(compare({ status: 'failed' }, refused)).toEqual(['status: expected failed, got a refused start (InputInvalid: bad)']);
  });

  it('finds the first difference and treats undefined members as absent', () => {
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toEqual({ at: '.a[1].b', expected: 2, actual: 3 });
    expect(firstDifference([1], [1])).toBeUndefined();
    expect(compare({ output: { a: 1 } }, { ...completed, output: { a: 1, gone: undefined } })).toEqual([]);
  });
});
