/**
 * Compiles JSONata sources once and reports syntax errors with their position. Compiled
 * expressions are cached by source and limits (a cache, not state: the result never changes).
 */
import jsonata from 'jsonata';

/** Bounds on one evaluation (SPEC §2: runaway expressions fail their step, the process stays healthy). */
export interface EvaluationLimits {
  /** Wall-time bound per expression, in ms (JSONata checks it between evaluation steps). */
  readonly timeoutMs: number;
  /** Maximum evaluation depth (JSONata's stack option). */
  readonly maxDepth: number;
  /** Maximum size of one result, as JSON bytes; also caps string-building built-ins such as $pad. */
  readonly maxResultBytes: number;
}

export const DEFAULT_LIMITS: EvaluationLimits = Object.freeze({
  timeoutMs: 100,
  maxDepth: 500,
  maxResultBytes: 512 * 1024,
});

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

const cache = new Map<string, jsonata.Expression>();
const CACHE_LIMIT = 10_000;

/** Compile (or fetch from cache). Throws ExpressionSyntaxError. Pure apart from the cache. */
export function compileExpression(source: string, limits: EvaluationLimits = DEFAULT_LIMITS): jsonata.Expression {
  const key = `${limits.timeoutMs}|${limits.maxDepth}|${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (source.trim() === '') throw new ExpressionSyntaxError('empty expression: write something between `${` and `}`', 0, 'S0000');
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source, { timeout: limits.timeoutMs, stack: limits.maxDepth });
  } catch (error) {
    const failure = error as JsonataFailure;
    const position = typeof failure.position === 'number' ? failure.position : 0;
    throw new ExpressionSyntaxError(
      `${failure.message ?? 'invalid expression'}${failure.code ? ` (JSONata ${failure.code})` : ''}`,
      Math.max(0, Math.min(source.length, position - 1)),
      failure.code,
    );
  }
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
