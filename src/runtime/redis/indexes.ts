/**
 * The run indexes behind `list`: sorted sets of every run, by status and by workflow name. The
 * commit script (lua/commit-transition.lua) writes a run's entries in the same atomic step as
 * the run; readers repair what expiry leaves behind (`list` re-checks every entry against the
 * run's own state and drops entries whose run has expired).
 */
import type { Redis } from 'ioredis';
import { RUN_STATUSES, type RunState } from '../../interpreter/types.js';
import { startedInWindow, type ListFilter, type RunSummary } from '../engine.js';
import { toRunSummary } from '../common/run-views.js';
import type { KeyLayout } from './keys.js';

const DEFAULT_LIST_LIMIT = 100;

/** Maintains and reads the indexes. Side effects: Redis I/O. */
export class RunIndexes {
  constructor(
    private readonly client: Redis,
    private readonly keys: KeyLayout,
  ) {}

  /** Runs matching the filter, newest first. Entries of expired runs are dropped from the indexes on the way. */
  async list(filter: ListFilter, load: (runIds: string[]) => Promise<(RunState | null)[]>): Promise<RunSummary[]> {
    const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
    // With a time window, read an index scored by start time (`all`, `name:`) by score, so that only
    // the window is scanned; a `status:` index is scored by end time once a run has finished.
    const windowed = filter.startedAfter !== undefined || filter.startedBefore !== undefined;
    const source =
      filter.status !== undefined && !windowed
        ? this.keys.indexStatus(filter.status)
        : filter.name !== undefined
          ? this.keys.indexName(filter.name)
          : this.keys.indexAll;
    const max = filter.startedBefore === undefined ? '+inf' : `(${filter.startedBefore}`;
    const min = filter.startedAfter === undefined ? '-inf' : String(filter.startedAfter);
    const rows: RunState[] = [];
    const batch = 200;
    for (let offset = 0; rows.length < limit; offset += batch) {
      const ids = windowed ? await this.client.zrevrangebyscore(source, max, min, 'LIMIT', offset, batch) : await this.client.zrevrange(source, offset, offset + batch - 1);
      if (ids.length === 0) break;
      const states = await load(ids);
      const gone: string[] = [];
      states.forEach((state, i) => {
        if (!state) {
          gone.push(ids[i]);
          return;
        }
        if (filter.status !== undefined && state.status !== filter.status) return;
        if (filter.name !== undefined && state.workflow.name !== filter.name) return;
        if (!startedInWindow(filter, state.startedAt)) return;
        rows.push(state);
      });
      if (gone.length) await this.forget(gone, source);
      if (ids.length < batch) break;
    }
    rows.sort((a, b) => b.startedAt - a.startedAt || a.runId.localeCompare(b.runId));
    return rows.slice(0, limit).map(toRunSummary);
  }

  /**
   * Drops index entries of runs that have expired, scanning entries older than `olderThan` (epoch
   * ms). Returns how many were dropped. Used by the worker's periodic maintenance.
   */
  async prune(olderThan: number, exists: (runIds: string[]) => Promise<boolean[]>): Promise<number> {
    let dropped = 0;
    const sources = [this.keys.indexAll, ...RUN_STATUSES.map((s) => this.keys.indexStatus(s))];
    const names = await this.client.smembers(this.keys.definitionNames);
    sources.push(...names.map((n) => this.keys.indexName(n)));
    for (const source of sources) {
      const ids = await this.client.zrangebyscore(source, '-inf', olderThan, 'LIMIT', 0, 5000);
      if (ids.length === 0) continue;
      const present = await exists(ids);
      const gone = ids.filter((_, i) => !present[i]);
      if (gone.length) await this.client.zrem(source, ...gone);
      dropped += gone.length;
    }
    return dropped;
  }

  private async forget(runIds: string[], source: string): Promise<void> {
    await this.client.zrem(source, ...runIds);
  }
}
