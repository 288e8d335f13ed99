import { describe, expect, it } from 'vitest';
import { ActivityRegistry } from '../../src/activities/registry.js';
import { ActivityError, nonRetryable } from '../../src/activities/errors.js';
import { ActivityModuleError } from '../../src/errors.js';

describe('ActivityRegistry', () => {
  it('looks handlers up by dotted name', () => {
    const reserve = async () => ({ id: 'r1' });
    const registry = new ActivityRegistry({ 'inventory.reserve': reserve });
    registry.register('payments.charge', () => null);
    expect(registry.get('inventory.reserve')).toBe(reserve);
    expect(registry.has('payments.charge')).toBe(true);
    expect(registry.get('nope')).toBeUndefined();
    expect(registry.names()).toEqual(['inventory.reserve', 'payments.charge']);
  });

  it('refuses a handler that is not a function, and a malformed name', () => {
    expect(() => new ActivityRegistry({ 'a.b': 42 as never })).toThrow(ActivityModuleError);
    expect(() => new ActivityRegistry({ 'a..b': () => null })).toThrow(/dotted name/);
  });
});

describe('ActivityError', () => {
  it('carries type, details and retryability', () => {
    const error = new ActivityError('CardDeclined', 'declined', { nonRetryable: true, details: { code: 51 } });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'CardDeclined', type: 'CardDeclined', nonRetryable: true, details: { code: 51 } });
    expect(new ActivityError('X', 'y').nonRetryable).toBe(false);
  });

  it('nonRetryable keeps the type of what it wraps', () => {
    const original = new TypeError('bad');
    const wrapped = nonRetryable(original);
    expect(wrapped).toMatchObject({ type: 'TypeError', message: 'bad', nonRetryable: true });
    expect(wrapped.cause).toBe(original);
    expect(nonRetryable(new ActivityError('Mine', 'm', { details: 1 }))).toMatchObject({ type: 'Mine', details: 1, nonRetryable: true });
  });
});
