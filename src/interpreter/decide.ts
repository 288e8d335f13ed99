// Over 300 lines on purpose: the entry checks, the working context and the dispatch of each event type share one Ctx; the step kinds already live in steps/.
/**
 * THE CORE: `decide(definition, state, event)` → the next state, the commands to carry out and
 * the history entries to append. Pure and deterministic — no I/O, no clock, no randomness; time
 * comes from `event.at`. The input state is never changed (updates copy what they touch, and
 * large collections are persistent maps, so a decision costs the same late in a long run).
 */
import type { WorkflowDefinition } from '../definition/types.js';
import { DEFAULT_LIMITS } from '../expression/index.js';
import type { Continuation, Decision, EvaluationLimits, ErrorInfo, HistoryEntry, RunEvent, RunStartedEvent, RunState } from './types.js';
import { CHAIN_LIMIT, TERMINAL_STATUSES } from './types.js';
import { initialCore, type CoreState, type Outcome, type StepNode } from './core-state.js';
import { awaitingOf, getNode, record, settleSeq, stepOf, type Ctx } from './context.js';
import { indexDefinition } from './definition-index.js';
import { handlerFor } from './dispatch.js';
import { drain } from './drain.js';
import { CoreInvariantError, CoreMisuseError } from './errors.js';
import { onRetryTimer, onStepTimeout } from './lifecycle.js';
import { pmGet, pmHas, pmSet } from './pmap.js';
import { cancelRun, onRunTimeout, retryRun, startRun, terminateRun } from './run-control.js';
import { recordConsumed } from './steps/wait-signal.js';
import { migrationDecision } from './migrate.js';
import { withSearchAttributes } from './search-attributes.js';

/** Options of a decision. */
export interface DecideOptions {
  /** Bounds on expression evaluation (default: the expression module's DEFAULT_LIMITS). */
  readonly limits?: EvaluationLimits;
  /**
   * Replay only: the ExpressionTimeout failures the recorded decision reported. The evaluations
   * they belong to fail with them instead of being evaluated again (see recorded-timeouts.ts).
   */
  readonly recordedTimeouts?: readonly ErrorInfo[];
}

/** True for every status but `running`. Pure. */
export function isTerminal(status: RunState['status']): boolean {
  return TERMINAL_STATUSES.includes(status);
}

function newState(definition: WorkflowDefinition, event: Extract<RunEvent, { type: 'RunStarted' }>): RunState {
  const first: RunState = {
    runId: event.runId,
    workflow: { name: definition.name, version: definition.version, digest: definition.digest },
    status: 'running',
    // undefined would not survive a JSON round trip (the Redis runtime stores state as JSON).
    input: event.input === undefined ? null : event.input,
    vars: {},
    output: null,
    error: null,
    startedAt: event.at,
    updatedAt: event.at,
    endedAt: null,
    revision: 0,
    historyLength: 0,
    retries: 0,
    parent: event.parent ? { runId: event.parent.runId, seq: event.parent.seq } : null,
    core: initialCore(),
  };
  return event.continued ? laterGeneration(first, event.at, event.continued) : first;
}

/**
 * The first state of a generation started by `continueAsNew`: a first state whose counters, untaken
 * signals, revision and first start are carried over from the generation before.
 */
function laterGeneration(first: RunState, at: number, continued: Continuation): RunState {
  const owned = new Set<object>();
  let seenSignals = initialCore().seenSignals;
  for (const line of Object.values(continued.signals)) {
    for (const signal of line) if (signal.signalId !== undefined) seenSignals = pmSet(seenSignals, signal.signalId, 1, owned);
  }
  const core: CoreState = { ...initialCore(), nextSeq: continued.nextSeq, nextNode: continued.nextNode, uuids: continued.uuids, signals: continued.signals, seenSignals };
  return {
    ...first,
    startedAt: continued.runStartedAt,
    revision: continued.revision,
    core,
    continued: { generation: continued.generation, startedAt: at, chain: continued.chain },
  };
}

/**
 * The decision that ends a generation (a `continueAsNew` step ran): the next generation's
 * RunStarted is decided at once and its state, history (from index 0) and commands replace this
 * generation's; the commands that cancel what the old generation still had out go first.
 */
