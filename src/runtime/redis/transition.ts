/**
 * The transition protocol (persist, then dispatch): load a run, let the core decide on one event,
 * commit the decision with a revision check in one Lua script, then dispatch its commands.
 * A revision conflict (another process moved the run first) reloads and decides again.
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import { RunNotFoundError } from '../../errors.js';
import { decide, isTerminal } from '../../interpreter/index.js';
import type { Decision, RunEvent, RunStartedEvent, RunState, ScheduleActivityCommand } from '../../interpreter/types.js';
import type { EngineLimits } from '../common/limits.js';
import { stampEvent, type EventInput, type TimedEventInput } from '../common/events.js';
import { migrationReport, migrationStep } from '../common/migration.js';
import type { MigrateOptions, MigrationReport } from '../engine.js';
import { decideBatch, type ApplyResult, type DecidedBatch, type EventBuilder, type ItemResult, type BatchItem } from '../common/batch-decision.js';

export type { ApplyResult, EventBuilder };
import type { Dispatcher } from './dispatcher.js';
import { TransitionConflictError } from './errors.js';
import type { DefinitionRegistry } from './registry.js';
import type { CommitInput, OutboxEntry, RunStore } from './store.js';
import type { RunObserver } from '../../observability/run-observer.js';
import { RunQueue } from '../common/run-queue.js';
import { GenerationTokens } from './generation.js';
import { OutboxClearer } from './outbox-clearer.js';
import { StateCache, type CachedRun } from './state-cache.js';
import { bookkeeping } from './bookkeeping.js';
import { assignEager, type EagerOffer } from './eager.js';
import { searchIndexOps } from './search-index.js';

export type { EventInput, TimedEventInput };

/** Options of {@link Transitions}. */
export interface TransitionDeps {
  readonly store: RunStore;
  readonly registry: DefinitionRegistry;
  readonly dispatcher: Dispatcher;
  readonly limits: EngineLimits;
  readonly now: () => number;
  /** Outbox entries older than this are re-dispatched when their run is next touched. */
  readonly outboxGraceMs: number;
  /** Called when dispatch after a commit fails (the outbox keeps the commands for a repair). */
  readonly onDispatchError: (runId: string, error: unknown) => void;
  /** Observability hook, told of every committed transition (never throws). */
  readonly observer?: RunObserver;
  /**
   * Last committed states of running runs (default: a cache of its own). Runtimes of one process
   * on the same Redis and prefix may share one: an engine and a worker then hand a run over
   * without a load. Sharing is safe because every commit checks the revision and the generation.
   */
  readonly stateCache?: StateCache;
  /** Randomness for conflict back-off jitter (default Math.random). */
  readonly random?: () => number;
  /** Waits `ms` (default a setTimeout): the back-off after a lost race. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const MAX_ATTEMPTS = 60;

/** At most this many callers' events are applied in one transition. */
const MAX_BATCH = 64;

/** What a worker's answer brings beside its events (docs/decisions/0013-eager-execution.md). */
export interface ApplyOptions {
  /** Run one activity attempt of the decision in the caller's slot instead of dispatching a job for it. */
  readonly eager?: EagerOffer;
  /** Outbox entries (raw) of an eager attempt this answer settles: removed by the same commit. */
  readonly clears?: readonly string[];
}

/** A caller's events waiting for their run's next transition. */
interface PendingEvent extends BatchItem, ApplyOptions {
  readonly resolve: (result: ApplyResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Work queued for one run: events to apply, or the creation of the run. */
type RunWork =
  | ({ readonly kind: 'apply' } & PendingEvent)
  | { readonly kind: 'create'; readonly work: () => Promise<void> };

/** Applies events to runs stored in Redis. Side effects: Redis I/O, BullMQ jobs. */
export class Transitions {
  /** Per-run order and batching: transitions of one run from this process queue up instead of racing. */
  private readonly queue = new RunQueue<RunWork>((runId, batch) => this.drain(runId, batch), MAX_BATCH);
  /**
   * States this process committed last (running runs only). A transition first decides on the
   * cached state and commits it with the revision and generation check of commit-transition.lua,
   * saving the load; anything but a successful commit (conflict, refusal, an ignored event) falls
   * back to a fresh load, so a stale entry costs one wasted attempt.
   */
  private readonly cache: StateCache;
  private readonly outbox: OutboxClearer;
  private readonly generations: GenerationTokens;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: TransitionDeps) {
    this.cache = deps.stateCache ?? new StateCache();
    this.outbox = new OutboxClearer({ store: deps.store, onError: deps.onDispatchError });
    this.generations = new GenerationTokens();
    this.random = deps.random ?? Math.random;
    this.sleep = deps.sleep ?? delay;
  }

  /**
   * Applies one event to an existing run. `notBefore` bounds the event time from below (a timer
   * fires no earlier than it was due). Throws RunNotFoundError, or whatever `build` throws.
   */
  apply(runId: string, build: EventBuilder, notBefore = 0, options: ApplyOptions = {}): Promise<ApplyResult> {
    return new Promise<ApplyResult>((resolve, reject) => {
      this.queue.push(runId, { kind: 'apply', build, notBefore, resolve, reject, ...options });
    });
  }

  /**
   * Does one batch of a run's queued work: creations alone, and every run of consecutive events
   * as one transition — branches of a fan-out that answer together, or a signal that arrives with
   * an answer, cost one decision pass each but one commit in all. Each caller learns whether its
   * own events were accepted.
   */
  private async drain(runId: string, batch: readonly RunWork[]): Promise<void> {
    let events: PendingEvent[] = [];
    const flush = async (): Promise<void> => {
      if (events.length === 0) return;
      const items = events;
      events = [];
      try {
        const results = await this.applyNow(runId, items);
        items.forEach((item, i) => {
          const result = results[i]!;
          if ('error' in result) item.reject(result.error);
          else item.resolve(result);
        });
      } catch (error) {
        for (const item of items) item.reject(error);
      }
    };
    for (const work of batch) {
      if (work.kind === 'apply') {
        events.push(work);
        continue;
      }
      await flush();
      await work.work();
    }
    await flush();
  }

  /**
   * Creates a run from its RunStarted decision. Throws RunAlreadyExistsError when a run with
   * this id is running (a finished one is replaced).
   */
  create(
    definition: WorkflowDefinition,
    event: Omit<RunStartedEvent, 'at'>,
    options: { latestCheck?: CommitInput['latestCheck'] } = {},
  ): Promise<RunState> {
    return new Promise<RunState>((resolve, reject) => {
      const work = async (): Promise<void> => {
        try {
          const full: RunStartedEvent = { ...event, at: this.deps.now() };
          const decision = await decide(definition, undefined, full, { limits: this.deps.limits.expression });
          await this.commitAndDispatch(event.runId, -1, decision, [full], null, definition, this.generations.next(), options.latestCheck);
          resolve(decision.state);
        } catch (error) {
          reject(error);
        }
      };
      this.queue.push(event.runId, { kind: 'create', work });
    });
  }

  /**
   * Moves a run to `target` (docs/decisions/0015): planned on a fresh load and, when allowed,
   * decided with the target definition and committed with the revision check, alone in the run's
   * queue (later events of this process are decided with the target). A conflict plans again.
   */
  migrate(runId: string, target: WorkflowDefinition, options: MigrateOptions, throwWhenBlocked: boolean): Promise<MigrationReport> {
    return new Promise<MigrationReport>((resolve, reject) => {
      const work = async (): Promise<void> => {
        try {
          resolve(await this.migrateNow(runId, target, options, throwWhenBlocked));
        } catch (error) {
          reject(error);
        }
      };
      this.queue.push(runId, { kind: 'create', work });
    });
  }

  private async migrateNow(runId: string, target: WorkflowDefinition, options: MigrateOptions, throwWhenBlocked: boolean): Promise<MigrationReport> {
    this.cache.take(runId);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loaded = await this.deps.store.load(runId);
      if (!loaded) throw new RunNotFoundError(runId);
      const source = await this.deps.registry.pinned(loaded.state.workflow);
      const step = migrationStep(source, target, loaded.state, options, throwWhenBlocked);
      if (step.kind === 'report') return step.report;
      const event = stampEvent(step.event, this.deps.now(), loaded.state.updatedAt);
      const decision = await decide(target, loaded.state, event, { limits: this.deps.limits.expression });
      if (!decision.accepted) return migrationReport(runId, step.plan, 'skipped');
      const committed = await this.commitAndDispatch(runId, loaded.state.revision, decision, [event], loaded.state, target, loaded.generation ?? '');
      if (committed !== false) return migrationReport(runId, step.plan, 'migrated');
      await this.sleep(Math.min(2 ** Math.min(attempt, 6), 50) * this.random());
    }
    throw new TransitionConflictError(runId, MAX_ATTEMPTS);
  }

