/**
 * Evaluates a document value whose strings may hold expressions (SPEC §2), within bounds:
 * JSONata's timeout and depth options, a cap on the result size and on every value built on the
 * way (size-guard.ts), regex literals on RE2 (linear-regex.ts), and no `$eval` (every expression
 * is compiled at load time). No binding reaches the environment,
 * files or network: only what the caller passes in.
 */
import { formatDuration } from '../format-duration.js';
import { compileExpression, sequenceLimit, type EvaluationLimits, DEFAULT_LIMITS } from './compile.js';
import { isWholeExpression, parseTemplateString } from './template.js';
import { ExpressionTooLargeError, measuredSize } from './size-guard.js';

/** Why an evaluation failed: the step fails with this type (SPEC §4 built-in types). */
export class ExpressionFailure extends Error {
  constructor(
    readonly type: 'ExpressionError' | 'ExpressionTimeout',
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/**
 * Values bound in expressions, named without `$`: input, vars, steps, output, error, workflow,
 * item/index (or custom names), and the functions now, millis, uuid supplied by the caller so a
 * replay gives the same values.
 */
export type Bindings = Readonly<Record<string, unknown>>;

interface JsonataFailure {
  code?: string;
  message?: string;
}

/** `$eval` would compile text at run time, past the load-time checks: refused. ($pad and $join are replaced at compile time.) */
const SAFE_BUILT_INS: Record<string, unknown> = {
  eval() {
    throw new ExpressionFailure('ExpressionError', '$eval is not available in Flowline expressions');
  },
};

/** Converts a JSONata result to plain JSON data, enforcing the size limit. */
function toPlainJson(result: unknown, limits: EvaluationLimits): unknown {
  if (result === undefined || result === null) return null;
  if (typeof result === 'number') return Number.isFinite(result) ? result : null;
  if (typeof result === 'boolean') return result;
  if (typeof result === 'string') {
    if (result.length > limits.maxResultBytes) throw tooLarge(result.length, limits);
    return result;
  }
  if (typeof result === 'function') return null;
  // Measured before stringifying: a structure that shares one part many times is small in memory but not as JSON.
  const measured = measuredSize(result, limits.maxResultBytes);
  if (measured > limits.maxResultBytes) throw tooLarge(measured, limits);
  const text = JSON.stringify(result);
  if (text === undefined) return null;
  if (text.length > limits.maxResultBytes) throw tooLarge(text.length, limits);
  return JSON.parse(text);
}

function tooLarge(size: number, limits: EvaluationLimits): ExpressionFailure {
  return new ExpressionFailure('ExpressionError', `expression result is ${size} bytes, above the limit of ${limits.maxResultBytes} bytes`);
}

/** Evaluates one expression source. Throws ExpressionFailure. */
export async function evaluateExpression(source: string, bindings: Bindings, limits: EvaluationLimits = DEFAULT_LIMITS): Promise<unknown> {
  let expression;
  try {
    expression = compileExpression(source, limits);
  } catch (error) {
    throw new ExpressionFailure('ExpressionError', (error as Error).message);
  }
  try {
    const result = await expression.evaluate(undefined, { ...bindings, ...SAFE_BUILT_INS });
    return toPlainJson(result, limits);
  } catch (error) {
    if (error instanceof ExpressionFailure) throw error;
    const failure = error as JsonataFailure;
    if (error instanceof ExpressionTooLargeError) {
      throw new ExpressionFailure('ExpressionError', `expression \`${abbreviate(source)}\` failed: ${error.message}`);
    }
    if (failure.code === 'D1012') {
      throw new ExpressionFailure('ExpressionTimeout', `expression \`${abbreviate(source)}\` ran longer than ${formatDuration(limits.timeoutMs)}`);
    }
    if (failure.code === 'D2015') {
      throw new ExpressionFailure(
        'ExpressionError',
        `expression \`${abbreviate(source)}\` failed: it built a list longer than ${sequenceLimit(limits)} items, the limit for any list an expression builds`,
      );
    }
    if (error instanceof RangeError && /invalid (string|array|typed array) length|allocation failed/i.test(error.message)) {
      // One built-in call (e.g. $replace) went past V8's size limit; JavaScript could still catch it.
      throw new ExpressionFailure('ExpressionError', `expression \`${abbreviate(source)}\` built a value too large for memory: ${error.message}`);
    }
    if (error instanceof RangeError) {
      throw new ExpressionFailure('ExpressionError', `expression \`${abbreviate(source)}\` recursed too deeply`);
    }
    throw new ExpressionFailure(
      'ExpressionError',
      `expression \`${abbreviate(source)}\` failed: ${failure.message ?? String(error)}${failure.code ? ` (JSONata ${failure.code})` : ''}`,
    );
  }
}

/**
 * True when `message` is the ExpressionTimeout message this module gives for `source`: a replay
 * finds by it which expression a recorded timeout belongs to (the message is what history keeps).
 */
export function isTimeoutMessageOf(message: string, source: string): boolean {
  return message.startsWith(`expression \`${abbreviate(source)}\` ran longer than `);
}

function abbreviate(source: string): string {
  const s = source.trim();
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function stringifyPart(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

async function evaluateString(s: string, bindings: Bindings, limits: EvaluationLimits): Promise<unknown> {
  let parts;
  try {
    parts = parseTemplateString(s);
  } catch (error) {
    throw new ExpressionFailure('ExpressionError', (error as Error).message);
  }
  if (!parts) return s;
  if (isWholeExpression(parts, s)) {
    const only = parts.find((p) => p.kind === 'expression');
    return only && only.kind === 'expression' ? evaluateExpression(only.source, bindings, limits) : null;
  }
  let out = '';
  for (const part of parts) {
    out += part.kind === 'text' ? part.text : stringifyPart(await evaluateExpression(part.source, bindings, limits));
    if (out.length > limits.maxResultBytes) throw tooLarge(out.length, limits);
  }
  return out;
}

/**
 * Evaluates every expression inside a value, recursively in maps and lists; values without
 * expressions are returned as they are. Throws ExpressionFailure.
 */
export async function evaluateTemplate(value: unknown, bindings: Bindings, limits: EvaluationLimits = DEFAULT_LIMITS): Promise<unknown> {
  if (typeof value === 'string') return value.includes('${') ? evaluateString(value, bindings, limits) : value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await evaluateTemplate(item, bindings, limits));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    // Own keys copied onto a null-prototype-free plain object via defineProperty, so keys like
    // `__proto__` stay data.
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, {
        value: await evaluateTemplate((value as Record<string, unknown>)[key], bindings, limits),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** JSONata-style truthiness for `if`, `when` and `until`: false, null, 0, '', [] and {} are falsy. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.some(isTruthy);
  if (typeof value === 'object') return Object.keys(value as object).length > 0;
  return true;
}
