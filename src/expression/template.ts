/**
 * Finds `${ … }` expressions in document strings. A string that is exactly one expression keeps
 * the value's type; any other string with expressions is a template, stringified in place.
 * Pure; knows JSONata's lexical rules just well enough to find the closing brace.
 */

/** A piece of a template string: literal text, or an expression with its offset in the string. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'expression'; readonly source: string; readonly offset: number };

/** Thrown when a `${` has no matching `}`. `offset` is where the `${` starts. */
export class UnterminatedExpressionError extends Error {
  constructor(readonly offset: number) {
    super('expression is not closed: a `${` has no matching `}`');
  }
}

/**
 * Index just past the `}` that closes the expression whose source starts at `from`,
 * skipping braces inside string literals, backtick names and comments; -1 when unclosed.
 */
function findClose(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'" || c === '`') {
      const quote = c;
      i++;
      while (i < s.length && s[i] !== quote) {
        if (s[i] === '\\' && quote !== '`') i++;
        i++;
      }
      continue;
    }
    if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      if (end < 0) return -1;
      i = end + 1;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i + 1;
      depth--;
    }
  }
  return -1;
}

/**
 * Splits a string into text and expression parts; null when it holds no `${`.
 * Throws UnterminatedExpressionError for a `${` without its `}`.
 */
export function parseTemplateString(s: string): TemplatePart[] | null {
  let start = s.indexOf('${');
  if (start < 0) return null;
  const parts: TemplatePart[] = [];
  let cursor = 0;
  while (start >= 0) {
    if (start > cursor) parts.push({ kind: 'text', text: s.slice(cursor, start) });
    const end = findClose(s, start + 2);
    if (end < 0) throw new UnterminatedExpressionError(start);
    parts.push({ kind: 'expression', source: s.slice(start + 2, end - 1), offset: start + 2 });
    cursor = end;
    start = s.indexOf('${', cursor);
  }
  if (cursor < s.length) parts.push({ kind: 'text', text: s.slice(cursor) });
  return parts;
}

/** True when the whole string (ignoring surrounding white space) is one `${ … }` expression. */
export function isWholeExpression(parts: readonly TemplatePart[], s: string): boolean {
  const meaningful = parts.filter((p) => p.kind === 'expression' || p.text.trim() !== '');
  return meaningful.length === 1 && meaningful[0].kind === 'expression' && s.trim().startsWith('${');
}

/** An expression found somewhere inside a value, with the JSON pointer of its string. */
export interface FoundExpression {
  /** Pointer relative to the walked value ('' for the value itself). */
  readonly pointer: string;
  readonly source: string;
  /** Offset of `source` inside the string at `pointer`. */
  readonly offset: number;
}

/** A malformed template found while walking (an unclosed `${`). */
export interface TemplateProblem {
  readonly pointer: string;
  readonly offset: number;
  readonly message: string;
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Visits every string inside a JSON-like value (keys are never expressions). */
export function walkStrings(value: unknown, visit: (s: string, pointer: string) => void, pointer = ''): void {
  if (typeof value === 'string') visit(value, pointer);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, visit, `${pointer}/${i}`));
  else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      walkStrings((value as Record<string, unknown>)[key], visit, `${pointer}/${escapePointerToken(key)}`);
    }
  }
}

/** Every expression inside a value, plus the problems of malformed templates. Pure. */
export function collectExpressions(value: unknown): { expressions: FoundExpression[]; problems: TemplateProblem[] } {
  const expressions: FoundExpression[] = [];
  const problems: TemplateProblem[] = [];
  walkStrings(value, (s, pointer) => {
    try {
      const parts = parseTemplateString(s);
      if (!parts) return;
      for (const p of parts) if (p.kind === 'expression') expressions.push({ pointer, source: p.source, offset: p.offset });
    } catch (error) {
      if (error instanceof UnterminatedExpressionError) {
        problems.push({ pointer, offset: error.offset, message: error.message });
      } else throw error;
    }
  });
  return { expressions, problems };
}

/** True when a value contains at least one expression anywhere. */
export function hasExpressions(value: unknown): boolean {
  let found = false;
  walkStrings(value, (s) => {
    if (!found && s.includes('${')) found = true;
  });
  return found;
}
