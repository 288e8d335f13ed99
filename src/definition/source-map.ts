/** Finds where a JSON pointer, or a character inside a string value, sits in the YAML source. Pure. */
import { isAlias, isMap, isPair, isScalar, isSeq, Scalar, type Node } from 'yaml';
import type { ParsedSource } from './parse.js';
import { pointerTokens } from './raw-data.js';

/** A 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

interface Found {
  readonly node: Node | null;
  readonly key: Node | null;
  /** False when the pointer leads outside the tree; `node` is then the deepest ancestor found. */
  readonly exact: boolean;
}

function resolve(source: ParsedSource, node: unknown): unknown {
  return isAlias(node) ? node.resolve(source.doc) : node;
}

/** The syntax node at `pointer` (and the key node of its member), or the nearest ancestor. */
function find(source: ParsedSource, pointer: string): Found {
  let node = resolve(source, source.doc.contents) as Node | null;
  let key: Node | null = null;
  for (const token of pointerTokens(pointer)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === token);
      if (!pair) return { node, key, exact: false };
      key = pair.key as Node | null;
      // A key without a value (`retry:`) has no value node: the key is the best place.
      node = (resolve(source, pair.value) as Node | null) ?? key;
    } else if (isSeq(node)) {
      const item = node.items[Number(token)];
      if (item === undefined || !/^\d+$/.test(token)) return { node, key, exact: false };
      key = null;
      node = resolve(source, item) as Node | null;
    } else return { node, key, exact: false };
  }
  return { node, key, exact: true };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  return undefined;
}

/**
 * Character offset for an issue at `pointer`: the key of that member when `at` is `key`, else
 * the start of its value (for a missing member, its parent). Pure.
 */
export function offsetOf(source: ParsedSource, pointer: string, at: 'key' | 'value' = 'value'): number {
  const found = find(source, pointer);
  if (at === 'key' && found.exact && found.key?.range) return found.key.range[0];
  if (found.node?.range) return found.node.range[0];
  return 0;
}

/** 1-based line and column of a character offset. Pure. */
export function positionAt(source: ParsedSource, offset: number): Position {
  const { line, col } = source.lineCounter.linePos(Math.max(0, Math.min(offset, source.text.length)));
  return { line, column: col };
}

/**
 * Offset in the source of character `index` of the string value at `pointer`. Exact for plain,
 * single-line quoted and literal block (`|`) scalars; the start of the scalar otherwise.
 */
export function offsetInString(source: ParsedSource, pointer: string, index: number): number {
  const found = find(source, pointer);
  const node = found.node;
  if (!found.exact || !isScalar(node) || !node.range || typeof node.value !== 'string') return offsetOf(source, pointer);
  const start = node.range[0];
  const raw = source.text.slice(start, node.range[1]);
  switch (node.type) {
    case Scalar.PLAIN:
      return raw.includes('\n') ? start + mapFolded(raw, index) : start + index;
    case Scalar.QUOTE_SINGLE:
    case Scalar.QUOTE_DOUBLE: {
      if (raw.includes('\n')) return start;
      const escapes = node.type === Scalar.QUOTE_SINGLE ? /''/ : /\\/;
      // Before the first escape, characters map one to one.
      const firstEscape = raw.slice(1).search(escapes);
      return firstEscape < 0 || index < firstEscape ? start + 1 + index : start;
    }
    case Scalar.BLOCK_LITERAL:
      return start + mapLiteralBlock(raw, index);
    default:
      return start;
  }
}

/** Offset inside a plain scalar spread over lines (each line break folded to one space). */
function mapFolded(raw: string, index: number): number {
  let consumed = 0;
  let pos = 0;
  const lines = raw.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i === 0 ? lines[i] : lines[i].replace(/^\s+/, '');
    const lead = i === 0 ? 0 : lines[i].length - line.length;
    if (index <= consumed + line.length) return pos + lead + (index - consumed);
    consumed += line.length + 1;
    pos += lines[i].length + 1;
  }
  return 0;
}

/** Offset inside a `|` block scalar: its header line, then indented content lines. */
function mapLiteralBlock(raw: string, index: number): number {
  const headerEnd = raw.indexOf('\n');
  if (headerEnd < 0) return 0;
  const body = raw.slice(headerEnd + 1);
  const lines = body.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  let consumed = 0;
  let pos = headerEnd + 1;
  for (const line of lines) {
    const content = line.slice(Math.min(indent, line.length));
    if (index <= consumed + content.length) return pos + Math.min(indent, line.length) + (index - consumed);
    consumed += content.length + 1;
    pos += line.length + 1;
  }
  return headerEnd + 1;
}

/** Start and end offsets of the node at `pointer` (its nearest ancestor when missing). Pure. */
export function spanOf(source: ParsedSource, pointer: string): { readonly start: number; readonly end: number } {
  const found = find(source, pointer);
  const range = found.node?.range;
  return range ? { start: found.key?.range?.[0] ?? range[0], end: range[1] } : { start: 0, end: 0 };
}
