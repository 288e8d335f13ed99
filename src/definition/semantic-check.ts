/**
 * Checks the schema cannot express: unique step ids, declared signals, compensation targets,
 * durations and retry sanity, forEach binding names, switch defaults, embedded JSON Schemas and
 * `redact` paths. Tolerates malformed documents (the schema check reports those). Pure.
 */
import type { RawIssue } from './issue.js';
import { childPointer, isRecord, own } from './raw-data.js';
import { walkSteps, type StepSite } from './step-walk.js';
import { DurationError, formatDuration, parseDuration } from './duration.js';
import { didYouMean, listOf, preview } from './hints.js';
import { schemaDefinition } from './schema-source.js';
import { checkExpressions } from './expression-check.js';
import { jsonSchemaProblems } from './payload-validation.js';

/** Binding names the language reserves; a forEach `as:` may not shadow them. */
export const RESERVED_BINDINGS = ['input', 'vars', 'steps', 'output', 'error', 'workflow', 'now', 'millis', 'uuid'] as const;

/** Every semantic problem of a raw document. Pure. */
export function checkSemantics(document: unknown): RawIssue[] {
  if (!isRecord(document)) return [];
  const sites: StepSite[] = [];
  walkSteps(document, (site) => sites.push(site));
  const issues: RawIssue[] = [];
  const ids = collectIds(sites, issues);
  issues.push(...checkSignals(document, sites));
  issues.push(...checkCompensateTargets(sites, ids));
  issues.push(...checkDurationsAndRetries(document, sites));
  issues.push(...checkLoopsAndSwitches(sites));
  issues.push(...checkEmbeddedSchemas(document));
  issues.push(...checkRedact(document));
  issues.push(...checkExpressions(document, new Set(ids.keys())));
  return issues;
}

/** Step id → pointer of its step; duplicates reported. */
function collectIds(sites: readonly StepSite[], issues: RawIssue[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const { pointer, step } of sites) {
    if (!isRecord(step)) continue;
    const id = own(step, 'id');
    if (typeof id !== 'string') continue;
    const first = ids.get(id);
    if (first === undefined) ids.set(id, pointer);
    else {
      issues.push({
        pointer: `${pointer}/id`,
        message: `step id \`${preview(id)}\` is used twice`,
        hint: 'ids must be unique in the whole document (compensations and catch handlers included)',
        related: { pointer: `${first}/id`, label: 'first used' },
      });
    }
  }
  return ids;
}

function checkSignals(document: Record<string, unknown>, sites: readonly StepSite[]): RawIssue[] {
  const declared = isRecord(own(document, 'signals')) ? Object.keys(document.signals as object) : [];
  const issues: RawIssue[] = [];
  for (const { pointer, step, resolution } of sites) {
    if (resolution.kind !== 'waitSignal' || !isRecord(step)) continue;
    const name = own(step, 'waitSignal');
    if (typeof name !== 'string' || declared.includes(name)) continue;
    issues.push({
      pointer: `${pointer}/waitSignal`,
      message: `signal \`${preview(name)}\` is not declared under \`signals:\``,
      hint: didYouMean(name, declared) ?? `declare it at the top: \`signals: { ${preview(name)}: { schema: { type: object } } }\``,
    });
  }
  return issues;
}

function checkCompensateTargets(sites: readonly StepSite[], ids: ReadonlyMap<string, string>): RawIssue[] {
  const withCompensation = new Set<string>();
  for (const { step } of sites) {
    if (isRecord(step) && typeof own(step, 'id') === 'string' && isRecord(own(step, 'compensate'))) withCompensation.add(step.id as string);
  }
  const issues: RawIssue[] = [];
  for (const { pointer, step, resolution } of sites) {
    if (resolution.kind !== 'compensate' || !isRecord(step)) continue;
    const targets = own(step, 'compensate');
    if (!Array.isArray(targets)) continue;
    targets.forEach((target, i) => {
      if (typeof target !== 'string') return;
      const at = `${pointer}/compensate/${i}`;
      if (!ids.has(target)) {
        issues.push({ pointer: at, message: `no step has the id \`${preview(target)}\``, hint: didYouMean(target, [...ids.keys()]) });
      } else if (!withCompensation.has(target)) {
        issues.push({
          pointer: at,
          message: `step \`${preview(target)}\` registers no compensation, so there is nothing to run`,
          hint: `add \`compensate:\` with an undo step to \`${preview(target)}\`, or remove it from this list`,
          related: { pointer: ids.get(target)!, label: 'the step is' },
        });
      }
    });
  }
  return issues;
}

