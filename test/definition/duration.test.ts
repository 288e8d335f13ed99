/** Durations: `<n>ms|s|m|h|d` and ISO-8601, in whole milliseconds; anything else explains itself. */
import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, isDuration, parseDuration } from '../../src/definition/duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['48h', 172_800_000],
    ['7d', 604_800_000],
    ['PT30S', 30_000],
    ['PT1H30M', 5_400_000],
    ['P1DT2H', 93_600_000],
    ['P2D', 172_800_000],
    ['P1W', 604_800_000],
    ['PT0.5S', 500],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(isDuration(text)).toBe(true);
  });

  it.each([
    [30, /needs a unit: write `30s`/],
    ['30', /needs a unit/],
    ['30 s', /number and unit together/],
    ['30sec', /unknown unit `sec`/],
    ['P1M', /months and years are not allowed/],
    ['P', /incomplete ISO-8601/],
    ['PT', /incomplete ISO-8601/],
    ['soon', /is not a duration/],
    [null, /text such as `30s`/],
    ['999999999d', /longer than the longest/],
  ])('%s is refused with a reason', (value, reason) => {
    expect(() => parseDuration(value)).toThrow(DurationError);
    expect(() => parseDuration(value)).toThrow(reason);
    expect(isDuration(value)).toBe(false);
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [30_000, '30s'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [172_800_000, '48h'],
    [259_200_000, '3d'],
    [604_800_000, '7d'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
