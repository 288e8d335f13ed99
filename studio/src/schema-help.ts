/**
 * Help from the published schema (schema/workflow.schema.json) at a place in a YAML document: the
 * keys allowed there with their descriptions, the values a key takes, and the documentation of the
 * key under the pointer. Pure: the schema is handed in, the text is read with the `yaml` package's
 * Document API, which is tolerant of the half-typed line an author is in the middle of.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document } from 'yaml';

export interface JsonSchema {
  readonly $ref?: string;
  readonly title?: string;
  readonly description?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly definitions?: Readonly<Record<string, JsonSchema>>;
  /** Set by `resolve`: the definition this schema came from (`duration`, `step`, `signalName`…). */
  readonly definition?: string;
}

export type PathSegment = string | number;

/** One key or value to offer at the cursor. */
export interface Suggestion {
  readonly label: string;
  /** What it is, in a few words: `step kind`, `duration`, `whole number`… */
  readonly detail: string;
  /** The schema's description, in plain words (`code` spans marked with backticks). */
  readonly info: string;
  /** For keys: what follows the key when it is chosen (`: `, or a new indented line for maps and lists). */
  readonly shape?: 'scalar' | 'map' | 'list';
}

export interface Completion {
  /** Offset where the word being typed starts (the suggestion replaces from..offset). */
  readonly from: number;
  readonly kind: 'key' | 'value';
  /** The column of the key being typed (0-based), for indenting what follows it. */
  readonly keyColumn: number;
  readonly options: readonly Suggestion[];
}

export interface KeyHelp {
  readonly from: number;
  readonly to: number;
  readonly key: string;
  readonly title: string;
  readonly text: string;
}

/** Follows `$ref`s; a description or title beside a `$ref` describes this use, so it wins. */
export function resolve(root: JsonSchema, schema: JsonSchema | undefined): JsonSchema | undefined {
  let current = schema;
  for (let hops = 0; current?.$ref !== undefined && hops < 20; hops++) {
    const name = current.$ref.replace('#/definitions/', '');
    const target = root.definitions?.[name];
    if (!target) return undefined;
    const { $ref: _ref, ...beside } = current;
    current = { ...target, ...beside, definition: name };
  }
  return current;
}

