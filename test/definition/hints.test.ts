/** Typo suggestions and the YAML slips around expressions. */
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, explainYamlError, listOf, nearest, preview } from '../../src/definition/hints.js';
import { STEP_KINDS } from '../../src/definition/types.js';

describe('nearest key', () => {
  it.each([
    ['cal', 'call'],
    ['wiat', 'wait'],
    ['waitsignal', 'waitSignal'],
    ['forEahc', 'forEach'],
    ['paralel', 'parallel'],
    ['retries', 'retry'],
    ['compensation', 'compensate'],
  ])('%s → %s', (typo, expected) => {
    expect(nearest(typo, [...STEP_KINDS, 'retry', 'timeout', 'id'])).toBe(expected);
  });

  it('suggests nothing when nothing is close', () => {
    expect(nearest('banana', [...STEP_KINDS])).toBeUndefined();
    expect(didYouMean('zzz', ['call'])).toBeUndefined();
    expect(didYouMean('cal', ['call'])).toBe('did you mean `call`?');
  });

  it('counts a transposition as one edit', () => {
    expect(editDistance('wiat', 'wait')).toBe(1);
    expect(editDistance('call', 'call')).toBe(0);
    expect(editDistance('abc', '')).toBe(3);
  });
});

describe('wording helpers', () => {
  it('lists values in backticks', () => {
    expect(listOf(['all'])).toBe('`all`');
    expect(listOf(['all', 'any'])).toBe('`all` or `any`');
    expect(listOf(['a', 'b', 'c'], 'and')).toBe('`a`, `b` and `c`');
  });

  it('never echoes more than a short preview of user data', () => {
    expect(preview('x'.repeat(500))).toHaveLength(40);
    expect(preview({ a: 1 })).toBe('{"a":1}');
  });
});

describe('YAML slips', () => {
  it('an expression inside a flow map', () => {
    const text = 'with: { sku: ${ $input.sku } }\n';
    expect(explainYamlError('UNEXPECTED_TOKEN', text, text.indexOf('{ $'))?.message).toMatch(/must be quoted/);
  });

  it('an unquoted expression holding `: `', () => {
    const text = 'when: ${ $x = "a: b" }\n';
    expect(explainYamlError('BLOCK_AS_IMPLICIT_KEY', text, 6)?.hint).toMatch(/quotes/);
  });

  it('leaves other YAML errors to YAML', () => {
    expect(explainYamlError('BAD_INDENT', 'a:\n b: 1\n c: 2\n', 5)).toBeUndefined();
  });
});