  /** Dispatches whatever a run's outbox holds (repair after a crash between commit and dispatch). */
  async repairOutbox(runId: string): Promise<number> {
    const entries = await this.liveEagerLeftOut(await this.deps.store.readOutbox(runId));
    if (entries.length === 0) return 0;
    const state = await this.deps.store.loadState(runId);
    // Re-dispatched jobs may already have run: their workers check the run still awaits them.
    await this.deps.dispatcher.dispatch(runId, state, entries.map((e) => e.entry.command), { repair: true });
    await this.deps.store.clearOutbox(runId, entries.map((e) => e.raw));
    return entries.length;
  }

  /** Leaves out entries of eager attempts whose worker still runs them (their carrier's lock is held). */
  private async liveEagerLeftOut<T extends { entry: OutboxEntry }>(entries: T[]): Promise<T[]> {
    const eager = entries.filter((e) => e.entry.carrier);
    if (eager.length === 0) return entries;
    const held = await this.deps.store.carriersHeld(eager.map((e) => e.entry.carrier!));
    const running = new Set(eager.filter((_, i) => held[i]));
    return entries.filter((e) => !running.has(e));
  }

  private async applyNow(runId: string, batch: readonly PendingEvent[]): Promise<readonly ItemResult[]> {
    const cached = this.cache.take(runId);
    if (cached) {
      try {
        const decided = await this.decideBatch(cached.state, batch);
        // Anything but every caller accepted may come from a stale state: decide again on a load.
        if (decided.results.every((r) => 'accepted' in r && r.accepted)) {
          const outcome = await this.commitBatch(runId, cached.state, cached.generation, decided, batch);
          if (outcome !== 'conflict') {
            // No load happened, so the stale-outbox check of a load is done on what the commit saw.
            const oldest = outcome.oldestOutbox;
            if (oldest && this.deps.now() - oldest.at > this.deps.outboxGraceMs) await this.repairQuietly(runId);
            return outcome.results;
          }
        }
      } catch {
        // Failed on a possibly stale state: decide again on a fresh load below.
      }
    }
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loaded = await this.deps.store.load(runId);
      if (!loaded) throw new RunNotFoundError(runId);
      if (loaded.oldestOutbox && this.deps.now() - loaded.oldestOutbox.at > this.deps.outboxGraceMs) {
        await this.repairQuietly(runId);
      }
      const decided = await this.decideBatch(loaded.state, batch);
      const outcome = await this.commitBatch(runId, loaded.state, loaded.generation ?? '', decided, batch);
      if (outcome !== 'conflict') {
        // A duplicate answer often means a job was retried after its process failed mid-way:
        // make sure what that process committed was dispatched.
        if (loaded.oldestOutbox && outcome.results.some((r) => 'accepted' in r && !r.accepted)) await this.repairQuietly(runId);
        return outcome.results;
      }
      // Lost the race to another process: back off a little (jittered) and decide again.
      await this.sleep(Math.min(2 ** Math.min(attempt, 6), 50) * this.random());
    }
    throw new TransitionConflictError(runId, MAX_ATTEMPTS);
  }