async function continueAsNewDecision(ctx: Ctx, base: RunState, options: DecideOptions): Promise<Decision> {
  const generation = base.continued?.generation ?? 1;
  const link = { generation, startedAt: base.continued?.startedAt ?? base.startedAt, continuedAt: ctx.at, historyLength: base.historyLength + ctx.history.length };
  const chain = [...(base.continued?.chain ?? []), link].slice(-CHAIN_LIMIT);
  const event: RunStartedEvent = {
    type: 'RunStarted',
    runId: base.runId,
    input: ctx.continueWith?.input ?? null,
    at: ctx.at,
    ...(base.parent ? { parent: base.parent } : {}),
    continued: { generation: generation + 1, runStartedAt: base.startedAt, revision: base.revision, chain, nextSeq: ctx.core.nextSeq, nextNode: ctx.core.nextNode, uuids: ctx.core.uuids, signals: ctx.core.signals },
  };
  const next = await decide(ctx.definition, undefined, event, { ...(options.limits ? { limits: options.limits } : {}) });
  return { accepted: true, state: next.state, commands: [...ctx.commands, ...next.commands], history: next.history, historyRestarted: true };
}

/**
 * Decides one event. `state` is undefined exactly for `RunStarted`. Pure: returns a new state and
 * never changes its inputs. A stale or duplicate event gives `accepted: false` and the same state.
 * Throws CoreMisuseError when the event does not belong to this definition/state.
 */
export async function decide(
  definition: WorkflowDefinition,
  state: RunState | undefined,
  event: RunEvent,
  options: DecideOptions = {},
): Promise<Decision> {
  if (event.type === 'RunStarted') {
    if (state !== undefined) throw new CoreMisuseError(`run ${state.runId} has already started`);
  } else if (event.type === 'RunMigrated') {
    if (state === undefined) throw new CoreMisuseError('RunMigrated before RunStarted: no state to decide on');
    if (isTerminal(state.status)) return { accepted: false, state, commands: [], history: [] };
    const migrated = migrationDecision(definition, state, event);
    return { ...migrated, state: await withSearchAttributes(definition, state, migrated.state, options.limits ?? DEFAULT_LIMITS) };
  } else {
    if (state === undefined) throw new CoreMisuseError(`${event.type} before RunStarted: no state to decide on`);
    const w = state.workflow;
    if (w.name !== definition.name || w.version !== definition.version || w.digest !== definition.digest) {
      throw new CoreMisuseError(
        `run ${state.runId} was started with ${w.name} v${w.version}, not ${definition.name} v${definition.version} (digest ${definition.digest})`,
      );
    }
  }
  const base = state ?? newState(definition, event as Extract<RunEvent, { type: 'RunStarted' }>);
  const unchanged: Decision = { accepted: false, state: base, commands: [], history: [] };
  if (isTerminal(base.status) && event.type !== 'RetryRequested') return unchanged;
  // Hot path (one per activity attempt): an ActivityStarted only adds its history entry.
  if (event.type === 'ActivityStarted') return activityStarted(definition, base, event, unchanged);
  const ctx: Ctx = {
    definition,
    index: indexDefinition(definition),
    runId: base.runId,
    event,
    at: event.at,
    limits: options.limits ?? DEFAULT_LIMITS,
    owned: new Set(),
    handlerFor,
    core: { ...(base.core as CoreState) },
    run: {
      status: base.status,
      vars: base.vars,
      output: base.output,
      error: base.error,
      endedAt: base.endedAt,
      retries: base.retries,
      input: base.input,
      startedAt: base.startedAt,
      parent: base.parent,
    },
    commands: [],
    history: [],
    historyBase: base.historyLength,
    queue: [],
    queueHead: 0,
    ended: false,
    counters: new Map(),
    recordedTimeouts: options.recordedTimeouts ? [...options.recordedTimeouts] : [],
  };
  recordEvent(ctx);
  if (!(await apply(ctx))) return unchanged;
  await drain(ctx);
  if (ctx.continueWith) return continueAsNewDecision(ctx, base, options);
  const decision = finish(ctx, base);
  return { ...decision, state: await withSearchAttributes(definition, state, decision.state, ctx.limits) };
}

/**
 * ActivityStarted decided without a full working context: accepted while its attempt is awaited,
 * it records one entry and changes nothing else (the same result the general path gives).
 */
