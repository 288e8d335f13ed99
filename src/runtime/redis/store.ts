/**
 * Run storage on Redis: read a run's state, history, outbox and pending timers, and commit one
 * transition atomically through lua/commit-transition.lua (revision-checked).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { awaitsActivity } from '../../interpreter/index.js';
import type { SearchIndexOp } from './search-index.js';
import type { Command, HistoryEntry, RunState } from '../../interpreter/types.js';
import { CorruptStateError, ScriptCode, errorForCode } from './errors.js';
import type { EagerCarrier } from './eager.js';
import type { KeyLayout } from './keys.js';
import type { ScriptedClient } from './scripts.js';
import { PayloadCodecError, storedJson, type StoredJson } from '../../codec/payload-codec.js';

/** One committed command waiting to be dispatched. */
export interface OutboxEntry {
  /** Commit time (epoch ms): entries older than a grace period are re-dispatched by repairs. */
  readonly at: number;
  /** Revision of the transition that produced it. */
  readonly rev: number;
  /** Position within that transition's commands. */
  readonly i: number;
  readonly command: Command;
  /**
   * An activity attempt a worker runs eagerly: the job whose lock covers it. A repair leaves the
   * entry alone while that lock is held (docs/decisions/0013-eager-execution.md).
   */
  readonly carrier?: EagerCarrier;
}

/** What one transition writes. */
export interface CommitInput {
  /** Revision the decision was made on; -1 to create the run. */
  readonly expectedRevision: number;
  readonly state: RunState;
  readonly terminal: boolean;
  readonly retentionMs: number;
  readonly history: readonly HistoryEntry[];
  /** Continue-as-new: `history` replaces the stored history instead of being appended. */
  readonly historyRestarted?: boolean;
  /** Serialised OutboxEntry strings (kept by the caller to clear them after dispatch). */
  readonly outbox: readonly string[];
  readonly timersAdded: readonly { seq: number; at: number }[];
  readonly timersRemoved: readonly number[];
  readonly activitiesAdded: readonly number[];
  readonly activitiesRemoved: readonly number[];
  /**
   * The run's generation (random token of one incarnation of a run id): stored on create;
   * otherwise, when given, the commit is refused as a revision conflict unless it matches.
   */
  readonly generation?: string;
  /** Outbox entries (raw) dispatched after earlier commits: removed by this commit when it goes through. */
  readonly outboxCleared?: readonly string[];
  /** The `ended` notice, published by the commit when the run ends. */
  readonly endedNotice?: { readonly channel: string; readonly message: string };
  /** Create only: refuse (LatestVersionMovedError) unless this is still the workflow's latest version. */
  readonly latestCheck?: { readonly definitionsKey: string; readonly version: number };
  /** Search attribute index writes (search-index.ts), applied with the transition. */
  readonly searchIndex?: readonly SearchIndexOp[];
}

/** Result of a commit attempt: committed, or a revision conflict to retry. Other refusals throw. */
export type CommitOutcome =
  | {
      readonly ok: true;
      /** The outbox's oldest entry before this commit (undefined when it was empty). */
      readonly oldestOutbox?: OutboxEntry;
    }
  | { readonly ok: false; readonly currentRevision: number };

/** A run as loaded for a transition. */
export interface LoadedRun {
  readonly state: RunState;
  /** Oldest outbox entry, when the outbox is not empty. */
  readonly oldestOutbox: OutboxEntry | null;
  /** The run's generation token (null for a run stored before generations existed). */
  readonly generation: string | null;
}

/** Reads and writes runs under one key layout. Side effects: Redis I/O only. */
export class RunStore {
  constructor(
    private readonly client: ScriptedClient,
    readonly keys: KeyLayout,
    /** How payload JSON is written and read: through the payload codec when one is configured (src/codec/payload-codec.ts). */
    readonly json: StoredJson = storedJson(),
  ) {}

  /** The run's state, or null when it does not exist (or expired). */
  async loadState(runId: string): Promise<RunState | null> {
    const stored = await this.client.getBuffer(this.keys.run(runId).state);
    return stored === null ? null : this.parseState(stored, runId);
  }

  /** States of many runs in one round trip (null for a run that does not exist). */
  async loadStates(runIds: readonly string[]): Promise<(RunState | null)[]> {
    if (runIds.length === 0) return [];
    const stored = await this.client.mgetBuffer(...runIds.map((id) => this.keys.run(id).state));
    return stored.map((value, i) => (value === null ? null : this.parseState(value, runIds[i])));
  }

