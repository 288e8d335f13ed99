/**
 * Expression evaluation for the core: builds the bindings of SPEC §2 from a scope chain and the
 * decision's time, skips evaluation entirely for values without expressions, and turns an
 * evaluation failure into an `ErrorInfo` (non-retryable) instead of an exception.
 */
import type { Step, WorkflowDefinition } from '../definition/types.js';
import { collectExpressions, evaluateTemplate, hasExpressions, isTruthy, referencedStepIds, type EvaluationLimits } from '../expression/index.js';
import type { ErrorInfo } from './types.js';
import type { Scope } from './core-state.js';
import { pmEntries, pmGet, pmHas, type PMap } from './pmap.js';

/** What an evaluation gave: a value, or the error the step fails with. */
export type Evaluated = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ErrorInfo };

/** Everything bindings are built from (a decision context or a stored state). */
export interface EvalEnv {
  readonly runId: string;
  readonly definition: WorkflowDefinition;
  readonly input: unknown;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly scopes: PMap<Scope>;
  readonly startedAt: number;
  readonly attempt: number;
  readonly at: number;
  readonly limits: EvaluationLimits;
  /** Next `$uuid()` value (advances a per-run counter). */
  readonly uuid: () => string;
}

interface Analysis {
  readonly has: boolean;
  /** Step ids the value refers to as `$steps.<id>`, or 'all' when it uses `$steps` otherwise. */
  readonly steps: 'all' | readonly string[];
}

const NONE: Analysis = { has: false, steps: [] };
const objectAnalyses = new WeakMap<object, Analysis>();
const stringAnalyses = new Map<string, Analysis>();

function analyseSources(value: unknown): Analysis {
  if (!hasExpressions(value)) return NONE;
  const ids = new Set<string>();
  let all = false;
  for (const { source } of collectExpressions(value).expressions) {
    const uses = source.match(/\$steps\b/g)?.length ?? 0;
    if (uses === 0) continue;
    try {
      const refs = referencedStepIds(source);
      refs.forEach((r) => ids.add(r.id));
      if (refs.length !== uses) all = true;
    } catch {
      all = true;
    }
  }
  return { has: true, steps: all ? 'all' : [...ids] };
}

function analyse(value: unknown): Analysis {
  if (typeof value === 'string') {
    if (!value.includes('${')) return NONE;
    let hit = stringAnalyses.get(value);
    if (!hit) {
      hit = analyseSources(value);
      if (stringAnalyses.size > 10_000) stringAnalyses.clear();
      stringAnalyses.set(value, hit);
    }
    return hit;
  }
  if (value === null || typeof value !== 'object') return NONE;
  let hit = objectAnalyses.get(value);
  if (!hit) {
    hit = analyseSources(value);
    objectAnalyses.set(value, hit);
  }
  return hit;
}

/** True when a value holds at least one expression (memoised). */
export function isDynamic(value: unknown): boolean {
  return analyse(value).has;
}

function scopeChain(scopes: PMap<Scope>, scopeId: string): Scope[] {
  const chain: Scope[] = [];
  let id: string | null = scopeId;
  while (id !== null) {
    const scope: Scope | undefined = pmGet(scopes, id);
    if (!scope) break;
    chain.push(scope);
    id = scope.parent;
  }
  return chain;
}