function activityStarted(
  definition: WorkflowDefinition,
  base: RunState,
  event: Extract<RunEvent, { type: 'ActivityStarted' }>,
  unchanged: Decision,
): Decision {
  const core = base.core as CoreState;
  const awaiting = pmGet(core.awaiting, String(event.seq));
  if (!awaiting || awaiting.kind !== 'activity' || awaiting.node === '') return unchanged;
  const node = pmGet(core.nodes, awaiting.node);
  if (node?.type !== 'step') return unchanged;
  const step = indexDefinition(definition).steps.get(node.path);
  if (!step) throw new CoreInvariantError(`no step at ${node.path} in ${definition.name} v${definition.version}`);
  const entry: HistoryEntry =
    step.id === undefined
      ? { index: base.historyLength, at: event.at, type: 'ActivityStarted', path: node.path, attempt: event.attempt, seq: event.seq, event }
      : { index: base.historyLength, at: event.at, type: 'ActivityStarted', path: node.path, stepId: step.id, attempt: event.attempt, seq: event.seq, event };
  const state: RunState = {
    runId: base.runId,
    workflow: base.workflow,
    status: base.status,
    input: base.input,
    vars: base.vars,
    output: base.output,
    error: base.error,
    startedAt: base.startedAt,
    updatedAt: event.at,
    endedAt: base.endedAt,
    revision: base.revision + 1,
    historyLength: base.historyLength + 1,
    retries: base.retries,
    parent: base.parent,
    core: base.core,
    ...(base.searchAttributes === undefined ? {} : { searchAttributes: base.searchAttributes }),
    ...(base.continued ? { continued: base.continued } : {}),
  };
  return { accepted: true, state, commands: [], history: [entry] };
}

function recordEvent(ctx: Ctx): void {
  const event = ctx.event;
  if ('seq' in event) {
    // Built field by field (no spreads: this runs once per event); same keys, same order.
    const awaiting = awaitingOf(ctx, event.seq);
    const node = awaiting && awaiting.node !== '' ? getNode(ctx, awaiting.node) : undefined;
    const seq = event.seq;
    if (node?.type === 'step') {
      const step = stepOf(ctx, node.path);
      const attempt = event.type === 'ActivityStarted' ? event.attempt : node.attempt;
      record(ctx, event.type, step.id === undefined ? { path: node.path, attempt, seq, event } : { path: node.path, stepId: step.id, attempt, seq, event });
    } else {
      record(ctx, event.type, event.type === 'ActivityStarted' ? { seq, attempt: event.attempt, event } : { seq, event });
    }
  } else if (event.type === 'RunStarted' && event.continued) {
    const from = event.continued.chain[event.continued.chain.length - 1];
    record(ctx, event.type, { details: { generation: event.continued.generation, ...(from ? { continuedFrom: from } : {}) }, event });
  } else {
    record(ctx, event.type, { event });
  }
}

/** Values from outside as the run keeps them: `undefined` (not JSON) becomes null. */
function orNull(value: unknown): unknown {
  return value === undefined ? null : value;
}

function stepNodeFor(ctx: Ctx, seq: number, kind: 'activity' | 'timer' | 'child'): StepNode | undefined {
  const awaiting = awaitingOf(ctx, seq);
  if (!awaiting || awaiting.kind !== kind || awaiting.node === '') return undefined;
  const node = getNode(ctx, awaiting.node);
  return node?.type === 'step' ? node : undefined;
}

