/**
 * The interpreter's private bookkeeping, kept in `RunState.core`: the tree of activation nodes,
 * the scopes, what each command sequence number is waiting for, buffered signals and saga
 * registrations. Plain JSON; large collections are persistent maps (pmap.ts) so one decision
 * costs the same however long the run has been going.
 */
import type { StepPath } from '../definition/types.js';
import type { ErrorInfo, RunState, TimerPurpose } from './types.js';
import { EMPTY_PMAP, pmEntries, pmGet, type PMap } from './pmap.js';

/** What a finished node reports to its parent. */
export type Outcome = { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly error: ErrorInfo };

interface NodeCommon {
  readonly id: string;
  /** Parent node id; null for the root block and for saga compensations. */
  readonly parent: string | null;
  /** Scope whose bindings this node's expressions see. */
  readonly scope: string;
  /** Position inside the parent (branch, iteration or pass number); -1 when not meaningful. */
  readonly tag: number;
  /** Ids of active child nodes. */
  readonly children: PMap<1>;
  /** Sequence numbers of commands this node itself is waiting on (activity, timers, child run). */
  readonly waits: readonly number[];
}

/** An executing instance of one step. */
export interface StepNode extends NodeCommon {
  readonly type: 'step';
  readonly path: StepPath;
  readonly attempt: number;
  /** running: the kind is working; backoff: waiting for the retry timer; handling: a catch handler runs. */
  readonly phase: 'running' | 'backoff' | 'handling';
  /** Kind-specific progress (see steps/<kind>.ts). */
  readonly data: unknown;
}

/** Why a block exists: decides what happens when it ends. */
export type BlockRole = 'root' | 'body' | 'handler' | 'compensation' | 'saga';

/** A sequence of steps run one after another (the root, a group, an iteration, a case, a handler…). */
export interface BlockNode extends NodeCommon {
  readonly type: 'block';
  /** Key of the step list in the definition index. */
  readonly list: string;
  readonly role: BlockRole;
  /** Index of the step running now. */
  readonly index: number;
  /** Output of the last completed step (null before the first). */
  readonly last: unknown;
  /** True when the block created its scope and deletes it when it ends. */
  readonly ownsScope: boolean;
  /** For compensation blocks: the registration being run. */
  readonly regId?: string;
}

/** Any active node. */
export type Node = StepNode | BlockNode;

/** Bindings and step outputs visible to expressions; scopes form a chain to the root. */
export interface Scope {
  readonly parent: string | null;
  /** Extra bindings: item/index (or their custom names), output, error. */
  readonly locals: Readonly<Record<string, unknown>>;
  /** Outputs of completed steps with an id, run in this scope. */
  readonly steps: PMap<unknown>;
}

/** What an outstanding sequence number is for. */
export interface Awaiting {
  readonly node: string;
  readonly kind: 'activity' | 'timer' | 'child';
  readonly purpose?: TimerPurpose;
  readonly childRunId?: string;
}

/** A compensation registered by a step that completed successfully (SPEC §5). */
export interface Registration {
  readonly regId: string;
  readonly stepPath: StepPath;
  readonly stepId?: string;
  readonly scopeId: string;
  readonly output: unknown;
  /** item/index bindings of the registering scope, so the compensation can still use them. */
  readonly locals: Readonly<Record<string, unknown>>;
}

/** A signal received before any waitSignal took it. */
export interface BufferedSignal {
  readonly data: unknown;
  readonly at: number;
  readonly signalId?: string;
}

/** The run-level compensation phase after an unhandled failure, a cancel or a run timeout. */
export interface Saga {
  readonly reason: 'failed' | 'cancelled' | 'timed_out';
  readonly error: ErrorInfo;
  /** Registrations still to run, next first (reverse registration order). */
  readonly pending: readonly string[];
  readonly ran: number;
  readonly failures: readonly ErrorInfo[];
}

/** Everything the core keeps in `RunState.core`. */
export interface CoreState {
  readonly nextNode: number;
  readonly nextSeq: number;
  readonly nextReg: number;
  /** Counter behind `$uuid()`. */
  readonly uuids: number;
  readonly nodes: PMap<Node>;
  readonly scopes: PMap<Scope>;
  /** Outstanding seq → what it is for. */
  readonly awaiting: PMap<Awaiting>;
  /** waitSignal nodes waiting, per signal name, oldest first. */
  readonly waiters: Readonly<Record<string, readonly string[]>>;
  /** Signals received and not yet consumed, per name, oldest first. */
  readonly signals: Readonly<Record<string, readonly BufferedSignal[]>>;
  readonly seenSignals: PMap<1>;
  readonly regs: PMap<Registration>;
  /** Seq of the run-timeout timer while it runs. */
  readonly runTimer: number | null;
  readonly saga: Saga | null;
  /** Top-level step index where an unhandled failure happened (for RetryRequested). */
  readonly failedAt: number | null;
  /** Output of the last top-level step before `failedAt`. */
  readonly rootLast: unknown;
}

/** Id of the top-level scope. */
export const ROOT_SCOPE = 'root';
/** Block key of the top-level step list. */
export const ROOT_LIST = '#';

/** The core state of a run that has not started anything yet. Pure. */
export function initialCore(): CoreState {
  return {
    nextNode: 0,
    nextSeq: 1,
    nextReg: 0,
    uuids: 0,
    nodes: EMPTY_PMAP,
    scopes: { n: 1, f: [ROOT_SCOPE, { parent: null, locals: {}, steps: EMPTY_PMAP }] },
    awaiting: EMPTY_PMAP,
    waiters: {},
    signals: {},
    seenSignals: EMPTY_PMAP,
    regs: EMPTY_PMAP,
    runTimer: null,
    saga: null,
    failedAt: null,
    rootLast: null,
  };
}

/**
 * True while the run awaits an activity's answer (an attempt scheduled or running). Runtimes use
 * it to tell a state about to change again soon from one that will sit (waiting on a signal, a
 * timer or a child, or ended). Pure.
 */
export function awaitsActivity(state: RunState): boolean {
  const awaiting = (state.core as Partial<CoreState> | null)?.awaiting;
  if (!awaiting) return false;
  for (const [, entry] of pmEntries(awaiting)) if (entry.kind === 'activity') return true;
  return false;
}

/**
 * The path of the step awaiting `seq` (its activity, timer or child run): undefined when the run
 * does not await that seq, null when the seq is the run's own (the run timeout). Pure.
 */
export function stepAwaiting(state: RunState, seq: number): StepPath | null | undefined {
  const core = state.core as Partial<CoreState> | null;
  const awaiting = core?.awaiting ? pmGet(core.awaiting, String(seq)) : undefined;
  if (!awaiting) return undefined;
  const node = core?.nodes ? pmGet(core.nodes, awaiting.node) : undefined;
  return node?.type === 'step' ? node.path : null;
}

/** One `waitSignal` step a run is waiting in: the signal's name and the step's path. */
export interface SignalWait {
  readonly signal: string;
  readonly path: StepPath;
}

/**
 * The signals a run waits for right now (each waiting step, oldest first per signal). The core
 * writes no history entry while a step waits, so tools that show "waiting for approve" read it
 * here. Pure.
 */
export function signalWaits(state: RunState): SignalWait[] {
  const core = state.core as Partial<CoreState> | null;
  const out: SignalWait[] = [];
  for (const [signal, nodeIds] of Object.entries(core?.waiters ?? {})) {
    for (const nodeId of nodeIds) {
      const node = core?.nodes ? pmGet(core.nodes, nodeId) : undefined;
      if (node?.type === 'step') out.push({ signal, path: node.path });
    }
  }
  return out;
}