/** The alternatives a value may take (`oneOf`/`anyOf` flattened), each resolved. */
function alternatives(root: JsonSchema, schema: JsonSchema | undefined): JsonSchema[] {
  const resolved = resolve(root, schema);
  if (!resolved) return [];
  const list = resolved.oneOf ?? resolved.anyOf;
  if (!list) return [resolved];
  return list.flatMap((branch) => alternatives(root, branch));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object alternatives that fit `value`: those whose required keys it has (all of them when none fits). */
function objectAlternatives(root: JsonSchema, schema: JsonSchema | undefined, value: unknown): JsonSchema[] {
  const objects = alternatives(root, schema).filter((s) => s.properties !== undefined || s.additionalProperties !== undefined);
  if (!isRecord(value)) return objects;
  const fitting = objects.filter((s) => (s.required ?? []).length > 0 && (s.required ?? []).every((key) => key in value));
  return fitting.length > 0 ? fitting : objects;
}

/** The schema of the value at `path` in `document` (the parsed data), or undefined when the schema does not say. */
export function schemaAt(root: JsonSchema, path: readonly PathSegment[], document: unknown): JsonSchema | undefined {
  let schema: JsonSchema | undefined = resolve(root, root);
  let value = document;
  for (const segment of path) {
    if (!schema) return undefined;
    schema = childSchema(root, schema, segment, value);
    value = Array.isArray(value) ? value[Number(segment)] : isRecord(value) ? value[String(segment)] : undefined;
  }
  return schema;
}

function childSchema(root: JsonSchema, schema: JsonSchema, segment: PathSegment, value: unknown): JsonSchema | undefined {
  if (typeof segment === 'number') {
    const list = alternatives(root, schema).find((s) => s.items !== undefined);
    return list ? resolve(root, list.items) : undefined;
  }
  const candidates = objectAlternatives(root, schema, value);
  for (const candidate of candidates) if (candidate.properties?.[segment]) return resolve(root, candidate.properties[segment]);
  for (const candidate of candidates) if (isRecord(candidate.additionalProperties)) return resolve(root, candidate.additionalProperties);
  return undefined;
}

/** What a schema is, in a few words. */
export function kindWords(root: JsonSchema, schema: JsonSchema | undefined): string {
  const all = alternatives(root, schema);
  if (all.some((s) => s.definition === 'duration')) return 'duration';
  if (all.some((s) => s.definition === 'stepList') || all.some((s) => s.items && resolve(root, s.items)?.definition === 'step')) return 'list of steps';
  if (all.some((s) => s.definition === 'condition')) return 'condition';
  const types = new Set(all.flatMap((s) => (s.type === undefined ? [] : typeof s.type === 'string' ? [s.type] : s.type)));
  if (all.some((s) => s.enum)) return 'one of a list';
  const words: Record<string, string> = { string: 'text', integer: 'whole number', number: 'number', boolean: 'yes or no', array: 'list', object: 'map' };
  return [...types].map((t) => words[t] ?? t).join(' or ') || 'any value';
}

function shapeOf(root: JsonSchema, schema: JsonSchema | undefined): 'scalar' | 'map' | 'list' {
  const all = alternatives(root, schema);
  const types = all.map((s) => s.type);
  if (all.length > 0 && types.every((t) => t === 'array')) return 'list';
  if (all.length > 0 && types.every((t) => t === 'object')) return 'map';
  return 'scalar';
}

/** A step kind's key and its words: from the step alternatives of the schema. */
export interface StepKind {
  readonly key: string;
  readonly title: string;
  readonly description: string;
  readonly schema: JsonSchema;
}

export function stepKinds(root: JsonSchema): StepKind[] {
  return alternatives(root, { $ref: '#/definitions/step' }).flatMap((branch) => {
    const key = branch.required?.[0];
    return key ? [{ key, title: branch.title ?? key, description: branch.description ?? '', schema: branch }] : [];
  });
}

/** The keys allowed in the map at `path` (holding `present`), not yet written, described. */
export function keysFor(root: JsonSchema, path: readonly PathSegment[], document: unknown, present: Record<string, unknown>): Suggestion[] {
  const schema = schemaAt(root, path, document);
  const candidates = objectAlternatives(root, schema, present);
  const out = new Map<string, Suggestion>();
  // When the kind is not chosen yet, each alternative's required key is a kind: offer it with the
  // alternative's words, with the keys every alternative shares (a kind's own keys come once it is chosen).
  const choosing = candidates.length > 1;
  const shared = (key: string): boolean => candidates.every((c) => c.properties?.[key] !== undefined);
  for (const candidate of candidates) {
    for (const [key, property] of Object.entries(candidate.properties ?? {})) {
      if (key in present || out.has(key) || key === '$schema') continue;
      if (choosing && candidate.required?.[0] !== key && !shared(key)) continue;
      const resolved = resolve(root, property);
      const isKind = choosing && candidate.required?.[0] === key;
      out.set(key, {
        label: key,
        detail: isKind ? (candidate.title ?? 'kind') : kindWords(root, resolved),
        info: isKind ? (candidate.description ?? '') : (resolved?.description ?? ''),
        shape: shapeOf(root, resolved),
      });
    }
  }
  // Required keys first; while the kind is not chosen, the kinds first.
  const first = new Set(choosing ? candidates.map((c) => c.required?.[0]) : candidates.length === 1 ? (candidates[0].required ?? []) : []);
  return [...out.values()].sort((a, b) => Number(first.has(b.label)) - Number(first.has(a.label)));
}

/** The values offered for the key at `path`: enum values, booleans, examples, the signals declared. */
export function valuesFor(root: JsonSchema, path: readonly PathSegment[], document: unknown): Suggestion[] {
  const schema = schemaAt(root, path, document);
  const out = new Map<string, Suggestion>();
  const add = (value: unknown, detail: string, info = ''): void => {
    if (typeof value === 'object' && value !== null) return;
    const label = String(value);
    if (label.includes('${') || out.has(label)) return;
    out.set(label, { label, detail, info });
  };
  for (const alternative of alternatives(root, schema)) {
    for (const value of alternative.enum ?? []) add(value, 'allowed value', alternative.description);
    if (alternative.const !== undefined) add(alternative.const, 'the only value');
    if (alternative.type === 'boolean' || (Array.isArray(alternative.type) && alternative.type.includes('boolean'))) {
      add(true, 'yes');
      add(false, 'no');
    }
    if (alternative.definition === 'signalName' && isRecord(document) && isRecord(document.signals)) {
      for (const name of Object.keys(document.signals)) add(name, 'declared signal', `The signal \`${name}\` declared under \`signals:\`.`);
    }
    for (const example of alternative.examples ?? []) add(example, alternative.definition === 'duration' ? 'duration' : 'example', alternative.description);
  }
  return [...out.values()];
}

const CURSOR = 'zzFlowlineCursorzz';
const KEY_BEFORE = /^(\s*(?:-\s+)*)([A-Za-z_$][\w$.-]*)?$/;
const VALUE_BEFORE = /^(\s*(?:-\s+)*)([A-Za-z_$][\w$.-]*):\s+([^\s#'"{[]*)$/;

/** The JSON path of a node, from the ancestors `visit` hands over (Pairs give keys, sequences indices). */
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

/**
 * What to offer at `offset`: keys of the map the line belongs to, or values of the key before the
 * cursor. The line is probed with a marker so that even `  - ` or `    ti` parse as a key in place.
 */
export function completionAt(root: JsonSchema, text: string, offset: number): Completion | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEndAt = text.indexOf('\n', offset);
  const lineEnd = lineEndAt === -1 ? text.length : lineEndAt;
  const before = text.slice(lineStart, offset);
  const valueMatch = VALUE_BEFORE.exec(before);
  const keyMatch = valueMatch ? null : KEY_BEFORE.exec(before);
  if (!valueMatch && !keyMatch) return undefined;
  const word = (valueMatch ? valueMatch[3] : keyMatch?.[2]) ?? '';
  const probe = `${text.slice(0, lineStart)}${before}${CURSOR}${keyMatch ? ':' : ''}${text.slice(lineEnd)}`;
  const doc = parseDocument(probe, { uniqueKeys: false });
  let found: { path: PathSegment[]; isKey: boolean; map: unknown } | undefined;
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes(CURSOR)) return undefined;
      const parent = ancestors[ancestors.length - 1];
      if (!isPair(parent)) return visit.BREAK;
      const isKey = parent.key === node;
      const map = ancestors[ancestors.length - 2];
      found = { path: isKey ? pathOf(ancestors.slice(0, -2), map) : pathOf(ancestors, node), isKey, map };
      return visit.BREAK;
    },
  });
  if (!found) return undefined;
  const data = dataOf(doc);
  const from = offset - word.length;
  const keyColumn = (valueMatch ?? keyMatch)?.[1].length ?? 0;
  if (found.isKey) {
    const present = isMap(found.map) ? (found.map.toJSON() as Record<string, unknown>) : {};
    for (const key of Object.keys(present)) if (key.includes(CURSOR)) delete present[key];
    return { from, kind: 'key', keyColumn, options: keysFor(root, found.path, data, present) };
  }
  return { from, kind: 'value', keyColumn, options: valuesFor(root, found.path, data) };
}

