/** Durations of the language (SPEC §1): `<n>ms|s|m|h|d` or ISO-8601 (`PT30S`, `P1DT2H`, `P2W`), in milliseconds. */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

const SHORT = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/;
const ISO = /^P(?:([0-9]+)W|([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?$/;

/** Longest duration the language accepts (about 100 years); keeps timer arithmetic exact. */
export const MAX_DURATION_MS = 100 * 365 * UNIT_MS.d;

/** Why a string is not a duration: a sentence for a person. */
export class DurationError extends Error {
  readonly type = 'DurationInvalid';
}

/**
 * Parses a duration into whole milliseconds. Pure. Throws DurationError for anything else,
 * including plain numbers (a bare `30` is ambiguous: seconds? milliseconds?).
 */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number') {
    throw new DurationError(`a duration needs a unit: write \`${value}s\` for seconds or \`${value}ms\` for milliseconds`);
  }
  if (typeof value !== 'string') throw new DurationError('a duration is text such as `30s`, `5m`, `48h` or `PT30S`');
  const text = value.trim();
  let ms: number | undefined;
  const short = SHORT.exec(text);
  if (short) ms = Number(short[1]) * UNIT_MS[short[2] as keyof typeof UNIT_MS];
  const iso = short ? null : ISO.exec(text);
  if (iso) {
    // `P` and `PT` alone match the pattern with every part empty: they say nothing.
    if (iso.slice(1).every((part) => part === undefined) || text.endsWith('T')) {
      throw new DurationError(`\`${text}\` is an incomplete ISO-8601 duration: write e.g. \`PT30S\`, \`PT5M\` or \`P1D\``);
    }
    const [weeks, days, hours, minutes, seconds] = iso.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
    ms = weeks * UNIT_MS.w + days * UNIT_MS.d + hours * UNIT_MS.h + minutes * UNIT_MS.m + seconds * UNIT_MS.s;
  }
  if (ms === undefined) throw new DurationError(describeBadDuration(text));
  const rounded = Math.round(ms);
  if (rounded > MAX_DURATION_MS) throw new DurationError(`\`${text}\` is longer than the longest duration allowed (36500d)`);
  return rounded;
}

/** True when `value` is a valid duration. Pure. */
export function isDuration(value: unknown): boolean {
  try {
    parseDuration(value);
    return true;
  } catch {
    return false;
  }
}

function describeBadDuration(text: string): string {
  if (/^[0-9]+(?:\.[0-9]+)?$/.test(text)) {
    return `a duration needs a unit: write \`${text}s\` for seconds or \`${text}ms\` for milliseconds`;
  }
  const unit = /^[0-9]+(?:\.[0-9]+)?\s*([A-Za-z]+)$/.exec(text);
  if (unit) {
    const spaced = /\s/.test(text);
    if (/^P/i.test(text)) return `\`${text}\` is not a duration`;
    return spaced
      ? `\`${text}\` is not a duration: write the number and unit together, e.g. \`30s\``
      : `\`${text}\` has an unknown unit \`${unit[1]}\`: use ms, s, m, h or d (or ISO-8601 such as PT30S)`;
  }
  if (/^P/i.test(text)) {
    return `\`${text}\` is not an ISO-8601 duration this language reads: use weeks, days, hours, minutes and seconds (e.g. \`P1DT2H\`, \`PT30S\`); months and years are not allowed`;
  }
  return `\`${text}\` is not a duration: write e.g. \`30s\`, \`250ms\`, \`5m\`, \`48h\`, \`7d\` or \`PT30S\``;
}

/** How messages print a duration (`48h`, `1m30s`, `250ms`); shared with the interpreter and activities. */
export { formatDuration } from '../format-duration.js';