const DURATION_PATTERN = new RegExp(String(schemaDefinition('duration')?.pattern ?? '^$'), 'u');

/** Milliseconds of a duration the schema accepted, or an issue for one it could not catch (`P`, `PT`). */
function durationAt(value: unknown, pointer: string, issues: RawIssue[], positive = false): number | undefined {
  if (typeof value !== 'string' || !DURATION_PATTERN.test(value)) return undefined; // the schema reports it
  try {
    const ms = parseDuration(value);
    if (positive && ms === 0) {
      issues.push({ pointer, message: `${lastKey(pointer)} must be longer than zero`, hint: 'leave it out for no time limit' });
      return undefined;
    }
    return ms;
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    issues.push({ pointer, message: `${lastKey(pointer)}: ${error.message}`, hint: 'durations look like `250ms`, `30s`, `5m`, `48h`, `7d` or `PT30S`' });
    return undefined;
  }
}

function lastKey(pointer: string): string {
  return `\`${pointer.slice(pointer.lastIndexOf('/') + 1)}\``;
}

function checkDurationsAndRetries(document: Record<string, unknown>, sites: readonly StepSite[]): RawIssue[] {
  const issues: RawIssue[] = [];
  durationAt(own(document, 'timeout'), '/timeout', issues, true);
  const defaults = own(document, 'defaults');
  const defaultRetry = isRecord(defaults) ? own(defaults, 'retry') : undefined;
  if (isRecord(defaults)) durationAt(own(defaults, 'timeout'), '/defaults/timeout', issues, true);
  if (isRecord(defaults)) durationAt(own(defaults, 'heartbeatTimeout'), '/defaults/heartbeatTimeout', issues, true);
  checkRetry(defaultRetry, undefined, '/defaults/retry', issues);
  checkRateLimitWindows(document, issues);
  for (const { pointer, step, resolution } of sites) {
    if (!isRecord(step)) continue;
    durationAt(own(step, 'timeout'), `${pointer}/timeout`, issues, true);
    if (resolution.kind === 'call') durationAt(own(step, 'heartbeatTimeout'), `${pointer}/heartbeatTimeout`, issues, true);
    if (resolution.kind === 'wait') durationAt(own(step, 'wait'), `${pointer}/wait`, issues);
    checkRetry(own(step, 'retry'), resolution.kind === 'call' ? defaultRetry : undefined, `${pointer}/retry`, issues);
  }
  return issues;
}

/** Longest `per` of a rate limit: a longer window would keep a call log of days in Redis. */
export const MAX_RATE_LIMIT_WINDOW_MS = 86_400_000;

function checkRateLimitWindows(document: Record<string, unknown>, issues: RawIssue[]): void {
  const limits = own(document, 'rateLimits');
  if (!isRecord(limits)) return;
  for (const name of Object.keys(limits)) {
    const limit = limits[name];
    if (!isRecord(limit)) continue;
    const pointer = `${childPointer('/rateLimits', name)}/per`;
    const ms = durationAt(own(limit, 'per'), pointer, issues, true);
    if (ms !== undefined && ms > MAX_RATE_LIMIT_WINDOW_MS) {
      issues.push({ pointer, message: `\`per\` may be at most 1d (got ${formatDuration(ms)})`, hint: 'say the same limit per day, e.g. `max: 100, per: 1d`' });
    }
  }
}

/**
 * Interval sanity of a retry policy seen together with the defaults it merges over: the delay
 * grows from initialInterval to maxInterval, so maxInterval may not be shorter.
 */
