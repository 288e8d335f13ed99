/**
 * Adding a step to the document, or rewriting one, without touching the rest of it. The `yaml`
 * package's Document API finds where the steps are (their source ranges) and writes the new step;
 * the edit is then one text change at that place, so every other byte (comments, blank lines,
 * quoting, flow maps) stays as the author wrote it. Pure.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, stringify, visit, type YAMLSeq } from 'yaml';
import { dataOf, schemaAt, type JsonSchema, type PathSegment } from './schema-help.js';

/** A change to the text: replace from..to with `insert` (from === to for an insertion). */
export interface TextEdit {
  readonly from: number;
  readonly to: number;
  readonly insert: string;
}

export interface StepInText {
  /** Path of the step in the document's data, e.g. ['steps', 2] or ['steps', 0, 'parallel', 1]. */
  readonly path: PathSegment[];
  readonly value: Record<string, unknown>;
  /** Source range of the step's map (from its first key to the end of its last value). */
  readonly from: number;
  readonly to: number;
}

function isStepList(root: JsonSchema, path: readonly PathSegment[], data: unknown): boolean {
  const item = schemaAt(root, [...path, 0], data);
  return item?.definition === 'step';
}

/** The innermost step whose lines hold `offset` (a step in any list of steps, nested ones included). */
export function stepAt(root: JsonSchema, text: string, offset: number): StepInText | undefined {
  const doc = parseDocument(text, { uniqueKeys: false });
  const data = dataOf(doc);
  let found: StepInText | undefined;
  visit(doc, {
    Seq(_key, seq, ancestors) {
      const path = pathOf(ancestors, seq);
      if (!isStepList(root, path, data)) return undefined;
      seq.items.forEach((item, index) => {
        if (!isMap(item) || !item.range) return;
        const [from, to] = item.range;
        // The step's first line starts at its `- `; its range starts at its first key.
        if (offset >= lineStart(text, from) && offset <= to) found = { path: [...path, index], value: item.toJSON() as Record<string, unknown>, from, to };
      });
      return undefined;
    },
  });
  return found;
}

function pathOf(ancestors: readonly unknown[], node: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const here = chain[i];
    if (isPair(here) && chain[i + 1] === here.value) path.push(String(isScalar(here.key) ? here.key.value : here.key));
    else if (isSeq(here)) path.push(here.items.indexOf(chain[i + 1] as never));
  }
  return path;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The step as YAML lines, the first after `firstPrefix` (e.g. `  - `), the others indented to `indent`. */
function render(step: Record<string, unknown>, firstPrefix: string, indent: number): string {
  const lines = stringify(step, { lineWidth: 0 }).replace(/\n$/, '').split('\n');
  return lines.map((line, i) => (i === 0 ? firstPrefix + line : line === '' ? '' : ' '.repeat(indent) + line)).join('\n');
}

/**
 * Inserts `step` after the step at `afterOffset` (the one the cursor is in), or at the end of the
 * flow's `steps:` when the cursor is in no step. Returns one text edit; only when the document
 * has no block list of steps to extend (`steps: []`, none at all) is the whole text rewritten.
 */
export function insertStep(root: JsonSchema, text: string, step: Record<string, unknown>, afterOffset?: number): TextEdit {
  const selected = afterOffset === undefined ? undefined : stepAt(root, text, afterOffset);
  const doc = parseDocument(text, { uniqueKeys: false });
  const listPath = selected ? selected.path.slice(0, -1) : ['steps'];
  const list = doc.getIn(listPath, true) as YAMLSeq | undefined;
  const index = selected ? Number(selected.path[selected.path.length - 1]) : (list && isSeq(list) ? list.items.length - 1 : -1);
  const anchor = list && isSeq(list) && !list.flow ? list.items[index] : undefined;
  if (!anchor || !isMap(anchor) || !anchor.range) {
    // Nothing to line up with: let the Document write the list (the rest may be reformatted).
    if (list && isSeq(list)) list.add(doc.createNode(step));
    else doc.setIn(['steps'], doc.createNode([step]));
    return { from: 0, to: text.length, insert: doc.toString({ lineWidth: 0 }) };
  }
  const [first, end] = anchor.range;
  const itemLine = lineStart(text, first);
  const prefix = text.slice(itemLine, first);
  const at = text[end - 1] === '\n' ? end : text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end) + 1;
  const needsNewline = at === text.length && !text.endsWith('\n');
  const firstPrefix = /^\s*-\s+$/.test(prefix) ? prefix : `${' '.repeat(Math.max(prefix.length - 2, 0))}- `;
  return { from: at, to: at, insert: `${needsNewline ? '\n' : ''}${render(step, firstPrefix, first - itemLine)}\n` };
}

/** Rewrites the step at `path` with `step`'s keys, leaving its `- ` and everything around it alone. */
export function replaceStep(text: string, path: readonly PathSegment[], step: Record<string, unknown>): TextEdit | undefined {
  const doc = parseDocument(text, { uniqueKeys: false });
  const node = doc.getIn(path, true);
  if (!isMap(node) || !node.range || node.flow) return undefined;
  const [first, end] = node.range;
  const indent = first - lineStart(text, first);
  const trailingNewline = text[end - 1] === '\n';
  return { from: first, to: end, insert: `${render(step, '', indent)}${trailingNewline ? '\n' : ''}` };
}

/** Applies an edit to a text. Pure. */
export function applyEdit(text: string, edit: TextEdit): string {
  return text.slice(0, edit.from) + edit.insert + text.slice(edit.to);
}