/** The document's data for schema lookups (undefined when it cannot be built, e.g. an alias bomb). */
export function dataOf(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

/** The documentation of the key at `offset`, or undefined when the pointer is not on a key the schema knows. */
export function helpAt(root: JsonSchema, text: string, offset: number): KeyHelp | undefined {
  const doc = parseDocument(text, { uniqueKeys: false });
  const data = dataOf(doc);
  let help: KeyHelp | undefined;
  visit(doc, {
    Pair(_key, pair, ancestors) {
      if (!isScalar(pair.key) || !pair.key.range) return undefined;
      const [from, to] = pair.key.range;
      if (offset < from || offset > to) return undefined;
      const key = String(pair.key.value);
      const map = ancestors[ancestors.length - 1];
      const mapPath = pathOf(ancestors.slice(0, -1), map);
      const mapValue = isMap(map) ? map.toJSON() : {};
      const owner = schemaAt(root, mapPath, data);
      const property = schemaAt(root, [...mapPath, key], data);
      if (!property?.description) return visit.BREAK;
      const kind = alternatives(root, owner).length > 1 ? objectAlternatives(root, owner, mapValue).find((s) => s.title && s.required?.[0] === key) : undefined;
      const text = kind?.description ? `${kind.description}\n\n${property.description}` : property.description;
      help = { from, to, key, title: kind?.title ? `${key} — ${kind.title}` : `${key} (${kindWords(root, property)})`, text };
      return visit.BREAK;
    },
  });
  return help;
}
