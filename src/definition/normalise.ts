/**
 * Raw, validated document → the normalised, frozen WorkflowDefinition the interpreter consumes:
 * durations in ms, retry policies filled (SPEC §4 and docs/decisions/0002), `defaults` applied
 * to every `call`, each step given its JSON-pointer path. Pure.
 */
import { createHash } from 'node:crypto';
import type {
  CatchClause,
  RetryPolicy,
  SignalDeclaration,
  Step,
  StepBase,
  SwitchCase,
  Template,
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
  readonly defaults: { readonly timeout?: unknown; readonly retry?: Raw };
}

/** sha256 (hex) of the canonical JSON of a raw document: keys sorted, no white space. Pure. */
export function digestOf(document: unknown): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}

/** JSON with object keys sorted at every level. Pure. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Normalises a document that passed every check. Pure; the result is deeply frozen. */
export function normalise(document: Raw): WorkflowDefinition {
  const defaultsRaw = isRecord(own(document, 'defaults')) ? (document.defaults as Raw) : {};
  const defaultRetry = isRecord(own(defaultsRaw, 'retry')) ? (defaultsRaw.retry as Raw) : undefined;
  const context: Context = { defaults: { timeout: own(defaultsRaw, 'timeout'), retry: defaultRetry } };
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
    defaults: compact({
      timeoutMs: timeout === undefined ? undefined : parseDuration(timeout),
      retry: defaultRetry ? fillRetry([defaultRetry]) : undefined,
    }),
    timeoutMs: own(document, 'timeout') === undefined ? undefined : parseDuration(document.timeout),
    steps: stepList(own(document, 'steps'), '/steps', context),
    output: freezeData(own(document, 'output')),
    redact: freezeData(own(document, 'redact')),
    digest: digestOf(document),
  });
}

function stepList(list: unknown, pointer: string, context: Context): readonly Step[] {
  if (!Array.isArray(list)) return Object.freeze([]);
  return Object.freeze(list.map((step, i) => normaliseStep(step as Raw, childPointer(pointer, i), context)));
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
  const base: Omit<StepBase, 'path'> & { path: string } = {
    path,
    id: own(raw, 'id') as string | undefined,
    name: own(raw, 'name') as string | undefined,
    description: own(raw, 'description') as string | undefined,
    if: freezeData(own(raw, 'if')),
    assign: freezeData(own(raw, 'assign')) as StepBase['assign'],
    timeoutMs: timeout === undefined ? undefined : parseDuration(timeout),
    retry,
    catch: catchClauses(own(raw, 'catch'), `${path}/catch`, context),
    compensate: kind !== 'compensate' && isRecord(compensation) ? normaliseStep(compensation, `${path}/compensate`, context) : undefined,
  };
  const template = (key: string): Template => freezeData(own(raw, key));
  switch (kind) {
    case 'call':
      return compact({ ...base, kind, call: raw.call, with: template('with'), taskQueue: own(raw, 'taskQueue') });
    case 'steps':
      return compact({ ...base, kind, steps: stepList(raw.steps, `${path}/steps`, context) });
    case 'parallel':
      return compact({ ...base, kind, branches: stepList(raw.parallel, `${path}/parallel`, context), completion: own(raw, 'completion') ?? 'all' });
    case 'forEach':
      return compact({
        ...base,
        kind,
        forEach: template('forEach'),
        steps: stepList(raw.steps, `${path}/steps`, context),
        concurrency: own(raw, 'concurrency') ?? 1,
        as: bindingName(own(raw, 'as'), 'item'),
        indexAs: bindingName(own(raw, 'indexAs'), 'index'),
      });
    case 'switch':
      return compact({ ...base, kind, cases: switchCases(raw.switch, `${path}/switch`, context) });
    case 'repeat': {
      const body = raw.repeat as Raw;
      return compact({ ...base, kind, steps: stepList(body.steps, `${path}/repeat/steps`, context), until: freezeData(body.until), max: own(body, 'max') });
    }
    case 'wait':
      return typeof raw.wait === 'string'
        ? compact({ ...base, kind, durationMs: parseDuration(raw.wait) })
        : compact({ ...base, kind, until: freezeData((raw.wait as Raw).until) });
    case 'waitSignal':
      return compact({ ...base, kind, signal: raw.waitSignal });
    case 'set':
      return compact({ ...base, kind, set: template('set') });
    case 'workflow':
      return compact({ ...base, kind, workflow: raw.workflow, version: own(raw, 'version'), with: template('with') });
    case 'try':
      return compact({ ...base, kind, steps: stepList(raw.try, `${path}/try`, context) });
    case 'compensate':
      return compact({ ...base, kind, targets: raw.compensate === 'all' ? 'all' : freezeData(raw.compensate) });
    case 'fail': {
      const body = raw.fail as Raw;
      return compact({ ...base, kind, error: freezeData(body.error), message: freezeData(own(body, 'message')), details: freezeData(own(body, 'details')) });
    }
    case 'return':
      return compact({ ...base, kind, value: template('return') ?? null });
    default: {
      const unreachable: never = kind;
      throw new Error(`internal: unknown step kind ${String(unreachable)}`);
    }
  }
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
