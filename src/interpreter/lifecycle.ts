// Over 300 lines on purpose: a node's start, success, failure (retry, catch, parent) and cancellation call one another; apart they would import each other in a cycle.
/**
 * The life of a node, shared by every step kind: start (with `if`), attempts and their timeout,
 * success (`assign`, compensation registration, `$steps`), failure (retry with backoff, then
 * `catch`, then the parent), cancellation of a subtree, and blocks (sequences of steps).
 *
 * Finished nodes are queued (ctx.queue) rather than reported to their parent directly, so a long
 * run of steps that finish at once never deepens the stack; drain.ts delivers the queue.
 */
import type { Step, StepPath } from '../definition/types.js';
import { formatDuration } from '../definition/duration.js';
import type { ErrorInfo } from './types.js';
import type { BlockNode, BlockRole, Node, Outcome, Registration, StepNode } from './core-state.js';
import {
  addChild, cancelSeq, dropNode, dropScope, getNode, getScope, listOf, mustNode, newNodeId, patchNode, putNode,
  putScope, record, report, settleSeq, startTimer, stepFields, stepLabel, stepOf, stepTitle, type Ctx,
} from './context.js';
import { evaluateIn, isDynamic, truthy, type EvalEnv, type Evaluated } from './evaluate.js';
import { EMPTY_PMAP, pmKeys, pmSet } from './pmap.js';
import { backoffMs, mayRetry, retryPolicyOf, timeoutOf } from './retry-policy.js';
import { deterministicUuid } from './determinism.js';
import { listKey } from './definition-index.js';
import { takeRecordedTimeout } from './recorded-timeouts.js';

/** The evaluation environment of the decision being made (`$uuid()` advances the run's counter). */
export function envOf(ctx: Ctx): EvalEnv {
  return {
    runId: ctx.runId,
    definition: ctx.definition,
    input: ctx.run.input,
    vars: ctx.run.vars,
    scopes: ctx.core.scopes,
    startedAt: ctx.run.startedAt,
    attempt: ctx.run.retries + 1,
    at: ctx.at,
    limits: ctx.limits,
    uuid: () => {
      const id = deterministicUuid(ctx.runId, ctx.core.uuids);
      ctx.core.uuids += 1;
      return id;
    },
  };
}

/** Evaluates a document value in a scope of this run. */
export function evaluate(ctx: Ctx, value: unknown, scopeId: string, step: Step | null, extra?: Readonly<Record<string, unknown>>): Promise<Evaluated> {
  if (!isDynamic(value)) return Promise.resolve({ ok: true, value });
  const recorded = ctx.recordedTimeouts.length > 0 ? takeRecordedTimeout(ctx, value, step) : undefined;
  if (recorded) return Promise.resolve({ ok: false, error: recorded });
  return evaluateIn(envOf(ctx), value, scopeId, step, extra);
}

/**
 * A value handed to the outside (activity or child input): a copy when it is an object, because a
 * value without expressions is the definition's own (frozen, shared) object.
 */
export function detached(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? structuredClone(value) : value;
}

/** An error as the step reports it: `step` filled with the step's id (or path) when missing. */
export function errorAt(error: ErrorInfo, step: Step): ErrorInfo {
  return error.step === undefined || error.step === null ? { ...error, step: stepLabel(step) } : error;
}

/** Creates a step node under `parentId` and starts it (evaluating `if` first). */
export async function startStep(ctx: Ctx, parentId: string, step: Step, scopeId: string, tag = -1): Promise<void> {
  const node: StepNode = {
    type: 'step', id: newNodeId(ctx), parent: parentId, scope: scopeId, tag, children: EMPTY_PMAP, waits: [],
    path: step.path, attempt: 1, phase: 'running', data: null,
  };
  putNode(ctx, node);
  addChild(ctx, parentId, node.id);
  if (step.if !== undefined) {
    const condition = await evaluate(ctx, step.if, scopeId, step);
    if (!condition.ok) return failStep(ctx, node.id, condition.error);
    if (!truthy(condition.value)) {
      record(ctx, 'StepSkipped', stepFields(ctx, node));
      if (step.id !== undefined) recordOutput(ctx, scopeId, step.id, null);
      dropNode(ctx, node.id);
      report(ctx, node, { ok: true, output: null });
      return;
    }
  }
  await beginAttempt(ctx, node.id);
}

