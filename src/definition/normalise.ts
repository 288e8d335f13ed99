/**
 * Raw, validated document → the normalised, frozen WorkflowDefinition the interpreter consumes:
 * durations in ms, retry policies filled (SPEC §4 and docs/decisions/0002), `defaults` applied
 * to every `call`, each step given its JSON-pointer path. Pure.
 */
import { createHash } from 'node:crypto';
import type {
  CatchClause,
  RateLimit,
  RetryPolicy,
  SignalDeclaration,
  Step,
  SwitchCase,
  WorkflowDefinition,
} from './types.js';
import { childPointer, isRecord, own } from './raw-data.js';
import { bindingName, stepKindOf } from './step-walk.js';
import { parseDuration } from './duration.js';

type Raw = Record<string, unknown>;

/** Built-in retry values for fields no layer sets (maxInterval defaults to 100 × initialInterval). */
export const RETRY_DEFAULTS = Object.freeze({ maxAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2, jitter: 0 });
/** `jitter: true` means this fraction. */
export const JITTER_TRUE = 0.2;

/** Copies JSON-like data into fresh, frozen plain objects; every key stays an own data property. */
export function freezeData(value: unknown): unknown {
  if (Array.isArray(value)) return Object.freeze(value.map(freezeData));
  if (isRecord(value)) {
    const copy: Raw = {};
    for (const key of Object.keys(value)) {
      // defineProperty, not assignment: a `__proto__` key must stay data, never set the prototype.
      Object.defineProperty(copy, key, { value: freezeData(value[key]), enumerable: true, writable: false, configurable: false });
    }
    return Object.freeze(copy);
  }
  return value;
}

/** Builds an object from entries, leaving out undefined values. */
function compact<T>(entries: Record<string, unknown>): T {
  const out: Raw = {};
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) out[key] = value;
  return Object.freeze(out) as T;
}

/** A complete policy from partial layers, later layers winning field by field. Pure. */
export function fillRetry(layers: ReadonlyArray<Raw | undefined>): RetryPolicy {
  const pick = (key: string): unknown => {
    let found: unknown;
    for (const layer of layers) if (layer && own(layer, key) !== undefined) found = layer[key];
    return found;
  };
  const initialIntervalMs = pick('initialInterval') === undefined ? RETRY_DEFAULTS.initialIntervalMs : parseDuration(pick('initialInterval'));
  const maxIntervalRaw = pick('maxInterval');
  const jitter = pick('jitter');
  const nonRetryable = pick('nonRetryable');
  return Object.freeze({
    maxAttempts: (pick('maxAttempts') as number | undefined) ?? RETRY_DEFAULTS.maxAttempts,
    initialIntervalMs,
    backoffCoefficient: (pick('backoffCoefficient') as number | undefined) ?? RETRY_DEFAULTS.backoffCoefficient,
    maxIntervalMs: maxIntervalRaw === undefined ? 100 * initialIntervalMs : parseDuration(maxIntervalRaw),
    jitter: jitter === true ? JITTER_TRUE : jitter === false || jitter === undefined ? RETRY_DEFAULTS.jitter : (jitter as number),
    nonRetryable: Object.freeze(Array.isArray(nonRetryable) ? nonRetryable.map(String) : []),
  });
}

/** The policy of a step that has no retry anywhere: one attempt. */
const SINGLE_ATTEMPT: RetryPolicy = Object.freeze({ ...fillRetry([]), maxAttempts: 1 });

interface Context {
  readonly defaults: { readonly timeout?: unknown; readonly heartbeatTimeout?: unknown; readonly retry?: Raw };
}

/** sha256 (hex) of the canonical JSON of a raw document. Pure. */
export function digestOf(document: unknown): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}

