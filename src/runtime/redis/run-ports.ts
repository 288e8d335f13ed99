/**
 * The Redis runtime as an adapter of the run driver's ports (runtime/core/ports.ts): runs are
 * loaded from and committed to Redis (one revision- and generation-checked Lua script, with the
 * outbox, index and bookkeeping writes), last committed states are kept in a StateCache so the
 * next transition needs no load, and commands become BullMQ jobs through the Dispatcher.
 */
import { isTerminal } from '../../interpreter/index.js';
import type { HistoryEntry } from '../../interpreter/types.js';
import type { CommandSink, RunStore as RunStorePort, StoredRun, Transition } from '../core/ports.js';
import type { EngineLimits } from '../common/limits.js';
import { bookkeeping } from './bookkeeping.js';
import type { Dispatcher } from './dispatcher.js';
import { GenerationTokens } from './generation.js';
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

/** What a commit hands to the dispatch: the outbox entries it wrote, and whether a repair is due. */
export interface RedisReceipt {
  readonly outbox: readonly string[];
  readonly outboxStale: boolean;
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
export class RedisRunStore implements RunStorePort<RedisLoadedRun, RedisCreate, RedisReceipt> {
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

  /** Commits with the run's index entries and, when it ends, the `ended` notice (published by the script). */
  async commit(transition: Transition, expected: RedisLoadedRun | undefined, create: RedisCreate = {}): Promise<'conflict' | { receipt: RedisReceipt }> {
    const { runId, decision, events } = transition;
    const now = this.deps.now();
    const generation = expected ? expected.generation : this.generations.next();
    const outbox = decision.commands.map((command, i) =>
      this.deps.store.json.stringify({ at: now, rev: decision.state.revision, i, command } satisfies OutboxEntry),
    );
    const terminal = isTerminal(decision.state.status);
    const cleared = this.deps.outbox.pending(runId);
    const outcome = await this.deps.store.commit(runId, {
      expectedRevision: expected ? expected.state.revision : -1,
      state: decision.state,
      terminal,
      retentionMs: this.deps.limits.retentionMs,
      history: decision.history,
      outbox,
      ...bookkeeping(decision.commands, events),
      generation,
      ...(cleared ? { outboxCleared: cleared } : {}),
      ...(create.latestCheck ? { latestCheck: create.latestCheck } : {}),
      // The commit publishes it, so a waiter hears of the end in the same round trip.
      ...(terminal ? { endedNotice: this.deps.dispatcher.endedNotice(runId, decision.state.status) } : {}),
    });
    if (!outcome.ok) return 'conflict';
    this.deps.outbox.committed(runId, cleared);
    this.deps.cache.remember(runId, terminal || generation === '' ? null : { state: decision.state, generation });
    const oldest = outcome.oldestOutbox;
    return { receipt: { outbox, outboxStale: (expected?.cached ?? false) && oldest !== undefined && this.stale(oldest) } };
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

/** The CommandSink port on Redis: BullMQ jobs and notices, then the outbox entries marked for removal. */
export class RedisCommandSink implements CommandSink<RedisReceipt> {
  constructor(private readonly deps: RedisPortDeps) {}

  async carryOut({ runId, decision }: Transition, receipt: RedisReceipt): Promise<void> {
    try {
      if (decision.commands.length > 0) {
        await this.deps.dispatcher.dispatch(runId, decision.state, decision.commands);
        this.deps.outbox.markDispatched(runId, receipt.outbox);
      }
    } catch (error) {
      this.deps.onDispatchError(runId, error);
    }
    if (receipt.outboxStale) await this.deps.repair(runId);
  }
}