/** Runs the kind's start for the node's current attempt, then arms the step timeout if it still runs. */
async function beginAttempt(ctx: Ctx, nodeId: string): Promise<void> {
  const node = mustNode(ctx, nodeId) as StepNode;
  const attempt = node.attempt;
  const step = stepOf(ctx, node.path);
  await ctx.handlerFor(step.kind).start(ctx, node, step);
  const after = getNode(ctx, nodeId);
  const timeoutMs = timeoutOf(ctx.definition, step);
  if (timeoutMs !== undefined && !ctx.ended && after?.type === 'step' && after.attempt === attempt && after.phase === 'running') {
    startTimer(ctx, nodeId, ctx.at + timeoutMs, 'step-timeout', stepFields(ctx, after));
  }
}

/** Writes a step's output into its scope's `$steps`. */
export function recordOutput(ctx: Ctx, scopeId: string, id: string, output: unknown): void {
  const scope = getScope(ctx, scopeId);
  if (scope) putScope(ctx, scopeId, { ...scope, steps: pmSet(scope.steps, id, output, ctx.owned) });
}

/** The item/index-style bindings visible in a scope (for compensations that outlive it). */
function capturedLocals(ctx: Ctx, scopeId: string): Record<string, unknown> {
  const chain = [];
  for (let id: string | null = scopeId; id !== null; ) {
    const scope = getScope(ctx, id);
    if (!scope) break;
    chain.push(scope);
    id = scope.parent;
  }
  const locals: Record<string, unknown> = {};
  for (let i = chain.length - 1; i >= 0; i--) Object.assign(locals, chain[i]!.locals);
  delete locals.output;
  delete locals.error;
  return locals;
}

/** Success: assign, register the compensation, record `$steps`, report to the parent. */
export async function completeStep(ctx: Ctx, nodeId: string, output: unknown, handled = false): Promise<void> {
  const node = mustNode(ctx, nodeId) as StepNode;
  const step = stepOf(ctx, node.path);
  if (step.assign !== undefined) {
    const assigned = await evaluate(ctx, step.assign, node.scope, step, { output });
    if (!assigned.ok) return failStep(ctx, nodeId, assigned.error, true);
    const written = assigned.value as Record<string, unknown>;
    ctx.run.vars = { ...ctx.run.vars, ...written };
    record(ctx, 'VariablesSet', { ...stepFields(ctx, node), details: { vars: written } });
  }
  if (step.compensate && !handled) {
    const regId = String(ctx.core.nextReg);
    ctx.core.nextReg += 1;
    const registration: Registration = {
      regId, stepPath: step.path, ...(step.id === undefined ? {} : { stepId: step.id }), scopeId: node.scope, output,
      locals: capturedLocals(ctx, node.scope),
    };
    ctx.core.regs = pmSet(ctx.core.regs, regId, registration, ctx.owned);
  }
  if (step.id !== undefined) recordOutput(ctx, node.scope, step.id, output);
  // Built field by field (no spread: once per step); the same keys, in the order stepFields gives.
  const details = { output };
  record(
    ctx,
    'StepCompleted',
    step.id === undefined
      ? { path: node.path, attempt: node.attempt, details }
      : { path: node.path, stepId: step.id, attempt: node.attempt, details },
  );
  leave(ctx, node, step);
  report(ctx, node, { ok: true, output });
}

/**
 * Failure of the node's current attempt: retry if the policy allows, else the first matching
 * `catch` clause, else report the failure to the parent. `final` skips retry and catch.
 */
