/** Mocked activities: fixed outputs, typed errors, lists consumed one per call, and the call recorder. */
import { describe, expect, it } from 'vitest';
import { ActivityError } from '../../src/activities/errors.js';
import type { ActivityContext } from '../../src/activities/types.js';
import { caseActivities } from '../../src/flowtest/index.js';

const ctx = {} as ActivityContext;

describe('flow test mocks', () => {
  it('answers with a copy of a fixed output, every time', async () => {
    const output = { id: 'r1', nested: { n: 1 } };
    const { activities, calls } = caseActivities({}, { 'a.b': { output } });
    const first = (await activities['a.b']?.({}, ctx)) as typeof output;
    first.nested.n = 99;
    expect(await activities['a.b']?.({}, ctx)).toEqual({ id: 'r1', nested: { n: 1 } });
    expect(calls).toEqual(['a.b', 'a.b']);
  });

  it('throws typed errors with message, details and retryability', async () => {
    const { activities } = caseActivities({}, {
      'p.charge': { error: { type: 'CardDeclined', message: 'no', details: { code: 51 }, nonRetryable: true } },
      'p.other': { error: { type: 'Busy' } },
    });
    const thrown = await Promise.resolve()
      .then(() => activities['p.charge']?.({}, ctx))
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ActivityError);
    expect(thrown).toMatchObject({ type: 'CardDeclined', message: 'no', details: { code: 51 }, nonRetryable: true });
    const other = await Promise.resolve()
      .then(() => activities['p.other']?.({}, ctx))
      .catch((e: unknown) => e);
    expect(other).toMatchObject({ type: 'Busy', message: 'mocked Busy from p.other', nonRetryable: false });
  });

  it('consumes a list one answer per call and repeats the last', async () => {
    const { activities } = caseActivities({}, { 'a.b': [{ error: { type: 'Flaky' } }, { output: 1 }, { output: 2 }] });
    const results: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      results.push(await Promise.resolve().then(() => activities['a.b']?.({}, ctx)).catch((e: ActivityError) => e.type));
    }
    expect(results).toEqual(['Flaky', 1, 2, 2, 2]);
  });

  it('lets mocks win over real handlers, records real calls, and leaves unknown activities unregistered', async () => {
    const { activities, calls } = caseActivities(
      { 'real.one': () => 'real', 'real.two': () => 'also real' },
      { 'real.two': { output: 'mocked' } },
    );
    expect(await activities['real.one']?.({}, ctx)).toBe('real');
    expect(await activities['real.two']?.({}, ctx)).toBe('mocked');
    expect(calls).toEqual(['real.one', 'real.two']);
    expect(activities['not.there']).toBeUndefined();
  });
});