/**
 * JSON with the keys of every object in sorted order (integer-like keys first, as JavaScript
 * orders them), no white space: the same content always gives the same text. Pure.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (!isRecord(item)) return item;
    const sorted: Raw = {};
    for (const key of Object.keys(item).sort()) {
      // Assignment is fast, but `__proto__` must stay a key, never set the prototype.
      if (key === '__proto__') Object.defineProperty(sorted, key, { value: item[key], enumerable: true, writable: true, configurable: true });
      else sorted[key] = item[key];
    }
    return sorted;
  });
}

/** Normalises a document that passed every check. Pure; the result is deeply frozen. */
export function normalise(document: Raw): WorkflowDefinition {
  const defaultsRaw = isRecord(own(document, 'defaults')) ? (document.defaults as Raw) : {};
  const defaultRetry = isRecord(own(defaultsRaw, 'retry')) ? (defaultsRaw.retry as Raw) : undefined;
  const context: Context = {
    defaults: { timeout: own(defaultsRaw, 'timeout'), heartbeatTimeout: own(defaultsRaw, 'heartbeatTimeout'), retry: defaultRetry },
  };
  const input = own(document, 'input');
  const signalsRaw = own(document, 'signals');
  const signals: Record<string, SignalDeclaration> = {};
  if (isRecord(signalsRaw)) {
    for (const name of Object.keys(signalsRaw)) {
      const declaration = signalsRaw[name];
      const schema = isRecord(declaration) ? own(declaration, 'schema') : undefined;
      Object.defineProperty(signals, name, { value: compact({ schema: freezeData(schema) }), enumerable: true });
    }
  }
  const timeout = own(defaultsRaw, 'timeout');
  return compact<WorkflowDefinition>({
    dsl: document.dsl,
    name: document.name,
    version: document.version,
    description: own(document, 'description'),
    inputSchema: isRecord(input) ? freezeData(own(input, 'schema')) : undefined,
    signals: Object.freeze(signals),
    queries: freezeData(own(document, 'queries') ?? {}),
    searchAttributes: freezeData(own(document, 'searchAttributes')),
    rateLimits: rateLimitsOf(own(document, 'rateLimits')),
    defaults: compact({
      timeoutMs: timeout === undefined ? undefined : parseDuration(timeout),
      heartbeatTimeoutMs: optionalDuration(context.defaults.heartbeatTimeout),
      retry: defaultRetry ? fillRetry([defaultRetry]) : undefined,
    }),
    timeoutMs: own(document, 'timeout') === undefined ? undefined : parseDuration(document.timeout),
    steps: stepList(own(document, 'steps'), '/steps', context),
    output: freezeData(own(document, 'output')),
    redact: freezeData(own(document, 'redact')),
    migrateFrom: freezeData(own(document, 'migrateFrom')),
    digest: digestOf(document),
  });
}

function rateLimitsOf(raw: unknown): Readonly<Record<string, RateLimit>> | undefined {
  if (!isRecord(raw)) return undefined;
  const limits: Record<string, RateLimit> = {};
  for (const name of Object.keys(raw)) {
    const limit = raw[name] as Raw;
    Object.defineProperty(limits, name, { value: Object.freeze({ max: limit.max as number, perMs: parseDuration(limit.per) }), enumerable: true });
  }
  return Object.freeze(limits);
}

function stepList(list: unknown, pointer: string, context: Context): readonly Step[] {
  if (!Array.isArray(list)) return Object.freeze([]);
  return Object.freeze(list.map((step, i) => normaliseStep(step as Raw, childPointer(pointer, i), context)));
}

function optionalDuration(value: unknown): number | undefined {
  return value === undefined ? undefined : parseDuration(value);
}