export async function failStep(ctx: Ctx, nodeId: string, raw: ErrorInfo, final = false): Promise<void> {
  const node = mustNode(ctx, nodeId) as StepNode;
  const step = stepOf(ctx, node.path);
  const error = errorAt(raw, step);
  record(ctx, 'StepFailed', { ...stepFields(ctx, node), details: { error } });
  releaseWork(ctx, node, step);
  if (!final && node.phase === 'running') {
    const policy = retryPolicyOf(ctx.definition, step);
    if (mayRetry(policy, error, node.attempt)) {
      const delayMs = backoffMs(policy, node.attempt, ctx.runId, ctx.core.nextSeq);
      record(ctx, 'StepRetried', { ...stepFields(ctx, node), details: { nextAttempt: node.attempt + 1, delayMs } });
      if (delayMs <= 0) {
        patchNode(ctx, mustNode(ctx, nodeId) as StepNode, { attempt: node.attempt + 1, data: null });
        return beginAttempt(ctx, nodeId);
      }
      const waiting = patchNode(ctx, mustNode(ctx, nodeId) as StepNode, { phase: 'backoff', data: null });
      startTimer(ctx, nodeId, ctx.at + delayMs, 'retry', stepFields(ctx, waiting));
      return;
    }
    const clause = step.catch?.findIndex((c) => c.errors === undefined || c.errors.includes(error.type)) ?? -1;
    if (clause >= 0) {
      patchNode(ctx, mustNode(ctx, nodeId) as StepNode, { phase: 'handling', data: null });
      await startBlock(ctx, {
        parent: nodeId, list: listKey.handler(step.path, clause), role: 'handler', scope: node.scope, locals: { error },
      });
      return;
    }
  }
  const current = mustNode(ctx, nodeId);
  dropNode(ctx, nodeId);
  report(ctx, current, { ok: false, error });
}

/** The retry backoff timer fired: start the next attempt. */
export async function onRetryTimer(ctx: Ctx, node: StepNode, seq: number): Promise<void> {
  settleSeq(ctx, seq);
  patchNode(ctx, mustNode(ctx, node.id) as StepNode, { attempt: node.attempt + 1, phase: 'running', data: null });
  await beginAttempt(ctx, node.id);
}

/** The step's timeout fired: the attempt fails with Timeout (SignalTimeout for waitSignal). */
export async function onStepTimeout(ctx: Ctx, node: StepNode, seq: number): Promise<void> {
  settleSeq(ctx, seq);
  const step = stepOf(ctx, node.path);
  const error: ErrorInfo =
    step.kind === 'waitSignal'
      ? { type: 'SignalTimeout', message: `no signal "${step.signal}" arrived within ${formatDuration(step.timeoutMs ?? 0)}`, step: stepLabel(step) }
      : { type: 'Timeout', message: `${stepTitle(ctx, step)} timed out after ${formatDuration(timeoutOf(ctx.definition, step) ?? 0)}`, step: stepLabel(step) };
  await failStep(ctx, node.id, error);
}

/** A catch handler block ended: its outcome is the step's. */
export async function onHandlerDone(ctx: Ctx, node: StepNode, outcome: Outcome): Promise<void> {
  if (outcome.ok) return completeStep(ctx, node.id, outcome.output, true);
  const current = mustNode(ctx, node.id);
  record(ctx, 'StepFailed', { ...stepFields(ctx, node), details: { error: outcome.error } });
  dropNode(ctx, node.id);
  report(ctx, current, { ok: false, error: outcome.error });
}

/** Cancels everything a node still waits on or runs below it, and drops kind registrations. */
function releaseWork(ctx: Ctx, node: StepNode, step: Step): void {
  const current = mustNode(ctx, node.id);
  for (const seq of current.waits) cancelSeq(ctx, seq);
  if (current.children.n > 0) {
    for (const childId of pmKeys(current.children)) cancelNode(ctx, childId);
    patchNode(ctx, mustNode(ctx, node.id), { children: EMPTY_PMAP });
  }
  ctx.handlerFor(step.kind).onLeave?.(ctx, node, step);
}

