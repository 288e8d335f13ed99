/**
 * The Redis runtime as an adapter of the run driver's ports (runtime/core/ports.ts): runs are
 * loaded from and committed to Redis (one revision- and generation-checked Lua script, with the
 * outbox, index and bookkeeping writes), last committed states are kept in a StateCache so the
 * next transition needs no load, and commands become BullMQ jobs through the Dispatcher.
 * Eager execution (docs/decisions/0013-eager-execution.md) rides on the commit's extras: the
 * store lets the batch's offers claim activity attempts and writes their entries with a carrier,
 * the sink dispatches everything but those and tells each offer what it claimed.
 */
import { isTerminal } from '../../interpreter/index.js';
import type { HistoryEntry, ScheduleActivityCommand } from '../../interpreter/types.js';
import type { CommandSink, RunStore as RunStorePort, StoredRun, Transition } from '../core/ports.js';
import type { EngineLimits } from '../common/limits.js';
import { bookkeeping } from './bookkeeping.js';
import type { Dispatcher } from './dispatcher.js';
import { assignEager, type EagerOffer } from './eager.js';
import { GenerationTokens } from './generation.js';
import { searchIndexOps } from './search-index.js';
import type { OutboxClearer } from './outbox-clearer.js';
import type { DefinitionRegistry } from './registry.js';
import type { StateCache } from './state-cache.js';
import type { CommitInput, OutboxEntry, RunStore } from './store.js';

/** A run loaded (or taken from the cache) for a transition. */
export interface RedisLoadedRun extends StoredRun {
  /** The incarnation of the run id the decision is for ('' for a run stored before generations). */
  readonly generation: string;
  /** The outbox's oldest entry when loaded (null when empty, or unknown for a cached state). */
  readonly oldestOutbox: OutboxEntry | null;
  /** Taken from the cache: no load, so the stale-outbox check is made on what the commit saw. */
  readonly cached: boolean;
}

/** What creating a run checks besides: that its version is still the workflow's latest. */
export interface RedisCreate {
  readonly latestCheck?: CommitInput['latestCheck'];
}

/** What a worker's answer brings beside its events (docs/decisions/0013-eager-execution.md): the commit's extra. */
export interface ApplyOptions {
  /** Run one activity attempt of the decision in the caller's slot instead of dispatching a job for it. */
  readonly eager?: EagerOffer;
  /** Outbox entries (raw) of an eager attempt this answer settles: removed by the same commit. */
  readonly clears?: readonly string[];
}

/**
 * What a commit hands to the dispatch: the outbox entries it wrote, whether a repair is due, and
 * the attempts eager offers claimed (command index → offer: no job for those).
 */
export interface RedisReceipt {
  readonly outbox: readonly string[];
  readonly outboxStale: boolean;
  readonly claims: ReadonlyMap<number, EagerOffer>;
}

/** What both adapters need. */
export interface RedisPortDeps {
  readonly store: RunStore;
  readonly registry: DefinitionRegistry;
  readonly dispatcher: Dispatcher;
  readonly limits: EngineLimits;
  readonly now: () => number;
  readonly cache: StateCache;
  readonly outbox: OutboxClearer;
  /** Outbox entries older than this are re-dispatched when their run is next touched. */
  readonly outboxGraceMs: number;
  /** Re-dispatches a run's outbox; never throws (a failure is reported and left for the next repair). */
  readonly repair: (runId: string) => Promise<void>;
  /** Called when dispatch after a commit fails (the outbox keeps the commands for a repair). */
  readonly onDispatchError: (runId: string, error: unknown) => void;
}

/** The RunStore port on Redis. */
export class RedisRunStore implements RunStorePort<RedisLoadedRun, RedisCreate, RedisReceipt, ApplyOptions> {
  private readonly generations = new GenerationTokens();

  constructor(private readonly deps: RedisPortDeps) {}

  async read(runId: string): Promise<StoredRun | undefined> {
    const state = await this.deps.store.loadState(runId);
    return state ? { state, definition: await this.deps.registry.pinned(state.workflow) } : undefined;
  }

  async load(runId: string): Promise<RedisLoadedRun | undefined> {
    const loaded = await this.deps.store.load(runId);
    if (!loaded) return undefined;
    if (loaded.oldestOutbox && this.stale(loaded.oldestOutbox)) await this.deps.repair(runId);
    const definition = await this.deps.registry.pinned(loaded.state.workflow);
    return { state: loaded.state, definition, generation: loaded.generation ?? '', oldestOutbox: loaded.oldestOutbox, cached: false };
  }

  async peek(runId: string): Promise<RedisLoadedRun | undefined> {
    const cached = this.deps.cache.take(runId);
    if (!cached) return undefined;
    const definition = await this.deps.registry.pinned(cached.state.workflow);
    return { state: cached.state, definition, generation: cached.generation, oldestOutbox: null, cached: true };
  }

