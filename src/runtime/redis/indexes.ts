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
import { matchesWhere, numberOf, parseWhereList, timeOf, type WhereCondition } from '../common/search-filter.js';
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
    const where = parseWhereList(filter.where);
    const candidates = await this.searchCandidates(where);
    if (candidates) return this.listCandidates(candidates, filter, where, limit, load);
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
        if (!matchesWhere(state, where)) return;
        rows.push(state);
      });
      if (gone.length) await this.forget(gone, source);
      if (ids.length < batch) break;
    }
    rows.sort((a, b) => b.startedAt - a.startedAt || a.runId.localeCompare(b.runId));
    return rows.slice(0, limit).map(toRunSummary);
  }

  /**
   * Run ids that may satisfy the most selective indexed condition (an `=`, else a range on a
   * number or time), or null when no condition can use an index (`!=` only). Every candidate is
   * checked against its stored attributes afterwards.
   */
  private async searchCandidates(where: readonly WhereCondition[]): Promise<string[] | null> {
    const indexed = where.find((c) => c.op === '=') ?? where.find((c) => c.op !== '!=');
    if (!indexed) return null;
    const n = numberOf(indexed);
    const t = timeOf(indexed);
    const pipeline = this.client.pipeline();
    if (indexed.op === '=') pipeline.smembers(this.keys.searchKeyword(indexed.attribute, indexed.value));
    if (n !== undefined) pipeline.zrangebyscore(this.keys.searchNumber(indexed.attribute), ...scoreRange(indexed.op, n));
    if (t !== undefined) pipeline.zrangebyscore(this.keys.searchTime(indexed.attribute), ...scoreRange(indexed.op, t));
    const replies = (await pipeline.exec()) ?? [];
    const ids = new Set<string>();
    for (const [error, members] of replies) {
      if (error) throw error;
      for (const id of members as string[]) ids.add(id);
    }
    return [...ids];
  }

  /** The candidates that match the whole filter, newest first. */
  private async listCandidates(
    candidates: readonly string[],
    filter: ListFilter,
    where: readonly WhereCondition[],
    limit: number,
    load: (runIds: string[]) => Promise<(RunState | null)[]>,
  ): Promise<RunSummary[]> {
    const rows: RunState[] = [];
    const batch = 200;
    for (let offset = 0; offset < candidates.length; offset += batch) {
      const ids = candidates.slice(offset, offset + batch);
      const states = await load(ids);
      states.forEach((state) => {
        if (!state) return;
        if (filter.status !== undefined && state.status !== filter.status) return;
        if (filter.name !== undefined && state.workflow.name !== filter.name) return;
        if (!startedInWindow(filter, state.startedAt)) return;
        if (matchesWhere(state, where)) rows.push(state);
      });
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

/** ZRANGEBYSCORE bounds for a comparison with `value`. Pure. */
function scoreRange(op: WhereCondition['op'], value: number): [string, string] {
  switch (op) {
    case '>':
      return [`(${value}`, '+inf'];
    case '>=':
      return [String(value), '+inf'];
    case '<':
      return ['-inf', `(${value}`];
    case '<=':
      return ['-inf', String(value)];
    default:
      return [String(value), String(value)];
  }
}
