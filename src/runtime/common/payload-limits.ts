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