/** Applies the event; false when it changes nothing (stale, duplicate, not applicable). */
async function apply(ctx: Ctx): Promise<boolean> {
  const event = ctx.event;
  switch (event.type) {
    case 'RunStarted':
      await startRun(ctx);
      return true;
    case 'ActivityStarted':
      return stepNodeFor(ctx, event.seq, 'activity') !== undefined;
    case 'ActivityCompleted':
    case 'ActivityFailed': {
      const node = stepNodeFor(ctx, event.seq, 'activity');
      if (!node) return false;
      settleSeq(ctx, event.seq);
      const outcome: Outcome = event.type === 'ActivityCompleted' ? { ok: true, output: orNull(event.output) } : { ok: false, error: event.error };
      const step = stepOf(ctx, node.path);
      await ctx.handlerFor(step.kind).onActivity?.(ctx, node, step, event.seq, outcome);
      return true;
    }
    case 'TimerFired':
      return onTimer(ctx, event.seq);
    case 'SignalReceived':
      return onSignal(ctx, event);
    case 'ChildStarted':
      return stepNodeFor(ctx, event.seq, 'child') !== undefined;
    case 'ChildCompleted':
    case 'ChildFailed': {
      const node = stepNodeFor(ctx, event.seq, 'child');
      if (!node) return false;
      const childRunId = awaitingOf(ctx, event.seq)?.childRunId ?? '';
      settleSeq(ctx, event.seq);
      const outcome: Outcome =
        event.type === 'ChildCompleted'
          ? { ok: true, output: orNull(event.output) }
          : {
              ok: false,
              error: {
                type: 'ChildFailed',
                message: `child run ${childRunId} ended ${event.status}: ${event.error.type}: ${event.error.message}`,
                details: { childRunId, status: event.status, error: event.error },
              } satisfies ErrorInfo,
            };
      const step = stepOf(ctx, node.path);
      await ctx.handlerFor(step.kind).onChildRun?.(ctx, node, step, event.seq, outcome);
      return true;
    }
    case 'CancelRequested':
      return cancelRun(ctx, event.reason);
    case 'TerminateRequested':
      terminateRun(ctx, event.reason, event.failure);
      return true;
    case 'RetryRequested':
      return retryRun(ctx);
    case 'RunMigrated':
      throw new CoreInvariantError('RunMigrated is decided before the working context is made');
    default: {
      const never: never = event;
      throw new CoreMisuseError(`unknown event ${JSON.stringify(never)}`);
    }
  }
}

async function onTimer(ctx: Ctx, seq: number): Promise<boolean> {
  const awaiting = awaitingOf(ctx, seq);
  if (!awaiting || awaiting.kind !== 'timer') return false;
  if (awaiting.purpose === 'run-timeout') {
    await onRunTimeout(ctx, seq);
    return true;
  }
  const node = stepNodeFor(ctx, seq, 'timer');
  if (!node) return false;
  if (awaiting.purpose === 'retry') await onRetryTimer(ctx, node, seq);
  else if (awaiting.purpose === 'step-timeout') await onStepTimeout(ctx, node, seq);
  else {
    const step = stepOf(ctx, node.path);
    await ctx.handlerFor(step.kind).onTimer?.(ctx, node, step, seq);
  }
  return true;
}

async function onSignal(ctx: Ctx, event: Extract<RunEvent, { type: 'SignalReceived' }>): Promise<boolean> {
  if (event.signalId !== undefined) {
    if (pmHas(ctx.core.seenSignals, event.signalId)) return false;
    ctx.core.seenSignals = pmSet(ctx.core.seenSignals, event.signalId, 1, ctx.owned);
  }
  const [waiter, ...others] = ctx.core.waiters[event.name] ?? [];
  const node = waiter === undefined ? undefined : getNode(ctx, waiter);
  if (node?.type === 'step') {
    ctx.core.waiters = { ...ctx.core.waiters, [event.name]: others };
    recordConsumed(ctx, node, event.name, event.signalId);
    const step = stepOf(ctx, node.path);
    await ctx.handlerFor(step.kind).onSignal?.(ctx, node, step, orNull(event.data));
    return true;
  }
  const buffered = { data: orNull(event.data), at: event.at, ...(event.signalId === undefined ? {} : { signalId: event.signalId }) };
  ctx.core.signals = { ...ctx.core.signals, [event.name]: [...(ctx.core.signals[event.name] ?? []), buffered] };
  return true;
}

function finish(ctx: Ctx, base: RunState): Decision {
  const history = ctx.history;
  // Every field written out (RunState's own order, as newState makes it): no spread per decision.
  const state: RunState = {
    runId: base.runId,
    workflow: base.workflow,
    status: ctx.run.status,
    input: base.input,
    vars: ctx.run.vars,
    output: ctx.run.output,
    error: ctx.run.error,
    startedAt: base.startedAt,
    updatedAt: ctx.at,
    endedAt: ctx.run.endedAt,
    revision: base.revision + 1,
    historyLength: base.historyLength + history.length,
    retries: ctx.run.retries,
    parent: base.parent,
    core: ctx.core,
  };
  if (base.continued) (state as { continued?: RunState['continued'] }).continued = base.continued;
  return { accepted: true, state, commands: ctx.commands, history };
}
