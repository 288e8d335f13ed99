/**
 * Hints for people fixing a document: the nearest valid key ("did you mean `call`?"), lists of
 * allowed values, and the YAML slips of SPEC §1 (an expression split by YAML). Pure.
 */

import { knownKeys } from './schema-source.js';

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[rows - 1][cols - 1];
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a likely typo
 * (distance at most 1 for short words, 2 from five letters, 3 from nine).
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance === 0) return best; // differs only by letter case
  if (bestDistance <= limit) return best;
  // A long shared start is a likely slip too (`retries` for `retry`, `timeoutMs` for `timeout`).
  let byPrefix: string | undefined;
  let longest = 3;
  for (const candidate of candidates) {
    const shared = commonPrefixLength(word.toLowerCase(), candidate.toLowerCase());
    if (shared > longest && shared >= 0.6 * Math.min(word.length, candidate.length)) {
      byPrefix = candidate;
      longest = shared;
    }
  }
  return byPrefix;
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** `a`, `a` or `b`, `a`, `b` or `c` — each in backticks. */
export function listOf(values: readonly string[], conjunction = 'or'): string {
  const quoted = values.map((v) => `\`${v}\``);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted[quoted.length - 1]}`;
}

/** "did you mean `x`?" when a near candidate exists. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const match = nearest(word, candidates);
  return match === undefined ? undefined : `did you mean \`${match}\`?`;
}

/** Shortens a value for a message without echoing large user data. */
export function preview(value: unknown, max = 40): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * `call:inventory.reserve`: a key of the language glued to its value, which YAML reads as one
 * piece of text. The sentence to say so, or undefined when `text` is not such a slip.
 */
export function gluedKeyMessage(text: string): string | undefined {
  const glued = /^([A-Za-z]+):([^\s:/].*)$/.exec(text.trim());
  if (!glued || !knownKeys().has(glued[1])) return undefined;
  const value = preview(glued[2].trim());
  return `\`${glued[1]}:${value}\` is missing a space after the colon; write \`${glued[1]}: ${value}\``;
}

export const QUOTE_EXPRESSION_HINT =
  "put the expression in quotes — '${ … }' (single quotes keep double quotes inside as they are) — or write it as a block scalar: `key: |` followed by the expression on the next, indented line";

/** How many `[`/`{` are still open in `text` (quotes ignored: a rough count for one line). */
function openFlowBrackets(text: string): number {
  let depth = 0;
  for (const c of text) {
    if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return depth;
}

/**
 * Recognises the YAML slips around expressions from a YAML syntax error and the source line it
 * is on (SPEC §1). Returns a message and hint replacing YAML's own wording, and the offset of the
 * expression on that line, or undefined when the error is not about an expression.
 */
export function explainYamlError(
  code: string,
  text: string,
  offset: number,
): { message: string; hint: string; offset: number } | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEndRaw = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEndRaw < 0 ? text.length : lineEndRaw);
  // The expression the error is in: the last `${` at or before it, else the first on the line.
  const before = line.lastIndexOf('${', offset - lineStart + 1);
  const expressionAt = before >= 0 ? before : line.indexOf('${');
  if (expressionAt < 0) {
    if (code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'MULTILINE_IMPLICIT_KEY' || code === 'MISSING_CHAR') {
      const content = line.replace(/^\s*(?:-\s+)?/, '');
      const glued = gluedKeyMessage(content);
      if (glued) return { message: glued, hint: GLUED_HINT, offset: lineStart + line.length - content.length };
    }
    const indentation = explainIndentation(code, text, lineStart, line);
    if (indentation) return indentation;
    if (code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'MULTILINE_IMPLICIT_KEY') {
      return {
        message: 'a value contains `: `, which YAML reads as the start of a new key',
        hint: 'put the value in quotes, or write it as a block scalar (`key: |` and the text on the next, indented line)',
        offset,
      };
    }
    return undefined;
  }
  const at = lineStart + expressionAt;
  const quoted = /["']$/.test(line.slice(0, expressionAt).trimEnd());
  if (quoted) return undefined; // a quoted expression is not the problem
  if (openFlowBrackets(line.slice(0, expressionAt)) > 0) {
    return {
      message: 'an expression `${ … }` inside a `{ … }` or `[ … ]` list/map must be quoted: YAML read its braces as part of the map',
      hint: `write it as "\${ … }" (in quotes), or write the map in block style, one \`key: value\` per line`,
      // YAML stops at the `{` of `${`; that column is the one the docs show.
      offset: text[offset] === '{' && text[offset - 1] === '$' ? offset : at,
    };
  }
  if (code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'MULTILINE_IMPLICIT_KEY' || line.slice(expressionAt).includes(': ')) {
    return { message: 'this expression contains `: `, which YAML reads as the start of a new key', hint: QUOTE_EXPRESSION_HINT, offset: at };
  }
  return {
    message: 'YAML could not read this line: an unquoted expression contains characters YAML treats specially',
    hint: QUOTE_EXPRESSION_HINT,
    offset: at,
  };
}

export const GLUED_HINT = 'YAML needs `: ` (a colon and a space) between a key and its value; without the space it reads one piece of text';

const INDENT_HINT = 'keys of one map line up in the same column; a new list item starts with `- `';

/** Indentation slips: a key indented one space off, or a line indented under a value. */
function explainIndentation(code: string, text: string, lineStart: number, line: string): { message: string; hint: string; offset: number } | undefined {
  const indent = line.length - line.trimStart().length;
  if (code === 'MISSING_CHAR' && line.trim() !== '') {
    return { message: 'this line is not indented like the lines around it, so YAML cannot tell where it belongs', hint: INDENT_HINT, offset: lineStart + indent };
  }
  if (code !== 'BLOCK_AS_IMPLICIT_KEY' && code !== 'MULTILINE_IMPLICIT_KEY') return undefined;
  // `call: a.b` followed by a line indented deeper than `call`: YAML reads it as more of the value.
  const nextStart = text.indexOf('\n', lineStart) + 1;
  if (nextStart <= 0 || /:\s/.test(line.slice(line.indexOf(': ') + 2))) return undefined;
  const nextEnd = text.indexOf('\n', nextStart);
  const next = text.slice(nextStart, nextEnd < 0 ? text.length : nextEnd);
  const key = /^(\s*(?:-\s+)?)([^\s:#][^:#]*):\s/.exec(line);
  const nextIndent = next.length - next.trimStart().length;
  if (!key || !/^[^\s:#][^:#]*:(\s|$)/.test(next.trimStart()) || nextIndent <= key[1].length) return undefined;
  return {
    message: `this line is indented more than \`${key[2].trim()}:\` above it, so YAML reads it as part of that value`,
    hint: `line it up with \`${key[2].trim()}:\` (the same number of spaces)`,
    offset: nextStart + nextIndent,
  };
}