function checkRetry(retry: unknown, defaults: unknown, pointer: string, issues: RawIssue[]): void {
  if (!isRecord(retry)) return;
  const ownInitial = durationAt(own(retry, 'initialInterval'), `${pointer}/initialInterval`, issues, true);
  const ownMax = durationAt(own(retry, 'maxInterval'), `${pointer}/maxInterval`, issues, true);
  const fromDefaults = (key: string): number | undefined => {
    const value = isRecord(defaults) ? own(defaults, key) : undefined;
    return typeof value === 'string' ? safeDuration(value) : undefined;
  };
  const initial = ownInitial ?? fromDefaults('initialInterval') ?? 1000;
  const max = ownMax ?? fromDefaults('maxInterval');
  if (max === undefined || max >= initial || (ownInitial === undefined && ownMax === undefined)) return;
  const blame = ownMax !== undefined ? 'maxInterval' : 'initialInterval';
  issues.push({
    pointer: `${pointer}/${blame}`,
    message: `\`maxInterval\` (${formatDuration(max)}) is shorter than \`initialInterval\` (${formatDuration(initial)})${ownInitial === undefined || ownMax === undefined ? ' once merged with `defaults.retry`' : ''}`,
    hint: 'the delay between attempts grows from initialInterval up to maxInterval: make maxInterval at least initialInterval',
  });
}

function safeDuration(value: string): number | undefined {
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}

function checkLoopsAndSwitches(sites: readonly StepSite[]): RawIssue[] {
  const issues: RawIssue[] = [];
  const reserved: readonly string[] = RESERVED_BINDINGS;
  for (const { pointer, step, resolution } of sites) {
    if (!isRecord(step)) continue;
    if (resolution.kind === 'forEach') {
      const names: Array<[string, unknown]> = [
        ['as', own(step, 'as')],
        ['indexAs', own(step, 'indexAs')],
      ];
      for (const [key, value] of names) {
        if (typeof value !== 'string') continue;
        const name = value.replace(/^\$/, '');
        if (reserved.includes(name)) {
          issues.push({ pointer: `${pointer}/${key}`, message: `\`${key}: ${preview(value)}\` would hide the built-in \`$${name}\``, hint: `choose another name; reserved: ${listOf([...reserved], 'and')}` });
        }
      }
      const as = own(step, 'as');
      const indexAs = own(step, 'indexAs');
      if (typeof as === 'string' && typeof indexAs === 'string' && as.replace(/^\$/, '') === indexAs.replace(/^\$/, '')) {
        issues.push({ pointer: `${pointer}/indexAs`, message: '`as` and `indexAs` name the same binding', hint: 'give them different names' });
      }
    }
    if (resolution.kind === 'switch') {
      const cases = own(step, 'switch');
      if (!Array.isArray(cases)) continue;
      cases.forEach((c, i) => {
        if (isRecord(c) && 'default' in c && i !== cases.length - 1) {
          issues.push({ pointer: `${pointer}/switch/${i}/default`, at: 'key', message: 'the `default` case must be the last case', hint: 'cases after it could never run: move it to the end' });
        }
      });
    }
  }
  return issues;
}

function checkEmbeddedSchemas(document: Record<string, unknown>): RawIssue[] {
  const issues: RawIssue[] = [];
  const input = own(document, 'input');
  if (isRecord(input) && isRecord(own(input, 'schema'))) issues.push(...jsonSchemaProblems(input.schema, '/input/schema'));
  const signals = own(document, 'signals');
  if (isRecord(signals)) {
    for (const name of Object.keys(signals)) {
      const declaration = signals[name];
      if (isRecord(declaration) && isRecord(own(declaration, 'schema'))) {
        issues.push(...jsonSchemaProblems(declaration.schema, `${childPointer('/signals', name)}/schema`));
      }
    }
  }
  return issues;
}

function checkRedact(document: Record<string, unknown>): RawIssue[] {
  const redact = own(document, 'redact');
  if (!Array.isArray(redact)) return [];
  const issues: RawIssue[] = [];
  redact.forEach((path, i) => {
    if (typeof path === 'string' && path.length > 0 && !/^\$(\.|\[|$)/.test(path)) {
      issues.push({ pointer: `/redact/${i}`, message: `\`${preview(path)}\` is not a JSON path`, hint: 'JSON paths start with `$`, e.g. `$.input.card.number`' });
    }
  });
  return issues;
}
