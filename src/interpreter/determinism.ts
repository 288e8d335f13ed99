/**
 * Deterministic stand-ins for randomness: `$uuid()` and retry jitter are derived by hashing the
 * run id with a counter or a sequence number, so a replay of the same events gives the same values.
 */
import { createHash } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A v4-shaped UUID derived from sha256(`${runId}:${counter}`). Pure. */
export function deterministicUuid(runId: string, counter: number): string {
  const bytes = digest(`${runId}:${counter}`).subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A number in [0, 1) derived from sha256(`${runId}:${seq}`). Pure. */
export function deterministicFraction(runId: string, seq: number): number {
  return digest(`${runId}:${seq}`).readUInt32BE(0) / 0x1_0000_0000;
}