  /**
   * State plus the oldest outbox entry, in one round trip. A pipeline, not MULTI: a full Redis
   * refuses every command queued in a MULTI (EXECABORT), reads included, and the three reads need
   * no atomicity — the commit checks the revision and the generation, so a torn read only costs a
   * conflict and a reload.
   */
  async load(runId: string): Promise<LoadedRun | null> {
    const k = this.keys.run(runId);
    const reply = await this.client.pipeline().getBuffer(k.state).hget(k.run, 'gen').lindex(k.outbox, 0).exec();
    const failed = reply?.find(([error]) => error)?.[0];
    if (failed) throw failed;
    const [stateReply, generation, outboxReply] = (reply ?? []).map((r) => r?.[1]) as [Buffer | null | undefined, string | null, string | null];
    if (stateReply === null || stateReply === undefined) return null;
    return {
      state: this.parseState(stateReply, runId),
      oldestOutbox: outboxReply ? this.parse<OutboxEntry>(outboxReply, `outbox of run ${runId}`) : null,
      generation: generation ?? null,
    };
  }

  /** Applies one transition atomically. Throws RunAlreadyExistsError / RunNotFoundError for refusals. */
  async commit(runId: string, input: CommitInput): Promise<CommitOutcome> {
    const args: (string | number | Buffer)[] = [
      input.expectedRevision,
      encodeState(this.json.stringify(input.state), input.terminal || !awaitsActivity(input.state)),
      input.state.revision,
      input.state.status,
      input.terminal ? '1' : '0',
      Math.max(1, Math.round(input.retentionMs)),
      input.history.length,
      input.outbox.length,
      input.timersAdded.length,
      input.timersRemoved.length,
      input.activitiesAdded.length,
      input.activitiesRemoved.length,
      input.generation ?? '',
      input.outboxCleared?.length ?? 0,
      this.keys.indexPrefix,
      runId,
      input.state.workflow.name,
      input.state.startedAt,
      input.state.endedAt ?? input.state.startedAt,
      input.endedNotice?.channel ?? '',
      input.endedNotice?.message ?? '',
      input.latestCheck?.definitionsKey ?? '',
      input.latestCheck?.version ?? '',
      this.keys.commitsChannel,
      input.searchIndex?.length ?? 0,
      input.historyRestarted ? '1' : '0',
      ...input.history.map((entry) => this.json.stringify(entry)),
      ...input.outbox,
      ...input.timersAdded.flatMap((t) => [t.seq, t.at]),
      ...input.timersRemoved,
      ...input.activitiesAdded,
      ...input.activitiesRemoved,
      ...(input.outboxCleared ?? []),
      ...(input.searchIndex ?? []).flat(),
    ];
    const reply = (await this.client.flCommitTransition(...this.keys.runKeyList(runId), ...args)) as [number, number | string, string?];
    const code = Number(reply[0]);
    if (code === ScriptCode.Ok) {
      const oldest = reply[2];
      return oldest ? { ok: true, oldestOutbox: this.parse<OutboxEntry>(oldest, `outbox of run ${runId}`) } : { ok: true };
    }
    if (code === ScriptCode.RevisionConflict) return { ok: false, currentRevision: Number(reply[1]) };
    throw errorForCode(code, { runId, name: input.state.workflow.name, ...(code === ScriptCode.LatestMoved ? { version: Number(reply[1]) } : {}) });
  }

  /** Every outbox entry, raw (as stored) and parsed. */
  async readOutbox(runId: string): Promise<{ raw: string; entry: OutboxEntry }[]> {
    const raw = await this.client.lrange(this.keys.run(runId).outbox, 0, -1);
    return raw.map((text) => ({ raw: text, entry: this.parse<OutboxEntry>(text, `outbox of run ${runId}`) }));
  }

  /** Removes dispatched entries; returns how many remain. */
  async clearOutbox(runId: string, raw: readonly string[]): Promise<number> {
    if (raw.length === 0) return 0;
    return Number(await this.client.flClearOutbox(this.keys.run(runId).outbox, ...raw));
  }

  /** Removes dispatched entries of many runs in one pipeline. */
  async clearOutboxes(batch: readonly (readonly [string, readonly string[]])[]): Promise<void> {
    const pipeline = this.client.pipeline() as unknown as { flClearOutbox(...args: string[]): unknown; exec(): Promise<[Error | null, unknown][] | null> };
    let queued = 0;
    for (const [runId, raw] of batch) {
      if (raw.length === 0) continue;
      pipeline.flClearOutbox(this.keys.run(runId).outbox, ...raw);
      queued++;
    }
    if (queued === 0) return;
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
  }

  /** The run's history, in order (empty when the run does not exist). */
  async history(runId: string): Promise<HistoryEntry[]> {
    const raw = await this.client.lrange(this.keys.run(runId).history, 0, -1);
    return raw.map((text) => this.parse<HistoryEntry>(text, `history of run ${runId}`));
  }

