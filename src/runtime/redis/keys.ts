/**
 * The Redis key layout of the Redis runtime, in one place. Every key sits under a configurable
 * prefix; all keys of one run share the Cluster hash tag `{<runId>}` so one Lua script can touch
 * them together; definition keys of one workflow name share `{def:<name>}`.
 */
import type { RunStatus } from '../../interpreter/types.js';

/** Default key prefix (also the BullMQ prefix of Flowline's queues). */
import { DEFAULT_PREFIX } from './defaults.js';

export { DEFAULT_PREFIX };

/** The keys of one run (same hash slot). */
export interface RunKeys {
  /** Hash: `rev` (revision), `status`, `gen` (the incarnation token). */
  readonly run: string;
  /** String: the RunState, as JSON or compressed JSON (see RunStore). */
  readonly state: string;
  /** List of HistoryEntry JSON, in order. */
  readonly history: string;
  /** List of committed-but-not-yet-dispatched commands (JSON `OutboxEntry`). */
  readonly outbox: string;
  /** Sorted set: pending timer seq → due time (epoch ms). */
  readonly timers: string;
  /** Set of activity seqs the run still awaits (a job run again whose seq is absent is skipped). */
  readonly acts: string;
  /**
   * Hash: step execution (idempotencyKey) → its last heartbeat details (stored JSON). Not in
   * `runKeyList`: the commit script deletes it by name (`<run key>:heartbeats`) when the run ends.
   */
  readonly heartbeats: string;
}

/** All keys and names of one Flowline deployment (a prefix). Pure. */
export class KeyLayout {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {}

  /** Keys of one run, in the order the Lua scripts expect them. */
  run(runId: string): RunKeys {
    const base = `${this.prefix}:run:{${runId}}`;
    return {
      run: base,
      state: `${base}:state`,
      history: `${base}:history`,
      outbox: `${base}:outbox`,
      timers: `${base}:timers`,
      acts: `${base}:acts`,
      heartbeats: `${base}:heartbeats`,
    };
  }

  /** The run keys as a KEYS array for scripts: run, state, history, outbox, timers, acts. */
  runKeyList(runId: string): string[] {
    const k = this.run(runId);
    return [k.run, k.state, k.history, k.outbox, k.timers, k.acts];
  }

  /**
   * The call log and horizon of one rate-limit window (`activity:<name>` or `queue:<name>`). All
   * windows share the hash tag `{ratelimit}`, so one script admits a call into several at once.
   */
  rateLimit(window: string): { readonly log: string; readonly horizon: string } {
    const log = `${this.prefix}:{ratelimit}:${window}`;
    return { log, horizon: `${log}:horizon` };
  }

  /** Prefix of the index keys (`<prefix>:idx:`), for the commit script. */
  get indexPrefix(): string {
    return `${this.prefix}:idx:`;
  }

  /** Hash of one workflow's versions: `v:<n>` → definition JSON, `d:<n>` → digest, `latest`. */
  definitions(name: string): string {
    return `${this.prefix}:def:{${name}}`;
  }

  /** Set of deployed workflow names. */
  get definitionNames(): string {
    return `${this.prefix}:defs`;
  }

  /** Sorted set of every run id (score: start time). */
  get indexAll(): string {
    return `${this.prefix}:idx:all`;
  }

  /** Sorted set of run ids by status (score: start time, or end time for finished runs). */
  indexStatus(status: RunStatus): string {
    return `${this.prefix}:idx:status:${status}`;
  }

  /** Sorted set of run ids of one workflow name (score: start time). */
  indexName(name: string): string {
    return `${this.prefix}:idx:name:${name}`;
  }

  /** Set of run ids that may have an outbox left to dispatch (a superset; swept at worker start). */
  /**
   * Search attribute indexes: one hash tag per attribute (`{sa:<name>}`), so each attribute's
   * keys share one slot — the partition a clustered deployment would index it in (decision 0015).
   * Keyword values: a set of run ids per value; numbers and times: one sorted set each, by value.
   */
  searchKeyword(attribute: string, value: string): string {
    return `${this.prefix}:sa:{${attribute}}:kw:${value}`;
  }

  searchNumber(attribute: string): string {
    return `${this.prefix}:sa:{${attribute}}:number`;
  }

  searchTime(attribute: string): string {
    return `${this.prefix}:sa:{${attribute}}:time`;
  }

  get pendingOutbox(): string {
    return `${this.prefix}:pending-outbox`;
  }

  /** Set of run ids that may have pending timers (a superset; re-armed at worker start). */
  get timerRuns(): string {
    return `${this.prefix}:timer-runs`;
  }

  /** Hash: schedule id → schedule spec JSON. */
  get schedules(): string {
    return `${this.prefix}:schedules`;
  }

  /** Hash: schedule id → id of the last run it started. */
  get scheduleLastRun(): string {
    return `${this.prefix}:schedule-last`;
  }

  /** Pub/sub channel of commit notices: the run id of every committed transition (for history watchers). */
  get commitsChannel(): string {
    return `${this.prefix}:commits`;
  }

  /** Pub/sub channel: run-ended and cancel-activity notices. */
  get channel(): string {
    return `${this.prefix}:events`;
  }
}

/** BullMQ queue names (the BullMQ prefix is the key prefix). */
export const QUEUES = {
  timers: 'timers',
  interpreter: 'interpreter',
  schedules: 'schedules',
  activities: (taskQueue: string): string => `activities.${taskQueue}`,
} as const;

/** Default task queue of `call` steps without `taskQueue`. */
export const DEFAULT_TASK_QUEUE = 'default';

/**
 * A BullMQ job id for a run's command: `<kind>-<runId encoded>-<seq>`. BullMQ ids must not
 * contain `:`; encodeURIComponent keeps the mapping one-to-one. Pure.
 */
export function jobId(kind: 'act' | 'tmr' | 'chd' | 'ntf' | 'cch', runId: string, seq: number): string {
  return `${kind}-${encodeURIComponent(runId)}-${seq}`;
}
