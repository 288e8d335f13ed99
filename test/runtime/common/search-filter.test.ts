/** `list --where` conditions: parsing and matching, shared by both runtimes. */
import { describe, expect, it } from 'vitest';
import { matchesWhere, parseWhere, satisfies } from '../../../src/runtime/common/search-filter.js';
import { coerceAttribute } from '../../../src/interpreter/search-attributes.js';

describe('parseWhere', () => {
  it('reads name, operator and value, the longest operator first', () => {
    expect(parseWhere('total>=100')).toEqual({ attribute: 'total', op: '>=', value: '100' });
    expect(parseWhere(' customer = ann ')).toEqual({ attribute: 'customer', op: '=', value: 'ann' });
    expect(parseWhere('note!=a=b')).toEqual({ attribute: 'note', op: '!=', value: 'a=b' });
  });

  it('refuses a condition without a value or operator with WhereInvalid saying how to write it', () => {
    for (const text of ['total>', 'customer', '=ann', '9x=1']) {
      expect(() => parseWhere(text)).toThrow(expect.objectContaining({ type: 'WhereInvalid', message: expect.stringContaining('customer=ann') }));
    }
  });
});

describe('satisfies', () => {
  it('compares numbers by value, times in time order, keywords only by = and !=', () => {
    expect(satisfies(150, parseWhere('total>100'))).toBe(true);
    expect(satisfies(100, parseWhere('total>100'))).toBe(false);
    expect(satisfies(100, parseWhere('total=1e2'))).toBe(true);
    expect(satisfies('2027-01-15T00:00:00.000Z', parseWhere('at<2027-02-01'))).toBe(true);
    expect(satisfies('2027-01-15T00:00:00.000Z', parseWhere('at=2027-01-15T00:00:00Z'))).toBe(true);
    expect(satisfies('ann', parseWhere('customer=ann'))).toBe(true);
    expect(satisfies('ann', parseWhere('customer>a'))).toBe(false);
    expect(satisfies(5, parseWhere('total!=abc'))).toBe(true);
  });

  it('an unset attribute matches nothing, not even !=', () => {
    expect(satisfies(null, parseWhere('total!=1'))).toBe(false);
    expect(matchesWhere({}, [parseWhere('customer!=ann')])).toBe(false);
    expect(matchesWhere({ searchAttributes: { customer: 'bob' } }, [])).toBe(true);
  });
});

describe('coerceAttribute', () => {
  it('keeps a value of its type and unsets one that is not', () => {
    expect(coerceAttribute('keyword', 12)).toBe('12');
    expect(coerceAttribute('keyword', { a: 1 })).toBeNull();
    expect(coerceAttribute('number', '12')).toBeNull();
    expect(coerceAttribute('number', Number.NaN)).toBeNull();
    expect(coerceAttribute('time', '2027-01-01T01:00:00+01:00')).toBe('2027-01-01T00:00:00.000Z');
    expect(coerceAttribute('time', 'soon')).toBeNull();
  });
});
