/**
 * Regex literals in expressions run on RE2 (the pure-JavaScript port `re2js`), whose matching time
 * is linear in the input: JavaScript's backtracking RegExp spent 40 s on `/^(a+)+$/` against 31
 * characters, long enough for a worker to lose its BullMQ job locks, and nothing can interrupt it
 * (docs/decisions/0007-bounded-expressions.md). Patterns RE2 cannot run (backreferences,
 * lookaround) are refused when the expression is compiled, never handed to RegExp instead.
 */
import { RE2JS } from 're2js';

/** A regex literal RE2 cannot compile; the message says what to change. */
export class UnsupportedRegexError extends Error {}

const compiled = new Map<string, RE2JS>();
const COMPILED_LIMIT = 1_000;

/** Compiles (or fetches) the RE2 form of a JavaScript regex literal. Throws UnsupportedRegexError. */
export function compileLinearRegex(source: string, flags: string): RE2JS {
  const key = `${flags}/${source}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source), (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) | (flags.includes('m') ? RE2JS.MULTILINE : 0));
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp:\s*/, '');
    throw new UnsupportedRegexError(
      `regular expression /${source}/ cannot be used: ${reason}. Expressions use the RE2 regex dialect, which has no backreferences (\\1) ` +
        'and no lookahead or lookbehind ((?=…), (?!…), (?<=…), (?<!…)); rewrite the pattern without them',
    );
  }
  if (compiled.size >= COMPILED_LIMIT) compiled.clear();
  compiled.set(key, re);
  return re;
}

/**
 * The RegExp-like class JSONata is given as `RegexEngine`. JSONata only constructs it from the
 * parsed literal and calls `exec` with `lastIndex` set (its literals always carry the `g` flag).
 */
export class LinearRegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  readonly global: boolean;
  private readonly re: RE2JS;

  constructor(pattern: RegExp | string, flags?: string) {
    this.source = typeof pattern === 'string' ? pattern : pattern.source;
    this.flags = flags ?? (typeof pattern === 'string' ? '' : pattern.flags);
    this.global = this.flags.includes('g');
    this.re = compileLinearRegex(this.source, this.flags);
  }

  exec(input: string): RegExpExecArray | null {
    const text = String(input);
    const from = this.global ? this.lastIndex : 0;
    const matcher = this.re.matcher(text);
    if (from > text.length || !matcher.find(from)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: Array<string | undefined> = [];
    for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? undefined);
    const match = Object.assign(groups, { index: matcher.start(), input: text, groups: undefined }) as unknown as RegExpExecArray;
    if (this.global) this.lastIndex = matcher.end();
    return match;
  }

  test(input: string): boolean {
    return this.exec(input) !== null;
  }
}

/** A regex literal of an expression's syntax tree that RE2 cannot compile. */
export interface RegexProblem {
  readonly message: string;
  /** Offset of the literal's opening `/` in the expression source. */
  readonly offset: number;
}

/** The first regex literal in a JSONata syntax tree that RE2 refuses, or undefined. Pure apart from the cache. */
export function findUnsupportedRegex(ast: unknown): RegexProblem | undefined {
  let found: RegexProblem | undefined;
  const visit = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node as { type?: string; value?: unknown; position?: number };
    if (n.type === 'regex' && n.value instanceof RegExp) {
      try {
        compileLinearRegex(n.value.source, n.value.flags);
      } catch (error) {
        if (!(error instanceof UnsupportedRegexError)) throw error;
        // JSONata records the position just after the literal: `/source/` plus its flags (the `g` is implied).
        const length = n.value.source.length + 2 + n.value.flags.replace('g', '').length;
        found = { message: error.message, offset: Math.max(0, (n.position ?? length) - length) };
        return;
      }
    }
    for (const value of Object.values(node)) if (value && typeof value === 'object') visit(value);
  };
  visit(ast);
  return found;
}
