/**
 * The run driver both runtimes share: events for one run are decided strictly in arrival order,
 * those that pile up while a transition is under way as one batch (one commit for a fan-out's
 * answers); each is stamped with its decision time; a decision is committed expecting the
 * revision it was made on, and decided again on a fresh load when another process moved the run
 * first; only then are its commands carried out (persist, then dispatch). Storage and dispatch
 * are the ports' (ports.ts); the driver holds no run state of its own beyond its queues.
 *
 * Just over 300 lines on purpose: creation, batched events and migration share the per-run
 * queue, the commit and the conflict back-off; split apart each would need the others' privates.
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import { RunNotFoundError } from '../../errors.js';
import { decide, isTerminal } from '../../interpreter/index.js';
import type { RunStartedEvent, RunState } from '../../interpreter/types.js';
import type { RunObserver } from '../../observability/run-observer.js';
import { decideBatch, type ApplyResult, type BatchItem, type DecidedBatch, type EventBuilder, type ItemResult } from '../common/batch-decision.js';
import { migrationReport, migrationStep } from '../common/migration.js';
import type { MigrateOptions, MigrationReport } from '../engine.js';
import type { TimedEventInput } from '../common/events.js';
import type { EngineLimits } from '../common/limits.js';
import { RunQueue } from '../common/run-queue.js';
import type { CommandSink, RunStore, StoredRun, Transition } from './ports.js';

export type { ApplyResult, EventBuilder };

/** Options of {@link RunDriver}. */
export interface RunDriverOptions<Loaded extends StoredRun, Create, Receipt, Extra = never> {
  readonly store: RunStore<Loaded, Create, Receipt, Extra>;
  readonly sink: CommandSink<Receipt>;
  /** The decision time (epoch ms): the runtime's injected clock. */
  readonly now: () => number;
  readonly limits: EngineLimits;
  /** Observability hook, told of every committed transition (never throws). */
  readonly observer?: Pick<RunObserver, 'onCommitted'>;
  /** Randomness for the conflict back-off jitter (default Math.random). */
  readonly random?: () => number;
  /** Waits `ms`: the back-off after a lost race (default a setTimeout). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The error after too many consecutive conflicts on one run. */
  readonly tooManyConflicts?: (runId: string, attempts: number) => Error;
  /**
   * Told when the core itself failed on an event (a bug, not a refusal), before the rest of the
   * batch is committed: the embedded runtime stops the run. Without it the caller gets the error.
   */
  readonly onCoreFailure?: (runId: string, error: unknown) => void;
  /** Told when a run's queue starts having work and when it has none left (idle accounting). */
  readonly onBusy?: () => void;
  readonly onSettled?: () => void;
}

/** Consecutive conflicts on one run before giving up. */
const MAX_ATTEMPTS = 60;
/** At most this many callers' events are decided as one transition. */
const MAX_BATCH = 64;