/** Sets `key` when `value` is defined (normalised objects carry no undefined members). */
function put(target: Raw, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

function normaliseStep(raw: Raw, path: string, context: Context): Step {
  const kind = stepKindOf(raw).kind;
  if (!kind) throw new Error(`internal: step at ${path} has no single kind after validation`);
  const isCall = kind === 'call';
  const retryRaw = isRecord(own(raw, 'retry')) ? (raw.retry as Raw) : undefined;
  let retry: RetryPolicy | undefined;
  if (isCall) retry = retryRaw || context.defaults.retry ? fillRetry([context.defaults.retry, retryRaw]) : SINGLE_ATTEMPT;
  else if (retryRaw) retry = fillRetry([retryRaw]);
  const timeout = own(raw, 'timeout') ?? (isCall ? context.defaults.timeout : undefined);
  const compensation = own(raw, 'compensate');
  // Built member by member: one object per step, no intermediate copies (1,000-step documents).
  const step: Raw = { path, kind };
  put(step, 'id', own(raw, 'id'));
  put(step, 'name', own(raw, 'name'));
  put(step, 'description', own(raw, 'description'));
  put(step, 'if', freezeData(own(raw, 'if')));
  put(step, 'assign', freezeData(own(raw, 'assign')));
  put(step, 'timeoutMs', timeout === undefined ? undefined : parseDuration(timeout));
  put(step, 'retry', retry);
  put(step, 'catch', catchClauses(own(raw, 'catch'), `${path}/catch`, context));
  if (kind !== 'compensate' && isRecord(compensation)) step.compensate = normaliseStep(compensation, `${path}/compensate`, context);
  switch (kind) {
    case 'call':
      step.call = raw.call;
      put(step, 'with', freezeData(own(raw, 'with')));
      put(step, 'taskQueue', own(raw, 'taskQueue'));
      put(step, 'heartbeatTimeoutMs', optionalDuration(own(raw, 'heartbeatTimeout') ?? context.defaults.heartbeatTimeout));
      break;
    case 'steps':
      step.steps = stepList(raw.steps, `${path}/steps`, context);
      break;
    case 'parallel':
      step.branches = stepList(raw.parallel, `${path}/parallel`, context);
      step.completion = own(raw, 'completion') ?? 'all';
      break;
    case 'forEach':
      step.forEach = freezeData(raw.forEach);
      step.steps = stepList(raw.steps, `${path}/steps`, context);
      step.concurrency = own(raw, 'concurrency') ?? 1;
      step.as = bindingName(own(raw, 'as'), 'item');
      step.indexAs = bindingName(own(raw, 'indexAs'), 'index');
      break;
    case 'switch':
      step.cases = switchCases(raw.switch, `${path}/switch`, context);
      break;
    case 'repeat': {
      const body = raw.repeat as Raw;
      step.steps = stepList(body.steps, `${path}/repeat/steps`, context);
      step.until = freezeData(body.until);
      put(step, 'max', own(body, 'max'));
      break;
    }
    case 'wait':
      if (typeof raw.wait === 'string') step.durationMs = parseDuration(raw.wait);
      else step.until = freezeData((raw.wait as Raw).until);
      break;
    case 'waitSignal':
      step.signal = raw.waitSignal;
      break;
    case 'set':
      step.set = freezeData(raw.set);
      break;
    case 'workflow':
      step.workflow = raw.workflow;
      put(step, 'version', own(raw, 'version'));
      put(step, 'with', freezeData(own(raw, 'with')));
      break;
    case 'try':
      step.steps = stepList(raw.try, `${path}/try`, context);
      break;
    case 'compensate':
      step.targets = raw.compensate === 'all' ? 'all' : freezeData(raw.compensate);
      break;
    case 'fail': {
      const body = raw.fail as Raw;
      step.error = freezeData(body.error);
      put(step, 'message', freezeData(own(body, 'message')));
      put(step, 'details', freezeData(own(body, 'details')));
      break;
    }
    case 'return':
      step.value = freezeData(own(raw, 'return')) ?? null;
      break;
    case 'continueAsNew': {
      const body = raw.continueAsNew as Raw;
      step.input = freezeData(own(body, 'input')) ?? null;
      break;
    }
    default: {
      const unreachable: never = kind;
      throw new Error(`internal: unknown step kind ${String(unreachable)}`);
    }
  }
  return Object.freeze(step) as unknown as Step;
}

function catchClauses(raw: unknown, pointer: string, context: Context): readonly CatchClause[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  return Object.freeze(
    raw.map((clause: Raw, i) =>
      compact<CatchClause>({
        path: childPointer(pointer, i),
        errors: Array.isArray(own(clause, 'errors')) ? Object.freeze((clause.errors as unknown[]).map(String)) : undefined,
        steps: stepList(own(clause, 'steps'), `${childPointer(pointer, i)}/steps`, context),
      }),
    ),
  );
}

function switchCases(raw: unknown, pointer: string, context: Context): readonly SwitchCase[] {
  if (!Array.isArray(raw)) return Object.freeze([]);
  return Object.freeze(
    raw.map((c: Raw, i) => {
      const path = childPointer(pointer, i);
      const isDefault = own(c, 'default') !== undefined;
      return compact<SwitchCase>({
        path,
        when: isDefault ? undefined : freezeData(own(c, 'when')),
        isDefault,
        steps: isDefault ? stepList(c.default, `${path}/default`, context) : stepList(own(c, 'steps'), `${path}/steps`, context),
      });
    }),
  );
}