  /**
   * The history entries from `from` on, with the run's status (null when the run does not exist)
   * and how often its history restarted (continue-as-new), in one round trip. For history watchers, which read only what they have not seen.
   */
  async historyFrom(runId: string, from: number): Promise<{ entries: HistoryEntry[]; status: string | null; restarts: number }> {
    const k = this.keys.run(runId);
    // One MULTI: the entries and the restart count (continue-as-new) must belong together.
    const reply = (await this.client.multi().lrange(k.history, from, -1).hget(k.run, 'status').hget(k.run, 'hgen').exec()) ?? [];
    const failed = reply.find(([error]) => error)?.[0];
    if (failed) throw failed;
    const raw = (reply[0]?.[1] as string[] | undefined) ?? [];
    return {
      entries: raw.map((text) => this.parse<HistoryEntry>(text, `history of run ${runId}`)),
      status: (reply[1]?.[1] as string | null | undefined) ?? null,
      restarts: Number((reply[2]?.[1] as string | null | undefined) ?? 0),
    };
  }

  /** State and history read atomically (one MULTI), so they always agree. */
  async snapshot(runId: string): Promise<{ state: RunState; history: HistoryEntry[] } | null> {
    const k = this.keys.run(runId);
    const reply = (await this.client.multi().getBuffer(k.state).lrange(k.history, 0, -1).exec()) ?? [];
    const stored = reply[0]?.[1] as Buffer | null;
    if (!stored) return null;
    const history = (reply[1]?.[1] as string[]).map((text) => this.parse<HistoryEntry>(text, `history of run ${runId}`));
    return { state: this.parseState(stored, runId), history };
  }

  /** Pending timers of a run: seq and due time. */
  async pendingTimers(runId: string): Promise<{ seq: number; at: number }[]> {
    const flat = await this.client.zrangebyscore(this.keys.run(runId).timers, '-inf', '+inf', 'WITHSCORES');
    const timers: { seq: number; at: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) timers.push({ seq: Number(flat[i]), at: Number(flat[i + 1]) });
    return timers;
  }

  /** For each carrier, whether its job's lock is still held with its token (one MGET). */
  async carriersHeld(carriers: readonly EagerCarrier[]): Promise<boolean[]> {
    if (carriers.length === 0) return [];
    const tokens = await this.client.mget(...carriers.map((c) => c.lock));
    return carriers.map((carrier, i) => tokens[i] === carrier.token);
  }

  /** True while the run still awaits the activity with this seq. */
  async isActivityAwaited(runId: string, seq: number): Promise<boolean> {
    return (await this.client.sismember(this.keys.run(runId).acts, String(seq))) === 1;
  }

  /** True while a timer with this seq is pending. */
  async isTimerPending(runId: string, seq: number): Promise<boolean> {
    return (await this.client.zscore(this.keys.run(runId).timers, String(seq))) !== null;
  }

  /** Decodes a stored state (JSON or compressed JSON) and parses it through the codec. */
  private parseState(stored: Buffer, runId: string): RunState {
    let text: string;
    try {
      text = decodeState(stored);
    } catch {
      throw new CorruptStateError(`the stored state of run ${runId} cannot be decompressed`);
    }
    return this.parse<RunState>(text, `state of run ${runId}`);
  }

  /** Parses stored JSON through the codec; a codec failure (wrong key, tampering) is reported as is. */
  private parse<T>(text: string, what: string): T {
    try {
      return this.json.parse<T>(text);
    } catch (error) {
      if (error instanceof PayloadCodecError) throw error;
      throw new CorruptStateError(`the stored ${what} is not valid JSON`);
    }
  }
}

/** States shorter than this (in characters) are stored as plain JSON (compressing them saves little). */
const COMPRESS_FROM_CHARS = 256;
/** First byte of a compressed state (plain JSON starts with `{`). */
const COMPRESSED = 0x01;

/**
 * A run state as stored: the JSON, or — when it will sit (`resting`: the run waits on a signal,
 * a timer or a child, or has ended) and is at least COMPRESS_FROM_CHARS long — a marker byte and
 * the JSON deflated (raw, level 1), about half the size. A state that an activity's answer will
 * replace within milliseconds stays plain: compressing it would cost CPU on the hot path and
 * save memory for no time at all. Pure.
 */
export function encodeState(json: string, resting = true): string | Buffer {
  // Plain JSON stays a string: a Buffer argument would switch the whole commit command to
  // ioredis's slower mixed-buffer encoding.
  if (!resting || json.length < COMPRESS_FROM_CHARS) return json;
  const packed = deflateRawSync(json, { level: 1 });
  return Buffer.concat([Buffer.of(COMPRESSED), packed]);
}

/** The JSON of a stored state (either form). Throws when compressed data is damaged. Pure. */
export function decodeState(stored: Buffer): string {
  if (stored.length > 0 && stored[0] === COMPRESSED) return inflateRawSync(stored.subarray(1)).toString('utf8');
  return stored.toString('utf8');
}
