/**
 * What one JSONata expression uses, from a single walk of its syntax tree: the variables it
 * reads, the names it binds itself, and its `$steps.<id>` references. Pure (bounded cache: the
 * same sources come back every time a document is loaded).
 */
import { compileExpression, ExpressionSyntaxError } from '../expression/index.js';

/** A variable read (`$name`), with the offset of its `$` in the source. */
export interface VariableUse {
  readonly name: string;
  readonly offset: number;
}

/** A `$steps.<id>` reference, with the offset of the id in the source. */
export interface StepUse {
  readonly id: string;
  readonly offset: number;
}

/** The facts of one expression. */
export interface ExpressionFacts {
  readonly used: readonly VariableUse[];
  /** Names the expression binds itself (`:=`, lambda parameters, `#$i`, `@$o`). */
  readonly bound: ReadonlySet<string>;
  readonly steps: readonly StepUse[];
}

const cache = new Map<string, ExpressionFacts | null>();
const CACHE_LIMIT = 10_000;

interface AstNode {
  type?: string;
  value?: unknown;
  position?: number;
  lhs?: { value?: unknown };
  arguments?: Array<{ value?: unknown }>;
  steps?: Array<{ type?: string; value?: unknown; position?: number }>;
  index?: unknown;
  focus?: unknown;
}

/** The facts of a source, or null when it does not compile (its syntax error is reported elsewhere). */
export function expressionFacts(source: string): ExpressionFacts | null {
  let facts = cache.get(source);
  if (facts !== undefined) return facts;
  try {
    const used: VariableUse[] = [];
    const steps: StepUse[] = [];
    const bound = new Set<string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) {
        for (const item of node) visit(item);
        return;
      }
      if (node === null || typeof node !== 'object') return;
      const n = node as AstNode;
      if (n.type === 'variable' && typeof n.value === 'string') {
        used.push({ name: n.value, offset: Math.max(0, (n.position ?? 0) - n.value.length - 1) });
      } else if (n.type === 'bind' && typeof n.lhs?.value === 'string') bound.add(n.lhs.value);
      else if (n.type === 'lambda') {
        for (const argument of n.arguments ?? []) if (typeof argument.value === 'string') bound.add(argument.value);
      } else if (n.type === 'path' && n.steps && n.steps.length > 1) {
        const [head, next] = n.steps;
        if (head.type === 'variable' && head.value === 'steps' && next.type === 'name' && typeof next.value === 'string') {
          steps.push({ id: next.value, offset: Math.max(0, (next.position ?? 0) - next.value.length) });
        }
      }
      if (typeof n.index === 'string') bound.add(n.index);
      if (typeof n.focus === 'string') bound.add(n.focus);
      for (const key in node) {
        const value = (node as Record<string, unknown>)[key];
        if (value !== null && typeof value === 'object') visit(value);
      }
    };
    visit(compileExpression(source).ast());
    facts = { used, bound, steps };
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    facts = null;
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, facts);
  return facts;
}
