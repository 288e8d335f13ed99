/**
 * Partitions of a deployment on Redis Cluster (decision 0017). A run belongs to one index
 * partition (its keys, its index entries and its outbox/timer bookkeeping share that partition's
 * hash tag, so every script touches one slot) and its jobs to one queue partition of each BullMQ
 * queue. Both are chosen by a stable hash of the run id, so any process finds them again. Pure.
 */

/** The partition settings of a deployment. */
export interface PartitionSettings {
  /**
   * Index partitions (N): fixed for the life of a deployment's data (changing it would move every
   * run's keys). Undefined on a single Redis: the unpartitioned layout (each run its own tag).
   */
  readonly index?: number;
  /** Queue partitions (P) of every BullMQ queue; may grow (workers serve all partitions). Default 1. */
  readonly queues?: number;
}

/** FNV-1a, 32 bits, over the UTF-16 code units of `text`: stable across processes and versions. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The partition (0 … count-1) of a run id among `count`. */
export function partitionOf(runId: string, count: number): number {
  return count <= 1 ? 0 : stableHash(runId) % count;
}
