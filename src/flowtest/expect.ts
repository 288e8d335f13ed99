/** Compares what a case's run did with what the case expects; says what differs, for people. Pure. */
import type { ErrorInfo, RunStatus } from '../interpreter/types.js';
import type { Expectation } from './types.js';

/** What a run did, as the checks see it. `status` is null when the run was refused before it started. */
export interface Observed {
  readonly status: RunStatus | null;
  readonly output: unknown;
  readonly error: ErrorInfo | null;
  readonly calls: readonly string[];
  readonly vars: Readonly<Record<string, unknown>>;
}

/** Longest rendering of a value inside a failure reason. */
const MAX_SHOWN = 160;

/** A value as short JSON for a failure reason. Pure. */
export function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN - 1)}…`;
}

/** JSON round trip: drops undefined members, so `{a: undefined}` equals `{}` as it would after storage. */
function normal(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * The first place where `actual` differs from `expected` (`''` for the root, `.a[2].b` below), or
 * undefined when they are deep-equal. Pure.
 */
export function firstDifference(expected: unknown, actual: unknown, at = ''): { at: string; expected: unknown; actual: unknown } | undefined {
  if (Object.is(expected, actual)) return undefined;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const d = firstDifference(expected[i], actual[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      const d = firstDifference(expected[key], actual[key], `${at}.${key}`);
      if (d) return d;
    }
    return undefined;
  }
  return { at, expected, actual };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describeDifference(what: string, expected: unknown, actual: unknown): string | undefined {
  const d = firstDifference(normal(expected), normal(actual));
  if (!d) return undefined;
  const place = d.at === '' ? what : `${what}${d.at}`;
  return `${place}: expected ${show(d.expected)}, got ${show(d.actual)}`;
}

function errorText(error: ErrorInfo | null): string {
  return error ? `${error.type}: ${error.message}` : 'no error';
}

/**
 * Every way the observed run differs from the expectation (empty when the case passes). Rules:
 * only the keys given are checked; with neither `status` nor `error` given the run must complete;
 * with `error` but no `status` it must not complete; `error` and `vars` are subset matches; `output`
 * and `calls` must be equal. Pure.
 */
export function compare(expect: Expectation, observed: Observed): string[] {
  const reasons: string[] = [];
  const wantsError = expect.error !== undefined && expect.error !== null;
  if (expect.status !== undefined) {
    if (observed.status !== expect.status) {
      const got = observed.status === null ? 'a refused start' : observed.status;
      reasons.push(`status: expected ${expect.status}, got ${got}${observed.error ? ` (${errorText(observed.error)})` : ''}`);
    }
  } else if (!wantsError && observed.status !== 'completed') {
    const got = observed.status === null ? 'a refused start' : observed.status;
    reasons.push(`status: expected completed, got ${got} (${errorText(observed.error)})`);
  } else if (wantsError && observed.status === 'completed') {
    reasons.push(`status: expected the run to fail, but it completed with output ${show(observed.output)}`);
  }

  if (expect.error === null && observed.error !== null) {
    reasons.push(`error: expected none, got ${errorText(observed.error)}`);
  } else if (wantsError) {
    if (observed.error === null) {
      reasons.push(`error: expected ${show(expect.error)}, got no error`);
    } else {
      for (const [key, value] of Object.entries(expect.error as Record<string, unknown>)) {
        const diff = describeDifference(`error.${key}`, value, (observed.error as unknown as Record<string, unknown>)[key]);
        if (diff) reasons.push(diff);
      }
    }
  }

  if (expect.output !== undefined) {
    const diff = describeDifference('output', expect.output, observed.output);
    if (diff) reasons.push(diff);
  }

  if (expect.calls !== undefined) {
    const same = expect.calls.length === observed.calls.length && expect.calls.every((c, i) => c === observed.calls[i]);
    if (!same) reasons.push(`calls: expected [${expect.calls.join(', ')}], got [${observed.calls.join(', ')}]`);
  }

  if (expect.vars !== undefined) {
    for (const [name, value] of Object.entries(expect.vars)) {
      const diff = describeDifference(`vars.${name}`, value, observed.vars[name]);
      if (diff) reasons.push(diff);
    }
  }
  return reasons;
}