/** A node finished: release what it holds and forget it. */
function leave(ctx: Ctx, node: StepNode, step: Step): void {
  releaseWork(ctx, node, step);
  dropNode(ctx, node.id);
}

/** Cancels a node and its whole subtree: Cancel* commands, StepCancelled entries, scopes dropped. */
export function cancelNode(ctx: Ctx, nodeId: string): void {
  const node = getNode(ctx, nodeId);
  if (!node) return;
  for (const childId of pmKeys(node.children)) cancelNode(ctx, childId);
  for (const seq of mustNode(ctx, nodeId).waits) cancelSeq(ctx, seq);
  if (node.type === 'step') {
    const step = stepOf(ctx, node.path);
    ctx.handlerFor(step.kind).onLeave?.(ctx, node, step);
    record(ctx, 'StepCancelled', stepFields(ctx, node));
  } else if (node.ownsScope) {
    dropScope(ctx, node.id);
  }
  dropNode(ctx, nodeId);
}

/** Cancels every child of a node (used by parallel, forEach); the node itself stays. */
export function cancelChildren(ctx: Ctx, nodeId: string): void {
  const node = mustNode(ctx, nodeId);
  for (const childId of pmKeys(node.children)) cancelNode(ctx, childId);
  patchNode(ctx, mustNode(ctx, nodeId), { children: EMPTY_PMAP });
}

/** Options of a new block. `locals` gives it its own scope (id = block id) under `scope`. */
export interface BlockOptions {
  readonly parent: string | null;
  readonly list: string;
  readonly role: BlockRole;
  readonly scope: string;
  readonly locals?: Readonly<Record<string, unknown>>;
  readonly tag?: number;
  readonly index?: number;
  readonly last?: unknown;
  readonly regId?: string;
}

/** Creates a block and starts its first step (or finishes it at once when there is none). Returns its id. */
export async function startBlock(ctx: Ctx, options: BlockOptions): Promise<string> {
  const id = newNodeId(ctx);
  if (options.locals) putScope(ctx, id, { parent: options.scope, locals: options.locals, steps: EMPTY_PMAP });
  const block: BlockNode = {
    type: 'block', id, parent: options.parent, scope: options.locals ? id : options.scope, tag: options.tag ?? -1,
    children: EMPTY_PMAP, waits: [], list: options.list, role: options.role, index: options.index ?? 0,
    last: options.last ?? null, ownsScope: options.locals !== undefined,
    ...(options.regId === undefined ? {} : { regId: options.regId }),
  };
  putNode(ctx, block);
  if (options.parent !== null) addChild(ctx, options.parent, id);
  await runBlockAt(ctx, block);
  return id;
}

async function runBlockAt(ctx: Ctx, block: BlockNode): Promise<void> {
  const steps = listOf(ctx, block.list);
  if (block.index >= steps.length) return finishBlock(ctx, block, { ok: true, output: block.last });
  await startStep(ctx, block.id, steps[block.index]!, block.scope);
}

/** A block's current step ended: run the next one, or end the block. */
export async function onBlockChildDone(ctx: Ctx, block: BlockNode, outcome: Outcome): Promise<void> {
  if (!outcome.ok) {
    if (block.role === 'root') {
      ctx.core.failedAt = block.index;
      ctx.core.rootLast = block.last;
    }
    return finishBlock(ctx, block, outcome);
  }
  const next = patchNode(ctx, block, { index: block.index + 1, last: outcome.output });
  await runBlockAt(ctx, next);
}

function finishBlock(ctx: Ctx, block: BlockNode, outcome: Outcome): void {
  if (block.ownsScope) dropScope(ctx, block.id);
  dropNode(ctx, block.id);
  report(ctx, block, outcome);
}

/** The step a node runs (typed helper for kind modules). */
export function stepAt<S extends Step>(ctx: Ctx, path: StepPath): S {
  return stepOf(ctx, path) as S;
}

/** Re-reads a node (kind modules hold snapshots across awaits). */
export function fresh<N extends Node>(ctx: Ctx, node: N): N | undefined {
  return getNode(ctx, node.id) as N | undefined;
}