/** A caller's events waiting for their run's next transition, with what it brings for the commit. */
interface PendingEvent<Extra> extends BatchItem {
  readonly extra: Extra | undefined;
  readonly resolve: (result: ApplyResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Work queued for one run: events to apply, or work done alone in the run's order (its creation, a migration). */
type RunWork<Extra> = ({ readonly kind: 'apply' } & PendingEvent<Extra>) | { readonly kind: 'alone'; readonly work: () => Promise<void> };

/** What a builder threw: a refusal for its caller, not a failure of the core. */
class Refusal {
  constructor(readonly error: unknown) {}
}

/** Moves runs kept in `store`, carrying their commands out through `sink`. */
export class RunDriver<Loaded extends StoredRun = StoredRun, Create = undefined, Receipt = undefined, Extra = never> {
  private readonly queue: RunQueue<RunWork<Extra>>;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private closed = false;

  constructor(private readonly options: RunDriverOptions<Loaded, Create, Receipt, Extra>) {
    this.queue = new RunQueue<RunWork<Extra>>((runId, batch) => this.drain(runId, batch), MAX_BATCH, {
      ...(options.onBusy ? { onBusy: options.onBusy } : {}),
      ...(options.onSettled ? { onSettled: options.onSettled } : {}),
    });
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? delay;
  }

  /** The engine's limits (payload, expression, retention). */
  get limits(): EngineLimits {
    return this.options.limits;
  }

  /** The run as it is now, for a read (a query); undefined when there is none. */
  read(runId: string): Promise<StoredRun | undefined> {
    return this.options.store.read(runId);
  }

  /** Runs with work queued or under way. */
  get busyRuns(): number {
    return this.queue.activeRuns;
  }

  /**
   * Applies the events `build` makes from the run's state at its turn (it may throw to refuse,
   * or return null to skip). `notBefore` bounds the events' time from below (a timer fires no
   * earlier than it was due). `extra` goes to the store's commit of the transition that decides
   * these events (ports.ts). Throws RunNotFoundError, or what `build` throws.
   */
  apply(runId: string, build: EventBuilder, notBefore = 0, extra?: Extra): Promise<ApplyResult> {
    return new Promise<ApplyResult>((resolve, reject) => {
      this.queue.push(runId, { kind: 'apply', build: refusing(build), notBefore, extra, resolve, reject });
    });
  }

  /**
   * An answer to one of the run's commands (an activity's, a timer's, a child's): dropped,
   * undecided, once the run has ended, or when `stillAsked` says the run id now names another
   * run (the embedded runtime's replaced runs). `extra` as for `apply`. Resolves whether the core
   * accepted it.
   */
  async answer(
    runId: string,
    events: TimedEventInput | readonly TimedEventInput[],
    notBefore = 0,
    stillAsked: () => boolean = () => true,
    extra?: Extra,
  ): Promise<boolean> {
    const result = await this.apply(runId, (state) => (isTerminal(state.status) || !stillAsked() ? null : events), notBefore, extra);
    return result.accepted;
  }

  /**
   * Creates a run from its RunStarted decision, stamped now; resolves with its first state once
   * committed and its commands carried out. Throws RunAlreadyExistsError when the id is running.
   */
  create(definition: WorkflowDefinition, event: Omit<RunStartedEvent, 'at'>, create?: Create): Promise<RunState> {
    return new Promise<RunState>((resolve, reject) => {
      const work = async (): Promise<void> => {
        try {
          const full: RunStartedEvent = { ...event, at: this.options.now() };
          const decision = await decide(definition, undefined, full, { limits: this.options.limits.expression });
          const transition: Transition = { runId: event.runId, definition, previous: null, decision, events: [full] };
          await this.commit(transition, undefined, create);
          resolve(decision.state);
        } catch (error) {
          reject(error);
        }
      };
      this.queue.push(event.runId, { kind: 'alone', work });
    });
  }

  /**
   * Moves a run to `target` (docs/decisions/0015): planned on a fresh load and, when allowed,
   * decided with the target definition and committed expecting the revision it was planned on,
   * alone in the run's queue (later events are decided with the target). A conflict plans again.
   * `throwWhenBlocked`: a blocked plan throws MigrationBlockedError instead of being reported.
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
      this.queue.push(runId, { kind: 'alone', work });
    });
  }

  /** Later events are not decided (answered `accepted: false`); what is under way finishes. */
  close(): void {
    this.closed = true;
  }

  /**
   * Does one batch of a run's queued work: creations alone, and every run of consecutive events
   * as one transition. Each caller learns whether its own events were accepted.
   */
  private async drain(runId: string, batch: readonly RunWork<Extra>[]): Promise<void> {
    let events: PendingEvent<Extra>[] = [];
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

  private async applyNow(runId: string, batch: readonly PendingEvent<Extra>[]): Promise<readonly ItemResult[]> {
    const { store } = this.options;
    if (this.closed) {
      const loaded = await store.load(runId);
      if (!loaded) throw new RunNotFoundError(runId);
      return batch.map(() => ({ accepted: false, state: loaded.state }));
    }
    const peeked = store.peek ? await store.peek(runId).catch(() => undefined) : undefined;
    if (peeked) {
      try {
        const decided = await this.decide(peeked, batch);
        // Anything but every caller accepted may come from a stale state: decide again on a load.
        if (decided.results.every((r) => 'accepted' in r && r.accepted) && (await this.commitDecided(runId, peeked, decided, batch))) {
          return decided.results;
        }
      } catch {
        // Failed on a possibly stale state: decide again on a fresh load below.
      }
    }
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loaded = await store.load(runId);
      if (!loaded) throw new RunNotFoundError(runId);
      const decided = await this.decide(loaded, batch);
      const failure = decided.results.find((r): r is { error: unknown } => 'error' in r && !(r.error instanceof Refusal));
      if (failure) this.options.onCoreFailure?.(runId, failure.error);
      if (await this.commitDecided(runId, loaded, decided, batch)) {
        if (store.afterIgnored && decided.results.some((r) => 'accepted' in r && !r.accepted)) await store.afterIgnored(runId, loaded);
        return decided.results.map((r) => ('error' in r && r.error instanceof Refusal ? { error: r.error.error } : r));
      }
      await this.backOff(attempt);
    }
    throw this.tooManyConflicts(runId);
  }

  private async migrateNow(runId: string, target: WorkflowDefinition, options: MigrateOptions, throwWhenBlocked: boolean): Promise<MigrationReport> {
    const { store, limits } = this.options;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const loaded = await store.load(runId);
      if (!loaded) throw new RunNotFoundError(runId);
      const step = migrationStep(loaded.definition, target, loaded.state, options, throwWhenBlocked);
      if (step.kind === 'report') return step.report;
      const decided = await decideBatch(target, loaded.state, [{ build: () => step.event, notBefore: 0 }], this.options.now(), limits.expression);
      const result = decided.results[0]!;
      if ('error' in result) throw result.error;
      if (!decided.decision) return migrationReport(runId, step.plan, 'skipped');
      // The transition's definition is the target: the store pins the run to it with this commit.
      const transition: Transition = { runId, definition: target, previous: loaded.state, decision: decided.decision, events: decided.events };
      if (await this.commit(transition, loaded)) return migrationReport(runId, step.plan, 'migrated');
      await this.backOff(attempt);
    }
    throw this.tooManyConflicts(runId);
  }

  /** Lost the race to another process: back off a little (jittered) before deciding again. */
  private backOff(attempt: number): Promise<void> {
    return this.sleep(Math.min(2 ** Math.min(attempt, 6), 50) * this.random());
  }

  private tooManyConflicts(runId: string): Error {
    return this.options.tooManyConflicts?.(runId, MAX_ATTEMPTS) ?? new Error(`run "${runId}" changed under ${MAX_ATTEMPTS} attempts to update it`);
  }

  /** Decides every caller's events on the run, in order, stamped now (nothing is stored). */
  private decide(run: Loaded, batch: readonly PendingEvent<Extra>[]): Promise<DecidedBatch> {
    return decideBatch(run.definition, run.state, batch, this.options.now(), this.options.limits.expression);
  }

  /**
   * Commits a decided batch expecting `run`'s revision, with every caller's extra; false on a
   * conflict. Nothing to commit is a success (the extras then go nowhere: their callers see
   * `accepted: false`).
   */
  private async commitDecided(runId: string, run: Loaded, decided: DecidedBatch, batch: readonly PendingEvent<Extra>[]): Promise<boolean> {
    if (!decided.decision) return true;
    const transition: Transition = { runId, definition: decided.definition, previous: run.state, decision: decided.decision, events: decided.events };
    const extras = batch.flatMap((item) => (item.extra === undefined ? [] : [item.extra]));
    return this.commit(transition, run, undefined, extras);
  }

  /** Commit, tell the observer, carry the commands out. False on a conflict (nothing done). */
  private async commit(transition: Transition, expected: Loaded | undefined, create?: Create, extras: readonly Extra[] = []): Promise<boolean> {
    const { store, sink, observer } = this.options;
    const outcome = await store.commit(transition, expected, create, extras);
    if (outcome === 'conflict') return false;
    const { runId, definition, previous, decision, events } = transition;
    // Logs, metrics and (once the run ended) its span tree. Never throws.
    observer?.onCommitted({ definition, previous, decision, event: events[0]!, loadHistory: () => store.history(runId) });
    await sink.carryOut(transition, outcome.receipt);
    return true;
  }
}

/** `build` with what it throws marked as a refusal (told apart from a failure of the core). */
function refusing(build: EventBuilder): EventBuilder {
  return (state, definition) => {
    try {
      return build(state, definition);
    } catch (error) {
      throw new Refusal(error);
    }
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
