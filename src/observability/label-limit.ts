/** Bounds the number of distinct values a metric label can take, so a runaway name cannot explode a time series count. */

/** The value every label past the limit is collapsed into. */
export const OVERFLOW_LABEL = '__other__';

/**
 * Remembers the first `max` distinct values it sees and maps any further one to
 * {@link OVERFLOW_LABEL}. Flow, activity and queue names are bounded by what is deployed, but a
 * bug or a hostile caller could still invent names: this is the guard. Holds state (the set).
 */
export class LabelLimiter {
  readonly #seen = new Set<string>();
  constructor(readonly max: number) {}

  /** The label to record for `value`: itself while fewer than `max` values are known, else `__other__`. */
  label(value: string): string {
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.max) return OVERFLOW_LABEL;
    this.#seen.add(value);
    return value;
  }
}
