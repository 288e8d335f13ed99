/**
 * The working context of one decision: a mutable draft of the run (new objects only — the input
 * state is never changed), the commands and history entries produced so far, and the queue of
 * finished nodes whose parents have not been told yet. Also the small primitives every module
 * uses: node and scope bookkeeping, sequence numbers, commands, history.
 */
import type { Step, StepKind, StepPath, WorkflowDefinition } from '../definition/types.js';
import type { EvaluationLimits } from '../expression/index.js';
import type { Command, ErrorInfo, HistoryEntry, HistoryEntryType, RunEvent, RunStatus, TimerPurpose } from './types.js';
import type { Awaiting, CoreState, Node, Outcome, Scope, StepNode } from './core-state.js';
import type { DefinitionIndex } from './definition-index.js';
import { pmDelete, pmGet, pmSet, type Owned } from './pmap.js';
import { CoreInvariantError } from './errors.js';
import { readableStepPath } from '../definition/step-path.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A finished node waiting to be reported to its parent (processed in order by drain.ts). */
export interface Pending {
  readonly parent: string | null;
  readonly child: Node;
  readonly outcome: Outcome;
}

/** What one step kind does: one module per kind under steps/, looked up by dispatch.ts. */
export interface StepKindHandler<S extends Step = Step> {
  /** Begin (or, after a retry backoff, begin again) the step. */
  start(ctx: Ctx, node: StepNode, step: S): Promise<void>;
  /** A child node (step or block) ended. */
  onChildDone?(ctx: Ctx, node: StepNode, step: S, child: Node, outcome: Outcome): Promise<void>;
  /** A timer of purpose `wait` fired. */
  onTimer?(ctx: Ctx, node: StepNode, step: S, seq: number): Promise<void>;
  /** The activity (seq) ended. */
  onActivity?(ctx: Ctx, node: StepNode, step: S, seq: number, outcome: Outcome): Promise<void>;
  /** The child run (seq) ended. */
  onChildRun?(ctx: Ctx, node: StepNode, step: S, seq: number, outcome: Outcome): Promise<void>;
  /** A signal was handed to this node. */
  onSignal?(ctx: Ctx, node: StepNode, step: S, data: unknown): Promise<void>;
  /** The node is being cancelled or left (timeout, failure): drop kind-specific registrations. */
  onLeave?(ctx: Ctx, node: StepNode, step: S): void;
}

/** The run-level fields a decision may change. */
export interface RunDraft {
  status: RunStatus;
  vars: Readonly<Record<string, unknown>>;
  output: unknown;
  error: ErrorInfo | null;
  endedAt: number | null;
  retries: number;
  readonly input: unknown;
  readonly startedAt: number;
  readonly parent: { readonly runId: string; readonly seq: number } | null;
}

/** Everything one decision works on. */
export interface Ctx {
  readonly definition: WorkflowDefinition;
  readonly index: DefinitionIndex;
  readonly runId: string;
  readonly event: RunEvent;
  readonly at: number;
  readonly limits: EvaluationLimits;
  readonly owned: Owned;
  readonly handlerFor: (kind: StepKind) => StepKindHandler;
  core: Mutable<CoreState>;
  run: RunDraft;
  readonly commands: Command[];
  readonly history: HistoryEntry[];
  /** Index of the first history entry of this decision (the previous state's historyLength). */
  readonly historyBase: number;
  readonly queue: Pending[];
  queueHead: number;
  /** Set when the run reached a terminal status in this decision: nothing else may happen. */
  ended: boolean;
  /** Per-decision counters (e.g. repeat passes run without waiting), by node id. */
  readonly counters: Map<string, number>;
  /** Replay only: ExpressionTimeout failures still to be taken from the record (recorded-timeouts.ts). */
  readonly recordedTimeouts: ErrorInfo[];
  /** Set by a `continueAsNew` step: the input of the generation this decision starts (decide.ts). */
  continueWith?: { readonly input: unknown };
}

/** The active node with that id, or undefined. */
export function getNode(ctx: Ctx, id: string): Node | undefined {
  return pmGet(ctx.core.nodes, id);
}

