/** Load-time check of every expression inside a value: unclosed `${` and JSONata syntax errors, with offsets. */
import { compileExpression, ExpressionSyntaxError } from './compile.js';
import { collectExpressions } from './template.js';

/** A problem inside the string at `pointer` (relative to the checked value), at char `offset`. */
export interface TemplateCheckProblem {
  readonly pointer: string;
  readonly offset: number;
  readonly message: string;
  /** JSONata's error code (`S0203`…) for a syntax error. */
  readonly code?: string;
  /** Character offset of a syntax error inside the expression's own source (after `${`). */
  readonly positionInExpression?: number;
}

/** Compiles every expression in `value`; returns all problems (empty when all compile). Pure. */
export function checkTemplate(value: unknown): TemplateCheckProblem[] {
  const { expressions, problems } = collectExpressions(value);
  const out: TemplateCheckProblem[] = problems.map((p) => ({ ...p }));
  for (const e of expressions) {
    try {
      compileExpression(e.source);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      out.push({ pointer: e.pointer, offset: e.offset + error.offset, message: error.message, code: error.code, positionInExpression: error.offset });
    }
  }
  return out;
}
