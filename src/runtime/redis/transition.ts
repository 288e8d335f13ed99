/**
 * The transition protocol (persist, then dispatch): load a run, let the core decide on one event,
 * commit the decision with a revision check in one Lua script, then dispatch its commands.
 * A revision conflict (another process moved the run first) reloads and decides again.
 */
import { randomBytes } from 'node:crypto';
import type { WorkflowDefinition } from '../../definition/types.js';
import { RunNotFoundError } from '../../errors.js';
import { decide, isTerminal } from '../../interpreter/index.js';
import type { Command, Decision, RunEvent, RunStartedEvent, RunState } from '../../interpreter/types.js';
import type { EngineLimits } from '../common/limits.js';
import { stampEvent, type EventInput, type TimedEventInput } from '../common/events.js';
import type { Dispatcher } from './dispatcher.js';
import { TransitionConflictError } from './errors.js';
import type { DefinitionRegistry } from './registry.js';
import type { CommitInput, OutboxEntry, RunStore } from './store.js';
import type { RunObserver } from '../../observability/run-observer.js';

export type { EventInput, TimedEventInput };

/** Outcome of applying one event. */
export interface ApplyResult {
  /** False when the core ignored the event (stale or duplicate answer, or `build` returned null). */
  readonly accepted: boolean;
  readonly state: RunState;
}

/**
 * How an event is applied: built from the current state (may throw to refuse, or return null to
 * skip). A list is decided in order and committed as one transition; it is accepted only when
 * its first event is, and the rest are decided only while the run is not finished.
 */
export type EventBuilder = (state: RunState, definition: WorkflowDefinition) => TimedEventInput | readonly TimedEventInput[] | null;

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
   * Runtimes of one process with the same scope (Redis server and key prefix) share their cache
   * of last committed states: an engine and a worker in one process hand a run over without a
   * load. Sharing is safe because every commit checks the revision and the generation.
   */
  readonly cacheScope?: string;
}

/** State caches shared by the runtimes of this process, by cache scope. */
const sharedCaches = new Map<string, Map<string, CachedRun>>();

const MAX_ATTEMPTS = 60;

/** At most this many callers' events are applied in one transition. */
const MAX_BATCH = 64;

/** A caller's events waiting for their run's next transition. */
interface PendingEvent {
  readonly build: EventBuilder;
  readonly notBefore: number;
  readonly resolve: (result: ApplyResult) => void;
  readonly reject: (error: unknown) => void;
}

/** What one caller of a batch gets: its result, or what its builder (or decision) threw. */
type ItemResult = ApplyResult | { readonly error: unknown };

/** A batch decided on one state: the combined decision of what was accepted, and each caller's result. */
interface DecidedBatch {
  readonly definition: WorkflowDefinition;
  readonly decision: Decision | undefined;
  readonly events: readonly RunEvent[];
  readonly results: readonly ItemResult[];
}

/** Dispatched outbox entries not removed by a later commit are removed after at most this long (ms). */
const CLEAR_DELAY_MS = 100;

/** At most this many running runs' last committed states are kept in memory per process. */
const CACHE_LIMIT = 5_000;

/** A run's state as this process last committed it, with the generation it was committed under. */
interface CachedRun {
  readonly state: RunState;
  readonly generation: string;
}