/** The active node with that id; throws CoreInvariantError when it is missing (a bug). */
export function mustNode(ctx: Ctx, id: string): Node {
  const node = pmGet(ctx.core.nodes, id);
  if (!node) throw new CoreInvariantError(`node ${id} is not active`);
  return node;
}

/** Stores a node (new or replaced); the object then belongs to this decision. */
export function putNode(ctx: Ctx, node: Node): void {
  ctx.owned.add(node);
  ctx.core.nodes = pmSet(ctx.core.nodes, node.id, node, ctx.owned);
}

/**
 * Replaces some fields of an active node. A node of the input state is copied, never changed;
 * one created or copied in this decision is updated in place. Callers must not keep a node
 * object across a patch to compare old and new values: read the fields they need first.
 */
export function patchNode<N extends Node>(ctx: Ctx, node: N, patch: Partial<N>): N {
  if (ctx.owned.has(node)) {
    Object.assign(node, patch);
    return node;
  }
  const next = { ...node, ...patch } as N;
  putNode(ctx, next);
  return next;
}

/** Forgets a node (its children and waits must already be dealt with). */
export function dropNode(ctx: Ctx, id: string): void {
  ctx.core.nodes = pmDelete(ctx.core.nodes, id, ctx.owned);
}

/** A fresh node id. */
export function newNodeId(ctx: Ctx): string {
  const id = `n${ctx.core.nextNode}`;
  ctx.core.nextNode += 1;
  return id;
}

/** A fresh command sequence number. */
export function newSeq(ctx: Ctx): number {
  const seq = ctx.core.nextSeq;
  ctx.core.nextSeq += 1;
  return seq;
}

/** Adds a child id to a node. */
export function addChild(ctx: Ctx, parentId: string, childId: string): void {
  const parent = mustNode(ctx, parentId);
  patchNode(ctx, parent, { children: pmSet(parent.children, childId, 1, ctx.owned) });
}

/** Removes a child id from a node (no-op when absent). */
export function removeChild(ctx: Ctx, parentId: string, childId: string): void {
  const parent = getNode(ctx, parentId);
  if (parent) patchNode(ctx, parent, { children: pmDelete(parent.children, childId, ctx.owned) });
}

/** Appends a command. */
export function emit(ctx: Ctx, command: Command): void {
  ctx.commands.push(command);
}

/** Appends a history entry, numbered after the previous state's last one. */
export function record(ctx: Ctx, type: HistoryEntryType, fields: Omit<HistoryEntry, 'index' | 'type' | 'at'> = {}): void {
  ctx.history.push({ index: ctx.historyBase + ctx.history.length, at: ctx.at, type, ...fields });
}

/** History fields naming a step node: path, stepId, attempt. */
export function stepFields(ctx: Ctx, node: StepNode): { path: StepPath; stepId?: string; attempt: number } {
  const step = stepOf(ctx, node.path);
  return step.id === undefined ? { path: node.path, attempt: node.attempt } : { path: node.path, stepId: step.id, attempt: node.attempt };
}

/** Registers an outstanding seq for a node. */
export function awaitSeq(ctx: Ctx, seq: number, awaiting: Awaiting): void {
  ctx.core.awaiting = pmSet(ctx.core.awaiting, String(seq), awaiting, ctx.owned);
  if (awaiting.node !== '') {
    const node = mustNode(ctx, awaiting.node);
    patchNode(ctx, node, { waits: [...node.waits, seq] });
  }
}

/** What `seq` is outstanding for, or undefined when it is not awaited (stale, cancelled, unknown). */
export function awaitingOf(ctx: Ctx, seq: number): Awaiting | undefined {
  return pmGet(ctx.core.awaiting, String(seq));
}

/** Marks a seq as answered. */
export function settleSeq(ctx: Ctx, seq: number): void {
  const awaiting = awaitingOf(ctx, seq);
  if (!awaiting) return;
  ctx.core.awaiting = pmDelete(ctx.core.awaiting, String(seq), ctx.owned);
  const node = awaiting.node === '' ? undefined : getNode(ctx, awaiting.node);
  if (node) patchNode(ctx, node, { waits: node.waits.filter((s) => s !== seq) });
}

