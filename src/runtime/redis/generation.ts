/**
 * Generation tokens: one per incarnation of a run id, so a commit prepared for a run that has
 * since been replaced (same id, new run) is refused. Unique across processes by a random prefix,
 * within a process by a counter (no random bytes per run).
 */
import { randomBytes } from 'node:crypto';

/** Makes generation tokens. Each instance has its own random prefix. */
export class GenerationTokens {
  private readonly prefix = randomBytes(6).toString('base64url');
  private counter = 0;

  next(): string {
    this.counter = (this.counter + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.prefix}${this.counter.toString(36)}`;
  }
}