  /** Decides every caller's events on `state`, in order (nothing is stored). */
  private async decideBatch(state: RunState, batch: readonly PendingEvent[]): Promise<DecidedBatch> {
    const definition = await this.deps.registry.pinned(state.workflow);
    return decideBatch(definition, state, batch, this.deps.now(), this.deps.limits.expression);
  }

  /** Commits a decided batch (with dispatch); 'conflict' when the revision or generation moved on. */
  private async commitBatch(
    runId: string,
    state: RunState,
    generation: string,
    decided: DecidedBatch,
    batch: readonly PendingEvent[],
  ): Promise<'conflict' | { results: readonly ItemResult[]; oldestOutbox?: OutboxEntry }> {
    if (!decided.decision) return { results: decided.results };
    const eager = { offers: batch.flatMap((item) => (item.eager ? [item.eager] : [])), clears: batch.flatMap((item) => item.clears ?? []) };
    const committed = await this.commitAndDispatch(runId, state.revision, decided.decision, decided.events, state, decided.definition, generation, undefined, eager);
    if (committed === false) return 'conflict';
    return { results: decided.results, ...(committed.oldestOutbox ? { oldestOutbox: committed.oldestOutbox } : {}) };
  }

  /**
   * Commits (with the run's index entries and, when it ends, the `ended` notice); on success
   * dispatches. Returns false on a revision conflict, else what the commit saw of the outbox.
   */
  private async commitAndDispatch(
    runId: string,
    expectedRevision: number,
    decision: Decision,
    events: readonly RunEvent[],
    previous: RunState | null,
    definition: WorkflowDefinition,
    generation: string,
    latestCheck?: CommitInput['latestCheck'],
    eager: { offers: readonly EagerOffer[]; clears: readonly string[] } = { offers: [], clears: [] },
  ): Promise<false | { oldestOutbox?: OutboxEntry }> {
    const now = this.deps.now();
    // Attempts the offering workers run themselves: their entries name the carrier job, no job is added.
    const claims = eager.offers.length > 0 ? assignEager(decision.commands, eager.offers) : undefined;
    const outbox = decision.commands.map((command, i) => {
      const carrier = claims?.get(i)?.carrier;
      return this.deps.store.json.stringify({ at: now, rev: decision.state.revision, i, command, ...(carrier ? { carrier } : {}) } satisfies OutboxEntry);
    });
    const terminal = isTerminal(decision.state.status);
    const pending = this.outbox.pending(runId);
    const cleared = eager.clears.length > 0 ? [...(pending ?? []), ...eager.clears] : pending;
    const outcome = await this.deps.store.commit(runId, {
      expectedRevision,
      state: decision.state,
      terminal,
      retentionMs: this.deps.limits.retentionMs,
      history: decision.history,
      ...(decision.historyRestarted ? { historyRestarted: true } : {}),
      outbox,
      ...bookkeeping(decision.commands, events),
      generation,
      ...(cleared ? { outboxCleared: cleared } : {}),
      ...(latestCheck ? { latestCheck } : {}),
      ...(decision.state.searchAttributes !== previous?.searchAttributes ? { searchIndex: searchIndexOps(this.deps.store.keys, definition, previous, decision.state) } : {}),
      // The commit publishes it, so a waiter hears of the end in the same round trip.
      ...(terminal ? { endedNotice: this.deps.dispatcher.endedNotice(runId, decision.state.status) } : {}),
    });
    if (!outcome.ok) return false;
    this.outbox.committed(runId, pending);
    this.cache.remember(runId, terminal || generation === '' ? null : ({ state: decision.state, generation } satisfies CachedRun));
    // Observability hook: logs, metrics and (once the run ended) its span tree. Never throws.
    this.deps.observer?.onCommitted({ definition, previous, decision, event: events[0], loadHistory: () => this.deps.store.history(runId) });
    let commands = decision.commands;
    let dispatched = outbox;
    if (claims && claims.size > 0) {
      for (const [i, offer] of claims) offer.claimed = { command: decision.commands[i] as ScheduleActivityCommand, outboxEntry: outbox[i]! };
      commands = commands.filter((_, i) => !claims.has(i));
      dispatched = outbox.filter((_, i) => !claims.has(i));
    }
    try {
      if (commands.length > 0) {
        await this.deps.dispatcher.dispatch(runId, decision.state, commands);
        this.outbox.markDispatched(runId, dispatched);
      }
    } catch (error) {
      this.deps.onDispatchError(runId, error);
    }
    return outcome.oldestOutbox ? { oldestOutbox: outcome.oldestOutbox } : {};
  }

  /** Removes dispatched outbox entries not yet removed by a later commit (one pipeline); on close. */
  flushDispatched(): Promise<void> {
    return this.outbox.flush();
  }

  private async repairQuietly(runId: string): Promise<void> {
    try {
      await this.repairOutbox(runId);
    } catch (error) {
      this.deps.onDispatchError(runId, error);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