/** Cancels an outstanding seq: settles it and emits the matching Cancel* command. */
export function cancelSeq(ctx: Ctx, seq: number): void {
  const awaiting = awaitingOf(ctx, seq);
  if (!awaiting) return;
  const node = awaiting.kind === 'activity' && awaiting.node !== '' ? getNode(ctx, awaiting.node) : undefined;
  settleSeq(ctx, seq);
  if (awaiting.kind === 'activity') {
    // The task queue lets a runtime remove the attempt's job before a worker picks it up.
    const step = node?.type === 'step' ? stepOf(ctx, node.path) : undefined;
    const taskQueue = step && 'taskQueue' in step ? step.taskQueue : undefined;
    emit(ctx, typeof taskQueue === 'string' ? { type: 'CancelActivity', seq, taskQueue } : { type: 'CancelActivity', seq });
  }
  else if (awaiting.kind === 'timer') emit(ctx, { type: 'CancelTimer', seq });
  else emit(ctx, { type: 'CancelChild', seq, childRunId: awaiting.childRunId ?? '' });
}

/** Starts a timer for a node (or for the run when `nodeId` is ''); returns its seq. */
export function startTimer(ctx: Ctx, nodeId: string, at: number, purpose: TimerPurpose, fields: Omit<HistoryEntry, 'index' | 'type' | 'at'> = {}): number {
  const seq = newSeq(ctx);
  emit(ctx, { type: 'StartTimer', seq, at, purpose });
  awaitSeq(ctx, seq, { node: nodeId, kind: 'timer', purpose });
  record(ctx, 'TimerStarted', { ...fields, seq, details: { purpose, dueAt: at } });
  return seq;
}

/** The step at a path (throws CoreInvariantError for an unknown path: a definition mismatch). */
export function stepOf(ctx: Ctx, path: StepPath): Step {
  const step = ctx.index.steps.get(path);
  if (!step) throw new CoreInvariantError(`no step at ${path} in ${ctx.definition.name} v${ctx.definition.version}`);
  return step;
}

/** The step list under a block key. */
export function listOf(ctx: Ctx, key: string): readonly Step[] {
  const list = ctx.index.lists.get(key);
  if (!list) throw new CoreInvariantError(`no step list ${key} in ${ctx.definition.name} v${ctx.definition.version}`);
  return list;
}

/** How errors name a step: its id, or its path when it has none. */
export function stepLabel(step: Step): string {
  return step.id ?? step.path;
}

/**
 * How messages name a step for people: `step <id>`, or where it sits when it has no id
 * (`step 3 (call payments.charge) › catch 1 › step 2 (set)`), never its JSON pointer.
 */
export function stepTitle(ctx: Ctx, step: Step): string {
  if (step.id !== undefined) return `step ${step.id}`;
  return readableStepPath(step.path, (path) => {
    const found = ctx.index.steps.get(path);
    return found && { id: found.id, kind: found.kind, target: stepTarget(found) };
  });
}

function stepTarget(step: Step): string | undefined {
  if (step.kind === 'call') return step.call;
  if (step.kind === 'workflow') return step.workflow;
  if (step.kind === 'waitSignal') return step.signal;
  return undefined;
}

/** A scope by id. */
export function getScope(ctx: Ctx, id: string): Scope | undefined {
  return pmGet(ctx.core.scopes, id);
}

/** Stores a scope. */
export function putScope(ctx: Ctx, id: string, scope: Scope): void {
  ctx.core.scopes = pmSet(ctx.core.scopes, id, scope, ctx.owned);
}

/** Forgets a scope. */
export function dropScope(ctx: Ctx, id: string): void {
  ctx.core.scopes = pmDelete(ctx.core.scopes, id, ctx.owned);
}

/** Queues a finished node's outcome for its parent. */
export function report(ctx: Ctx, child: Node, outcome: Outcome): void {
  ctx.queue.push({ parent: child.parent, child, outcome });
}
