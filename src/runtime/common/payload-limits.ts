/** The payload size check (SPEC §9): run inputs, step outputs and signal data above the limit are refused. */
import { PayloadTooLargeError } from '../../errors.js';

/** Size of `value` as UTF-8 JSON, in bytes (`undefined` counts as `null`). Pure. */
export function jsonByteSize(value: unknown): number {
  const text = JSON.stringify(value === undefined ? null : value);
  return Buffer.byteLength(text ?? 'null', 'utf8');
}

/**
 * Throws PayloadTooLargeError when `value` is above `limitBytes`. `what` names the payload for the
 * reader, e.g. `run input`, `output of step "charge"`, `signal "approve" data`. Pure.
 */
export function checkPayloadSize(value: unknown, what: string, limitBytes: number): void {
  const size = jsonByteSize(value);
  if (size > limitBytes) throw new PayloadTooLargeError(what, size, limitBytes);
}

/**
 * A value as it will be stored: plain JSON (Dates become strings, `undefined` becomes null or
 * disappears from objects, functions and class prototypes are dropped). Pure.
 * Throws a TypeError for values JSON cannot hold (cycles, BigInt).
 */
export function toJsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

/**
 * `toJsonValue(value)` and its `jsonByteSize` from one serialisation. Primitives that JSON keeps
 * as they are skip the round trip; a string whose largest possible encoding is within
 * `sizeKnownBelow` bytes reports that bound instead of its exact size (either way it passes a
 * limit of `sizeKnownBelow`). Pure. Throws a TypeError for values JSON cannot hold.
 */
export function storedJson(value: unknown, sizeKnownBelow = 0): { value: unknown; size: number } {
  if (value === undefined || value === null) return { value: null, size: 4 };
  if (typeof value === 'boolean') return { value, size: value ? 4 : 5 };
  if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return { value, size: String(value).length };
  // Each UTF-16 unit takes at most 6 bytes of JSON (`\u001f`), plus the quotes.
  if (typeof value === 'string' && value.length * 6 + 2 <= sizeKnownBelow) return { value, size: value.length * 6 + 2 };
  const text = JSON.stringify(value);
  if (text === undefined) return { value: null, size: 4 };
  return { value: JSON.parse(text) as unknown, size: Buffer.byteLength(text, 'utf8') };
}
