/**
 * The two ports a runtime gives the run driver (run-driver.ts): where runs are kept (RunStore)
 * and what carries a committed decision's commands out (CommandSink). The embedded runtime keeps
 * runs in a map and runs commands in-process; the Redis runtime keeps them in Redis (a Lua commit)
 * and turns commands into BullMQ jobs. Everything else about moving a run is the driver's.
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import type { Decision, HistoryEntry, RunEvent, RunState } from '../../interpreter/types.js';

/** A run as read from its store: its state and the definition it is pinned to. */
export interface StoredRun {
  readonly state: RunState;
  readonly definition: WorkflowDefinition;
}

/**
 * One decided transition, ready to be committed. `events` are the inbound events in the order
 * decided (the first is what the observer is told of); `previous` is null when it creates the run.
 */
export interface Transition {
  readonly runId: string;
  readonly definition: WorkflowDefinition;
  readonly previous: RunState | null;
  readonly decision: Decision;
  readonly events: readonly RunEvent[];
}

/**
 * Where runs are kept. `Loaded` is a run as loaded for a transition: its state (whose `revision`
 * the commit expects) plus whatever else the store needs to check that nothing moved since (the
 * Redis generation). `Create` is what a store needs to create a run besides the transition (the
 * Redis latest-version check); `Receipt` what a commit hands on to the command sink. `Extra` is
 * what a caller of `apply` may bring beside its events, opaque to the driver and committed with
 * them (the Redis store's eager-execution offers and the outbox entries an answer settles).
 */
export interface RunStore<Loaded extends StoredRun = StoredRun, Create = undefined, Receipt = undefined, Extra = never> {
  /** The run for a read (a query): no repair, no revision needed. Undefined when there is none. */
  read(runId: string): Promise<StoredRun | undefined>;
  /** The run for a transition, with its revision. Undefined when there is none. May throw to refuse every event of the run. */
  load(runId: string): Promise<Loaded | undefined>;
  /**
   * A run state believed current, decided on without a load (a cache of what this process last
   * committed). Anything short of every event accepted and committed falls back to `load`, so a
   * stale one costs one wasted decision. Optional.
   */
  peek?(runId: string): Promise<Loaded | undefined>;
  /**
   * Commits `transition` if the run is still at `expected` (undefined: create it; a finished run
   * of the id is replaced, a running one refused with RunAlreadyExistsError). Returns 'conflict'
   * when the run moved on (the driver loads and decides again), else the receipt for the sink.
   * `extras` are the batch's callers' extras, in their order (whether or not the core accepted
   * their events); none for a creation.
   */
  commit(transition: Transition, expected: Loaded | undefined, create?: Create, extras?: readonly Extra[]): Promise<'conflict' | { readonly receipt: Receipt }>;
  /** The run's whole history (for the observer once a run ends). */
  history(runId: string): Promise<readonly HistoryEntry[]>;
  /**
   * Told when some events decided on `loaded` were ignored (a duplicate answer: often a job run
   * again after its process died mid-way). A store with an outbox makes sure it was dispatched.
   */
  afterIgnored?(runId: string, loaded: Loaded): Promise<void>;
}

/**
 * Carries out a committed decision's commands (persist, then dispatch: called only after the
 * commit). Must not throw for a failed dispatch: what it could not do, it repairs itself.
 */
export interface CommandSink<Receipt = undefined> {
  carryOut(transition: Transition, receipt: Receipt): Promise<void> | void;
}