/** Applies events to runs stored in Redis. Side effects: Redis I/O, BullMQ jobs. */
export class Transitions {
  /** Per-run promise chains: transitions of one run from this process queue up instead of racing. */
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Events waiting for their run's next transition, by run id. */
  private readonly pending = new Map<string, PendingEvent[]>();
  /** Runs with a drain of `pending` queued on their chain. */
  private readonly draining = new Set<string>();
  /**
   * States this process committed last, by run id (running runs only). A transition first
   * decides on the cached state and commits it with the revision and generation check of
   * commit-transition.lua, saving the load; anything but a successful commit (conflict, refusal,
   * an ignored event) falls back to a fresh load, so a stale entry costs one wasted attempt.
   */
  private readonly cache: Map<string, CachedRun>;
  /**
   * Outbox entries dispatched but not yet removed, by run id. The run's next commit from this
   * process removes them in the same script call; what is left is cleared in one pipeline shortly
   * after (well within the grace period, so a repair rarely re-dispatches them — harmless anyway).
   */
  private readonly dispatched = new Map<string, string[]>();
  private clearTimer: NodeJS.Timeout | undefined;
  private clearing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TransitionDeps) {
    if (deps.cacheScope === undefined) {
      this.cache = new Map();
    } else {
      let shared = sharedCaches.get(deps.cacheScope);
      if (!shared) sharedCaches.set(deps.cacheScope, (shared = new Map()));
      this.cache = shared;
    }
  }

  /**
   * Applies one event to an existing run. `notBefore` bounds the event time from below (a timer
   * fires no earlier than it was due). Throws RunNotFoundError, or whatever `build` throws.
   */
  apply(runId: string, build: EventBuilder, notBefore = 0): Promise<ApplyResult> {
    return new Promise<ApplyResult>((resolve, reject) => {
      let queue = this.pending.get(runId);
      if (!queue) this.pending.set(runId, (queue = []));
      queue.push({ build, notBefore, resolve, reject });
      if (this.draining.has(runId)) return;
      this.draining.add(runId);
      void this.serialised(runId, () => this.drain(runId));
    });
  }

  /**
   * Applies every event waiting for this run as one transition (at most MAX_BATCH): branches of a
   * fan-out that answer together, or a signal that arrives with an answer, cost one decision pass
   * each but one commit in all. Each caller learns whether its own events were accepted.
   */
  private async drain(runId: string): Promise<void> {
    this.draining.delete(runId);
    const queue = this.pending.get(runId);
    if (!queue || queue.length === 0) return;
    const batch = queue.splice(0, MAX_BATCH);
    if (queue.length === 0) this.pending.delete(runId);
    else if (!this.draining.has(runId)) {
      this.draining.add(runId);
      void this.serialised(runId, () => this.drain(runId));
    }
    try {
      const results = await this.applyNow(runId, batch);
      batch.forEach((item, i) => {
        const result = results[i];
        if ('error' in result) item.reject(result.error);
        else item.resolve(result);
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
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
    return this.serialised(event.runId, async () => {
      const full: RunStartedEvent = { ...event, at: this.deps.now() };
      const decision = await decide(definition, undefined, full, { limits: this.deps.limits.expression });
      await this.commitAndDispatch(event.runId, -1, decision, [full], null, definition, newGeneration(), options.latestCheck);
      return decision.state;
    });
  }

  /** Dispatches whatever a run's outbox holds (repair after a crash between commit and dispatch). */
  async repairOutbox(runId: string): Promise<number> {
    const entries = await this.deps.store.readOutbox(runId);
    if (entries.length === 0) return 0;
    const state = await this.deps.store.loadState(runId);
    // Re-dispatched jobs may already have run: their workers check the run still awaits them.
    await this.deps.dispatcher.dispatch(runId, state, entries.map((e) => e.entry.command), { repair: true });
    await this.deps.store.clearOutbox(runId, entries.map((e) => e.raw));
    return entries.length;
  }

  private async applyNow(runId: string, batch: readonly PendingEvent[]): Promise<readonly ItemResult[]> {
    const cached = this.cache.get(runId);
    if (cached) {
      this.cache.delete(runId);
      try {
        const decided = await this.decideBatch(cached.state, batch);
        // Anything but every caller accepted may come from a stale state: decide again on a load.
        if (decided.results.every((r) => 'accepted' in r && r.accepted)) {
          const outcome = await this.commitBatch(runId, cached.state, cached.generation, decided);
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
      const outcome = await this.commitBatch(runId, loaded.state, loaded.generation ?? '', decided);
      if (outcome !== 'conflict') {
        // A duplicate answer often means a job was retried after its process failed mid-way:
        // make sure what that process committed was dispatched.
        if (loaded.oldestOutbox && outcome.results.some((r) => 'accepted' in r && !r.accepted)) await this.repairQuietly(runId);
        return outcome.results;
      }
      // Lost the race to another process: back off a little (jittered) and decide again.
      await delay(Math.min(2 ** Math.min(attempt, 6), 50) * Math.random());
    }
    throw new TransitionConflictError(runId, MAX_ATTEMPTS);
  }

  /** Decides every caller's events on `state`, in order (nothing is stored). */
  private async decideBatch(state: RunState, batch: readonly PendingEvent[]): Promise<DecidedBatch> {
    const definition = await this.deps.registry.pinned(state.workflow);
    const now = this.deps.now();
    let decision: Decision | undefined;
    const events: RunEvent[] = [];
    const accepted: boolean[] = [];
    const errors = new Map<number, unknown>();
    for (const [index, item] of batch.entries()) {
      const before: RunState = decision?.state ?? state;
      try {
        const built = item.build(before, definition);
        const inputs: readonly TimedEventInput[] = built === null ? [] : Array.isArray(built) ? built : [built as TimedEventInput];
        let mine: Decision | undefined;
        const mineEvents: RunEvent[] = [];
        for (const input of inputs) {
          const current: RunState = mine?.state ?? before;
          if (mine && isTerminal(current.status)) break;
          const event = stampEvent(input, now, current.updatedAt, item.notBefore);
          const decided = await decide(definition, current, event, { limits: this.deps.limits.expression });
          // The first event decides whether the caller's events are taken at all.
          if (!decided.accepted) {
            if (!mine) break;
            continue;
          }
          mine = mine ? combine(mine, decided) : decided;
          mineEvents.push(event);
        }
        accepted[index] = mine !== undefined;
        if (mine) {
          decision = decision ? combine(decision, mine) : mine;
          events.push(...mineEvents);
        }
      } catch (error) {
        errors.set(index, error);
      }
    }
    const final = decision?.state ?? state;
    const results = batch.map((_item, i): ItemResult => (errors.has(i) ? { error: errors.get(i) } : { accepted: accepted[i] === true, state: final }));
    return { definition, decision, events, results };
  }

  /** Commits a decided batch (with dispatch); 'conflict' when the revision or generation moved on. */
  private async commitBatch(
    runId: string,
    state: RunState,
    generation: string,
    decided: DecidedBatch,
  ): Promise<'conflict' | { results: readonly ItemResult[]; oldestOutbox?: OutboxEntry }> {
    if (!decided.decision) return { results: decided.results };
    const committed = await this.commitAndDispatch(runId, state.revision, decided.decision, decided.events, state, decided.definition, generation);
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
  ): Promise<false | { oldestOutbox?: OutboxEntry }> {
    const now = this.deps.now();
    const outbox = decision.commands.map((command, i) =>
      this.deps.store.json.stringify({ at: now, rev: decision.state.revision, i, command } satisfies OutboxEntry),
    );
    const terminal = isTerminal(decision.state.status);
    const cleared = this.dispatched.get(runId);
    const outcome = await this.deps.store.commit(runId, {
      expectedRevision,
      state: decision.state,
      terminal,
      retentionMs: this.deps.limits.retentionMs,
      history: decision.history,
      outbox,
      ...bookkeeping(decision.commands, events),
      generation,
      ...(cleared ? { outboxCleared: cleared } : {}),
      ...(latestCheck ? { latestCheck } : {}),
      // The commit publishes it, so a waiter hears of the end in the same round trip.
      ...(terminal ? { endedNotice: this.deps.dispatcher.endedNotice(runId, decision.state.status) } : {}),
    });
    if (!outcome.ok) return false;
    if (cleared && this.dispatched.get(runId) === cleared) this.dispatched.delete(runId);
    this.remember(runId, terminal || generation === '' ? null : { state: decision.state, generation });
    // Observability hook: logs, metrics and (once the run ended) its span tree. Never throws.
    this.deps.observer?.onCommitted({ definition, previous, decision, event: events[0], loadHistory: () => this.deps.store.history(runId) });
    try {
      if (decision.commands.length > 0) {
        await this.deps.dispatcher.dispatch(runId, decision.state, decision.commands);
        this.markDispatched(runId, outbox);
      }
    } catch (error) {
      this.deps.onDispatchError(runId, error);
    }
    return outcome.oldestOutbox ? { oldestOutbox: outcome.oldestOutbox } : {};
  }

  /**
   * Removes every dispatched entry not yet removed by a later commit (one pipeline). Called
   * shortly after dispatches, and on close.
   */
  flushDispatched(): Promise<void> {
    if (this.clearTimer) clearTimeout(this.clearTimer);
    this.clearTimer = undefined;
    if (this.dispatched.size === 0) return this.clearing;
    const batch = [...this.dispatched.entries()];
    this.dispatched.clear();
    const run = async (): Promise<void> => {
      try {
        await this.deps.store.clearOutboxes(batch);
      } catch (error) {
        // Entries left behind are re-dispatched by a repair (harmlessly).
        this.deps.onDispatchError(batch[0][0], error);
      }
    };
    this.clearing = this.clearing.then(run);
    return this.clearing;
  }

  /**
   * Dispatched outbox entries are removed by the run's next commit from this process (workers
   * usually make it themselves), else by one batched pipeline shortly after: no call per dispatch.
   */
  private markDispatched(runId: string, outbox: readonly string[]): void {
    const list = this.dispatched.get(runId);
    if (list) list.push(...outbox);
    else this.dispatched.set(runId, [...outbox]);
    if (!this.clearTimer) {
      this.clearTimer = setTimeout(() => void this.flushDispatched(), CLEAR_DELAY_MS);
      this.clearTimer.unref();
    }
  }

  /** Caches (or, with null, forgets) the state this process just committed for a run. */
  private remember(runId: string, entry: CachedRun | null): void {
    this.cache.delete(runId);
    if (entry === null) return;
    if (this.cache.size >= CACHE_LIMIT) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(runId, entry);
  }

  private async repairQuietly(runId: string): Promise<void> {
    try {
      await this.repairOutbox(runId);
    } catch (error) {
      this.deps.onDispatchError(runId, error);
    }
  }

  private serialised<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(runId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(runId, settled);
    void settled.then(() => {
      if (this.chains.get(runId) === settled) this.chains.delete(runId);
    });
    return next;
  }
}

/** The per-run timer and awaited-activity bookkeeping a decision implies. Pure. */
export function bookkeeping(
  commands: readonly Command[],
  events: readonly RunEvent[],
): {
  timersAdded: { seq: number; at: number }[];
  timersRemoved: number[];
  activitiesAdded: number[];
  activitiesRemoved: number[];
} {
  const timersAdded: { seq: number; at: number }[] = [];
  const timersRemoved: number[] = [];
  const activitiesAdded: number[] = [];
  const activitiesRemoved: number[] = [];
  for (const event of events) {
    if (event.type === 'TimerFired') timersRemoved.push(event.seq);
    if (event.type === 'ActivityCompleted' || event.type === 'ActivityFailed') activitiesRemoved.push(event.seq);
  }
  for (const command of commands) {
    if (command.type === 'StartTimer') timersAdded.push({ seq: command.seq, at: command.at });
    else if (command.type === 'CancelTimer') timersRemoved.push(command.seq);
    else if (command.type === 'ScheduleActivity') activitiesAdded.push(command.seq);
    else if (command.type === 'CancelActivity') activitiesRemoved.push(command.seq);
  }
  return { timersAdded, timersRemoved, activitiesAdded, activitiesRemoved };
}

/** Two decisions made one after the other on the same run, as one (the second's state). Pure. */
function combine(first: Decision, second: Decision): Decision {
  return {
    accepted: true,
    state: second.state,
    commands: [...first.commands, ...second.commands],
    history: [...first.history, ...second.history],
  };
}

/** This process's random part of generation tokens, and a counter for the rest (no random bytes per run). */
const GENERATION_PREFIX = randomBytes(6).toString('base64url');
let generationCounter = 0;

/** A token unique to one incarnation of a run id (this process's random prefix and a counter). */
function newGeneration(): string {
  generationCounter = (generationCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${GENERATION_PREFIX}${generationCounter.toString(36)}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
