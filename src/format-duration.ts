/**
 * Milliseconds written the way authors write durations (`250ms`, `30s`, `1m30s`, `48h`, `7d`), for
 * messages. Lives at the root of src/ (like errors.ts) because activities/ may not import
 * definition/; src/definition/duration.ts re-exports it for the language's own modules. Pure.
 */

const UNITS: ReadonlyArray<readonly [number, string]> = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'm'],
];

/**
 * `172800000` → `48h`, `90000` → `1m30s`, `1500` → `1.5s`, `250` → `250ms`. Days only from three
 * days up (`48h` reads better than `2d`); seconds keep a fraction rather than a trailing `ms`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  const whole = Math.round(ms);
  if (whole < 1000) return `${whole}ms`;
  let rest = whole;
  let text = '';
  for (const [size, unit] of UNITS) {
    if (unit === 'd' && whole < 3 * size) continue;
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  if (rest > 0) text += `${Number((rest / 1000).toFixed(3))}s`;
  return text;
}