/** The `$steps` view of a scope: inner scopes first (only the ids the value needs, when known). */
function stepsView(chain: readonly Scope[], wanted: Analysis['steps']): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (wanted === 'all') {
    for (let i = chain.length - 1; i >= 0; i--) {
      for (const [k, v] of pmEntries(chain[i]!.steps)) Object.defineProperty(view, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return view;
  }
  for (const id of wanted) {
    const owner = chain.find((s) => pmHas(s.steps, id));
    if (owner) Object.defineProperty(view, id, { value: pmGet(owner.steps, id), enumerable: true, writable: true, configurable: true });
  }
  return view;
}

let lastEpoch = Number.NaN;
let lastIso = '';

/** `new Date(epochMs).toISOString()`, remembering the last one (a run's start time is asked for on every evaluation). */
function isoOf(epochMs: number): string {
  if (epochMs !== lastEpoch) {
    lastIso = new Date(epochMs).toISOString();
    lastEpoch = epochMs;
  }
  return lastIso;
}

/** The bindings of SPEC §2 for an expression evaluated in a scope. Pure apart from `uuid`. */
export function bindingsFor(env: EvalEnv, scopeId: string, value: unknown, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const chain = scopeChain(env.scopes, scopeId);
  const locals: Record<string, unknown> = {};
  for (let i = chain.length - 1; i >= 0; i--) Object.assign(locals, chain[i]!.locals);
  let iso: string | undefined;
  return {
    output: null,
    error: null,
    ...locals,
    ...extra,
    input: env.input,
    vars: env.vars,
    steps: stepsView(chain, analyse(value).steps),
    workflow: {
      id: env.runId,
      name: env.definition.name,
      version: env.definition.version,
      startedAt: isoOf(env.startedAt),
      attempt: env.attempt,
    },
    // Formatted on first use: most expressions never call $now().
    // Method shorthand: the tsx/esbuild `keepNames` helper does not wrap these on every call.
    now() {
      return (iso ??= new Date(env.at).toISOString());
    },
    millis() {
      return env.at;
    },
    uuid: env.uuid,
  };
}

const SIMPLE_PATH = /^\$\{\s*\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}$/;
const NO_SHORTCUT = Symbol('no shortcut');

/**
 * `${ $name.field.field }` whose result is a scalar, read without JSONata (a JSONata evaluation
 * costs tens of microseconds; this is the most common expression in a forEach body). Gives
 * NO_SHORTCUT whenever JSONata's semantics could differ (arrays on the way, objects or arrays as
 * the result), and the caller then evaluates it normally.
 */
function shortcut(value: string, bindings: Record<string, unknown>, limits: EvaluationLimits): unknown {
  const match = SIMPLE_PATH.exec(value);
  if (!match || match[1] === 'now' || match[1] === 'millis' || match[1] === 'uuid') return NO_SHORTCUT;
  let current: unknown = Object.prototype.hasOwnProperty.call(bindings, match[1]!) ? bindings[match[1]!] : undefined;
  for (const field of match[2] ? match[2].slice(1).split('.') : []) {
    if (current === undefined || current === null) return null;
    if (typeof current !== 'object' || Array.isArray(current)) return NO_SHORTCUT;
    current = Object.prototype.hasOwnProperty.call(current, field) ? (current as Record<string, unknown>)[field] : undefined;
  }
  if (current === undefined || current === null) return null;
  if (typeof current === 'boolean') return current;
  if (typeof current === 'number') return Number.isFinite(current) ? current : null;
  if (typeof current === 'string' && current.length <= limits.maxResultBytes) return current;
  return NO_SHORTCUT;
}

/**
 * Walks a value like evaluateTemplate does, but reads simple scalar paths without JSONata.
 * Throws ExpressionFailure (from JSONata) like evaluateTemplate.
 */
async function evaluateValue(value: unknown, bindings: Record<string, unknown>, limits: EvaluationLimits): Promise<unknown> {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    const quick = shortcut(value, bindings, limits);
    return quick !== NO_SHORTCUT ? quick : evaluateTemplate(value, bindings, limits);
  }
  if (value === null || typeof value !== 'object') return value;
  if (!analyse(value).has) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await evaluateValue(item, bindings, limits));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // defineProperty keeps a key such as `__proto__` plain data.
    Object.defineProperty(out, key, {
      value: await evaluateValue((value as Record<string, unknown>)[key], bindings, limits),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Evaluates a document value in a scope; never throws for expression failures. */
export async function evaluateIn(env: EvalEnv, value: unknown, scopeId: string, step: Step | null, extra?: Readonly<Record<string, unknown>>): Promise<Evaluated> {
  if (!analyse(value).has) return { ok: true, value };
  try {
    return { ok: true, value: await evaluateValue(value, bindingsFor(env, scopeId, value, extra), env.limits) };
  } catch (error) {
    return { ok: false, error: expressionError(error, step) };
  }
}

/** The ErrorInfo for a failed evaluation: ExpressionError or ExpressionTimeout, never retried. */
export function expressionError(error: unknown, step: Step | null): ErrorInfo {
  const e = error as { type?: unknown; message?: unknown };
  const type = e?.type === 'ExpressionTimeout' ? 'ExpressionTimeout' : 'ExpressionError';
  const info: ErrorInfo = { type, message: typeof e?.message === 'string' ? e.message : String(error), nonRetryable: true };
  return step ? { ...info, step: step.id ?? step.path } : info;
}

/** JSONata truthiness (if, when, until). */
export function truthy(value: unknown): boolean {
  return isTruthy(value);
}
