/**
 * Bounds the size of every value an expression builds, step by step. JSONata's timeout is only
 * checked between evaluation steps, and one step can already be fatal: doubling a string with `&`
 * inside a recursive function reaches V8's string limit after 27 steps and aborts the whole
 * process (no `try` catches it). So an exit hook sees each step's result and refuses one above
 * `maxIntermediateBytes`, and the built-ins that multiply their input in a single call ($pad,
 * $join) refuse before allocating (docs/decisions/0007-bounded-expressions.md).
 */
import type jsonata from 'jsonata';

/** A value an expression built is larger than allowed. Becomes ExpressionError for the step. */
export class ExpressionTooLargeError extends Error {}

const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');
const SIZE_CACHE = Symbol('flowline.sizeCache');

/**
 * Steps that only hand on a value that already exists (a variable, a field, a literal, a
 * function): it was measured when it was built, or it is a binding, bounded by the payload limit.
 * Skipping them keeps `$input` in a loop from being measured on every iteration.
 */
const HANDS_ON_EXISTING = new Set(['variable', 'name', 'parent', 'regex', 'lambda', 'string', 'number', 'value']);

interface HookEnvironment {
  base: { [SIZE_CACHE]?: WeakMap<object, number> };
}

/**
 * Approximate JSON size of `value` in characters, counting shared parts each time they occur (as
 * JSON.stringify would write them). Stops as soon as it passes `budget`. Sizes of arrays and
 * objects are remembered per evaluation, so a structure built from earlier results costs only
 * its own new entries; JSONata sequences are not remembered because JSONata appends to them.
 */
export function measuredSize(value: unknown, budget: number, cache?: WeakMap<object, number>): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number') return 8;
  if (value === null || typeof value !== 'object' || isJsonataFunction(value)) return 4;
  const known = cache?.get(value);
  if (known !== undefined) return known;
  let size = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && size <= budget; i++) size += measuredSize(value[i], budget - size, cache) + 1;
  } else {
    for (const key of Object.keys(value)) {
      size += key.length + 4 + measuredSize((value as Record<string, unknown>)[key], budget - size, cache);
      if (size > budget) break;
    }
  }
  const isSequence = Array.isArray(value) && (value as { sequence?: boolean }).sequence === true;
  if (cache && size <= budget && !isSequence) cache.set(value, size);
  return size;
}

/** JSONata's function values are objects that carry their syntax tree and context: not data. */
function isJsonataFunction(value: object): boolean {
  const f = value as { _jsonata_lambda?: boolean; _jsonata_function?: boolean };
  return f._jsonata_lambda === true || f._jsonata_function === true;
}

function tooLarge(what: string, size: number, limit: number): ExpressionTooLargeError {
  return new ExpressionTooLargeError(
    `${what} of about ${size} characters, above the limit of ${limit} for any value an expression builds; ` +
      'an expression that keeps doubling a text or a list (often inside a recursive function) does this — bound the recursion or the size',
  );
}

/** Installs the per-step size check on a compiled expression. */
export function installSizeGuard(expression: jsonata.Expression, limit: number): void {
  const hook = (expr: { type?: string }, _input: unknown, environment: HookEnvironment, result: unknown): void => {
    if (typeof result === 'string') {
      if (result.length > limit) throw tooLarge('the expression built a text', result.length, limit);
      return;
    }
    if (result === null || typeof result !== 'object' || (expr.type !== undefined && HANDS_ON_EXISTING.has(expr.type))) return;
    const cache = (environment.base[SIZE_CACHE] ??= new WeakMap());
    const size = measuredSize(result, limit, cache);
    if (size > limit) throw tooLarge('the expression built a value', size, limit);
  };
  // JSONata looks the hook up by this well-known symbol in the environment; `assign` binds it there.
  expression.assign(EXIT_HOOK as unknown as string, hook);
  registerSizedBuiltIns(expression, limit);
}

/** $pad and $join with JSONata's signatures, refusing before they allocate an oversized text. */
function registerSizedBuiltIns(expression: jsonata.Expression, limit: number): void {
  expression.registerFunction(
    'pad',
    (str: string | undefined, width: number, char?: string) => {
      if (str === undefined) return undefined;
      if (Math.abs(width) > limit) throw tooLarge(`$pad was asked for a text`, Math.abs(width), limit);
      const padChar = char === undefined || char === '' ? ' ' : char;
      const missing = Math.abs(width) - [...str].length;
      if (missing <= 0) return str;
      const padding = padChar.repeat(Math.ceil(missing / padChar.length)).slice(0, missing);
      return width < 0 ? padding + str : str + padding;
    },
    '<s-ns?:s>',
  );
  expression.registerFunction(
    'join',
    (strs: string[] | undefined, separator?: string) => {
      if (strs === undefined) return undefined;
      const sep = separator ?? '';
      let size = sep.length * Math.max(0, strs.length - 1);
      for (const s of strs) size += s.length;
      if (size > limit) throw tooLarge('$join would build a text', size, limit);
      return strs.join(sep);
    },
    '<a<s>s?:s>',
  );
}
