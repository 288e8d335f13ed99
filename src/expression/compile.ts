/**
 * Compiles JSONata sources once and reports syntax errors with their position. Compiled
 * expressions are cached by source and limits (a cache, not state: the result never changes).
 */
import jsonata from 'jsonata';
import { findUnsupportedRegex, LinearRegExp } from './linear-regex.js';
import { installSizeGuard } from './size-guard.js';

/** Bounds on one evaluation (SPEC §2: runaway expressions fail their step, the process stays healthy). */
export interface EvaluationLimits {
  /** Wall-time bound per expression, in ms (JSONata checks it between evaluation steps). */
  readonly timeoutMs: number;
  /** Maximum evaluation depth (JSONata's stack option). */
  readonly maxDepth: number;
  /** Maximum size of one result, as JSON bytes. */
  readonly maxResultBytes: number;
  /**
   * Maximum size (JSON characters) of any value built while evaluating: each step's result and
   * what $pad/$join would build. Stops runaway growth long before it exhausts memory.
   * Optional; default 8 × maxResultBytes (4 MiB), so raising the result limit raises it too.
   */
  readonly maxIntermediateBytes?: number;
}

/** Without an explicit bound, a value built on the way may be this many results' worth: room to gather several payloads, far below V8's string limit. */
const INTERMEDIATE_PER_RESULT = 8;

export const DEFAULT_LIMITS: EvaluationLimits = Object.freeze({
  timeoutMs: 100,
  maxDepth: 500,
  maxResultBytes: 512 * 1024,
});

/** The bound on any value built during an evaluation under these limits. */
export function intermediateLimit(limits: EvaluationLimits): number {
  return limits.maxIntermediateBytes ?? INTERMEDIATE_PER_RESULT * limits.maxResultBytes;
}

/** A JSONata syntax error; `offset` is the character offset inside the expression source. */
export class ExpressionSyntaxError extends Error {
  readonly type = 'ExpressionSyntax';
  constructor(
    message: string,
    readonly offset: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
}

/** A sequence's length bound is the size bound over this: 512Ki items by default, as many as the 4 MiB bound holds at 8 characters an item. */
const BYTES_PER_SEQUENCE_ITEM = 8;

/** The longest list an evaluation may build under these limits. */
export function sequenceLimit(limits: EvaluationLimits): number {
  return Math.floor(intermediateLimit(limits) / BYTES_PER_SEQUENCE_ITEM);
}

const cache = new Map<string, jsonata.Expression>();
const CACHE_LIMIT = 10_000;

/** Compile (or fetch from cache). Throws ExpressionSyntaxError. Pure apart from the cache. */
export function compileExpression(source: string, limits: EvaluationLimits = DEFAULT_LIMITS): jsonata.Expression {
  const maxIntermediate = intermediateLimit(limits);
  const key = `${limits.timeoutMs}|${limits.maxDepth}|${maxIntermediate}|${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (source.trim() === '') throw new ExpressionSyntaxError('empty expression: write something between `${` and `}`', 0, 'S0000');
  let expression: jsonata.Expression;
  try {
    // RegexEngine is a jsonata() option (not an evaluate() one), typed in jsonata.d.ts as RegExp's constructor.
    expression = jsonata(source, {
      timeout: limits.timeoutMs,
      stack: limits.maxDepth,
      // Checked by JSONata before a range like [1..9999999] is allocated, and on every sequence append.
      sequence: sequenceLimit(limits),
      RegexEngine: LinearRegExp as unknown as RegExpConstructor,
    });
  } catch (error) {
    const failure = error as JsonataFailure;
    const position = typeof failure.position === 'number' ? failure.position : 0;
    throw new ExpressionSyntaxError(
      `${failure.message ?? 'invalid expression'}${failure.code ? ` (JSONata ${failure.code})` : ''}`,
      Math.max(0, Math.min(source.length, position - 1)),
      failure.code,
    );
  }
  const unsupported = findUnsupportedRegex(expression.ast());
  if (unsupported) throw new ExpressionSyntaxError(unsupported.message, unsupported.offset, undefined);
  installSizeGuard(expression, maxIntermediate);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, expression);
  return expression;
}

/** A `$steps.<id>` reference inside an expression, with the id's offset in the source. */
export interface StepReference {
  readonly id: string;
  readonly offset: number;
}

/** Every `$steps.<id>` reference in a source (throws ExpressionSyntaxError when it does not compile). */
export function referencedStepIds(source: string): StepReference[] {
  const found: StepReference[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as { type?: string; steps?: Array<{ type?: string; value?: unknown; position?: number }> };
    if (n.type === 'path' && n.steps && n.steps.length > 1) {
      const [head, next] = n.steps;
      if (head.type === 'variable' && head.value === 'steps' && next.type === 'name' && typeof next.value === 'string') {
        found.push({ id: next.value, offset: Math.max(0, (next.position ?? 0) - next.value.length) });
      }
    }
    for (const value of Object.values(node)) if (value && typeof value === 'object') visit(value);
  };
  visit(compileExpression(source).ast());
  return found;
}
