/**
 * The last committed state of running runs, kept in memory so the next transition of a run can
 * decide without loading it. Safe to be stale: every commit checks the revision and generation,
 * and anything but a clean commit falls back to a load.
 */
import type { RunState } from '../../interpreter/types.js';

/** A run's state as this process last committed it, with the generation it was committed under. */
export interface CachedRun {
  readonly state: RunState;
  readonly generation: string;
}

/** At most this many running runs' states per cache (the oldest is dropped first). */
const DEFAULT_LIMIT = 5_000;

/** A bounded map of run id → last committed state. */
export class StateCache {
  private readonly entries = new Map<string, CachedRun>();

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /** Takes a run's entry out (a transition uses it once; the commit puts the new one back). */
  take(runId: string): CachedRun | undefined {
    const entry = this.entries.get(runId);
    if (entry) this.entries.delete(runId);
    return entry;
  }

  /** Remembers (or, with null, forgets) the state just committed for a run. */
  remember(runId: string, entry: CachedRun | null): void {
    this.entries.delete(runId);
    if (entry === null) return;
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(runId, entry);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Caches shared by the runtimes of one process that talk to the same Redis and key prefix, so an
 * engine hands a run to an in-process worker without a load (measured: one round trip fewer per
 * started run). This registry is the one deliberate piece of process-wide state of the Redis
 * adapter; a runtime created with `shareStateCache: false` (or its own `stateCache`) stays out of it.
 */
export class StateCacheRegistry {
  private readonly byScope = new Map<string, StateCache>();

  /** The cache of a scope (Redis server, database and key prefix), made on first use. */
  forScope(scope: string): StateCache {
    let cache = this.byScope.get(scope);
    if (!cache) this.byScope.set(scope, (cache = new StateCache()));
    return cache;
  }
}

/** The process's registry (see {@link StateCacheRegistry}). */
export const processStateCaches = new StateCacheRegistry();