  /**
   * Commits with the run's index entries and, when it ends, the `ended` notice (published by the
   * script). The callers' eager offers claim attempts (their entries name the carrier job) and the
   * entries their answers settle are removed, in the same script call.
   */
  async commit(
    transition: Transition,
    expected: RedisLoadedRun | undefined,
    create: RedisCreate = {},
    extras: readonly ApplyOptions[] = [],
  ): Promise<'conflict' | { receipt: RedisReceipt }> {
    const { runId, definition, previous, decision, events } = transition;
    const now = this.deps.now();
    const generation = expected ? expected.generation : this.generations.next();
    // Attempts the offering workers run themselves: their entries name the carrier job, no job is added.
    const offers = extras.flatMap((extra) => (extra.eager ? [extra.eager] : []));
    const claims = offers.length > 0 ? assignEager(decision.commands, offers) : new Map<number, EagerOffer>();
    const outbox = decision.commands.map((command, i) => {
      const carrier = claims.get(i)?.carrier;
      return this.deps.store.json.stringify({ at: now, rev: decision.state.revision, i, command, ...(carrier ? { carrier } : {}) } satisfies OutboxEntry);
    });
    const terminal = isTerminal(decision.state.status);
    const pending = this.deps.outbox.pending(runId);
    const settled = extras.flatMap((extra) => extra.clears ?? []);
    const cleared = settled.length > 0 ? [...(pending ?? []), ...settled] : pending;
    const outcome = await this.deps.store.commit(runId, {
      expectedRevision: expected ? expected.state.revision : -1,
      state: decision.state,
      terminal,
      retentionMs: this.deps.limits.retentionMs,
      history: decision.history,
      // Continue-as-new: the script replaces the history with the new generation's (decision 0014).
      ...(decision.historyRestarted ? { historyRestarted: true } : {}),
      outbox,
      ...bookkeeping(decision.commands, events),
      generation,
      ...(cleared ? { outboxCleared: cleared } : {}),
      ...(create.latestCheck ? { latestCheck: create.latestCheck } : {}),
      // Only changed search attributes are written to their indexes (decision 0015).
      ...(decision.state.searchAttributes !== previous?.searchAttributes ? { searchIndex: searchIndexOps(this.deps.store.keys, definition, previous, decision.state) } : {}),
      // The commit publishes it, so a waiter hears of the end in the same round trip.
      ...(terminal ? { endedNotice: this.deps.dispatcher.endedNotice(runId, decision.state.status) } : {}),
    });
    if (!outcome.ok) return 'conflict';
    this.deps.outbox.committed(runId, pending);
    this.deps.cache.remember(runId, terminal || generation === '' ? null : { state: decision.state, generation });
    const oldest = outcome.oldestOutbox;
    return { receipt: { outbox, outboxStale: (expected?.cached ?? false) && oldest !== undefined && this.stale(oldest), claims } };
  }

  history(runId: string): Promise<readonly HistoryEntry[]> {
    return this.deps.store.history(runId);
  }

  /** A duplicate answer often means a job was retried after its process failed mid-way: make sure what that process committed was dispatched. */
  async afterIgnored(runId: string, loaded: RedisLoadedRun): Promise<void> {
    if (loaded.oldestOutbox) await this.deps.repair(runId);
  }

  private stale(entry: OutboxEntry): boolean {
    return this.deps.now() - entry.at > this.deps.outboxGraceMs;
  }
}

/**
 * The CommandSink port on Redis: BullMQ jobs and notices, then the outbox entries marked for
 * removal. Claimed attempts get no job: each offer learns its claim, and its worker runs it.
 */
export class RedisCommandSink implements CommandSink<RedisReceipt> {
  constructor(private readonly deps: RedisPortDeps) {}

  async carryOut({ runId, decision }: Transition, receipt: RedisReceipt): Promise<void> {
    const { claims } = receipt;
    let commands = decision.commands;
    let dispatched = receipt.outbox;
    if (claims.size > 0) {
      for (const [i, offer] of claims) offer.claimed = { command: decision.commands[i] as ScheduleActivityCommand, outboxEntry: receipt.outbox[i]! };
      commands = commands.filter((_, i) => !claims.has(i));
      dispatched = dispatched.filter((_, i) => !claims.has(i));
    }
    try {
      if (commands.length > 0) {
        await this.deps.dispatcher.dispatch(runId, decision.state, commands);
        this.deps.outbox.markDispatched(runId, dispatched);
      }
    } catch (error) {
      this.deps.onDispatchError(runId, error);
    }
    if (receipt.outboxStale) await this.deps.repair(runId);
  }
}
