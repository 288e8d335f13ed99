/**
 * Text → plain data plus the YAML syntax tree that gives positions back. Refuses hostile input
 * early and cheaply: oversize text, binary data, alias bombs, deep nesting, duplicate keys. Pure.
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { RawIssue } from './issue.js';
import { explainYamlError } from './hints.js';
import { TAB_HINT, TAB_MESSAGE, tabIndentation } from './tab-indentation.js';

/** Largest document accepted, in bytes of UTF-8 (SPEC: "files over 1 MiB are refused"). */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** Deepest nesting of maps and lists accepted. */
export const MAX_NESTING = 64;
/** Most alias expansions (`*name`) accepted when building the data; stops "billion laughs". */
export const MAX_ALIASES = 100;
/** Longest run of indentation and `- ` at a line start: bounds nesting before the YAML parser sees it. */
const MAX_LINE_PREFIX = 400;

/** A parsed document: the data and what is needed to find positions in the source. */
export interface ParsedSource {
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** Plain JSON-like data (objects keep keys such as `__proto__` as own data properties). */
  readonly value: unknown;
}

/** Parses YAML or JSON text. Pure. Returns issues (with offsets) instead of throwing. */
export function parseSource(input: string): { parsed?: ParsedSource; issues: RawIssue[] } {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const refusal = refuseEarly(text);
  if (refusal) return { issues: [refusal] };

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    version: '1.2',
    merge: false,
    keepSourceTokens: false,
  });
  const issues = yamlProblems(doc, text);
  if (issues.length > 0) return { issues };
  if (doc.contents === null) return { issues: [{ pointer: '', offset: 0, message: 'the document is empty (it holds only comments)', hint: EMPTY_HINT }] };

  const structural = checkTree(doc.contents as Node);
  if (structural) return { issues: [structural] };
  const cut = expressionsCutByComments(doc.contents as Node);
  if (cut.length > 0) return { issues: cut };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    if (error instanceof ReferenceError) {
      return {
        issues: [
          {
            pointer: '',
            offset: 0,
            message: `the document expands YAML aliases (\`*name\`) more than ${MAX_ALIASES} times; this is refused to protect the server`,
            hint: 'write the repeated parts out, or use fewer aliases',
          },
        ],
      };
    }
    throw error;
  }
  return { parsed: { text, doc, lineCounter, value }, issues: [] };
}

const EMPTY_HINT = 'a workflow starts with `dsl: flowline/v1`, `name:`, `version:` and `steps:`';

/** Size, binary content, emptiness and a cheap nesting bound, checked before parsing. */
function refuseEarly(text: string): RawIssue | undefined {
  // A UTF-16 code unit is 1–3 UTF-8 bytes: only measure exactly when it can matter.
  if (text.length > MAX_SOURCE_BYTES / 3 && Buffer.byteLength(text, 'utf8') > MAX_SOURCE_BYTES) {
    return {
      pointer: '',
      offset: 0,
      message: `the document is larger than ${MAX_SOURCE_BYTES / 1024} KiB, the most a workflow may be`,
      hint: 'split it into child workflows (`workflow:` steps), or move large data out of the document',
    };
  }
  const control = /[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.exec(text);
  if (control) {
    return {
      pointer: '',
      offset: control.index,
      message: 'this is not a text file (it holds binary or control characters); a workflow is YAML or JSON text in UTF-8',
    };
  }
  if (text.trim() === '') return { pointer: '', offset: 0, message: 'the document is empty', hint: EMPTY_HINT };
  const deep = tooDeepAt(text);
  if (deep >= 0) {
    return {
      pointer: '',
      offset: deep,
      message: `the document is nested too deeply (more than ${MAX_NESTING} levels)`,
      hint: 'flatten the structure, or split it into child workflows',
    };
  }
  return undefined;
}

/** Offset where flow brackets or line-start indentation exceed the bound; -1 when fine. O(n). */
function tooDeepAt(text: string): number {
  let flowDepth = 0;
  let atLineStart = true;
  let prefix = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      atLineStart = true;
      prefix = 0;
      continue;
    }
    if (atLineStart) {
      // space, tab, '-', '?', ':' make up the indentation and block indicators of a line.
      if (c === 32 || c === 9 || c === 45 || c === 63 || c === 58) {
        if (++prefix > MAX_LINE_PREFIX) return i;
        continue;
      }
      atLineStart = false;
    }
    if (c === 91 || c === 123) {
      if (++flowDepth > MAX_NESTING + 16) return i;
    } else if ((c === 93 || c === 125) && flowDepth > 0) flowDepth--;
  }
  return -1;
}

/** YAML errors and warnings as issues: the first per line (later ones on a line are echoes). */
function yamlProblems(doc: Document.Parsed, text: string): RawIssue[] {
  const issues: RawIssue[] = [];
  const problems = [...doc.errors, ...doc.warnings].sort((a, b) => a.pos[0] - b.pos[0]);
  const tab = problems.length > 0 ? tabIndentation(text, problems[0].pos[0]) : undefined;
  const seenLines = new Set<number>();
  let slipped = false;
  let flowContextLost = false;
  for (const error of problems) {
    const offset = error.pos[0];
    // From a tab-indented line on, YAML's reading of the structure is lost: its errors there are echoes.
    if (tab && offset >= tab.lineStart) {
      issues.push(tab.issue);
      break;
    }
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    if (seenLines.has(lineStart)) continue;
    const slip = explainYamlError(error.code, text, offset);
    // After an expression slip YAML loses the structure: its "unexpected token" errors on the
    // following lines are echoes of the same mistake, not new ones.
    if (!slip && slipped && error.code === 'UNEXPECTED_TOKEN') continue;
    // An unquoted `${` inside a flow map/list leaves YAML in flow context up to the end of the
    // document: every later error is an echo, so report that one mistake only.
    if (flowContextLost) break;
    seenLines.add(lineStart);
    if (slip) {
      slipped = true;
      flowContextLost = slip.message.includes('inside a `{ … }`');
      issues.push({ pointer: '', ...slip });
    } else issues.push({ pointer: '', offset, ...describeYamlProblem(error.code, error.message) });
  }
  return issues;
}

function describeYamlProblem(code: string, message: string): { message: string; hint?: string } {
  switch (code) {
    case 'DUPLICATE_KEY':
      return { message: 'this key appears twice in the same map', hint: 'keep one of them: YAML would silently drop the other; if it starts a new step, begin that step with `- `' };
    case 'MULTIPLE_DOCS':
      return { message: 'the file holds more than one YAML document (a second `---`)', hint: 'put each workflow in its own file' };
    case 'TAG_RESOLVE_FAILED':
      return { message: 'custom YAML tags (`!something`) are not supported', hint: 'remove the tag and write the value itself' };
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return { message: `YAML syntax: ${lowerFirst(message)}`, hint: 'check the indentation: items of one list or map must start in the same column' };
    case 'TAB_AS_INDENT':
      return { message: TAB_MESSAGE, hint: TAB_HINT };
    case 'BAD_DQ_ESCAPE':
      return { message: `YAML syntax: ${lowerFirst(message)}`, hint: 'inside double quotes a backslash starts an escape; use single quotes, or write `\\\\` for a backslash' };
    default:
      return { message: `YAML syntax: ${lowerFirst(message)}` };
  }
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}

/** Nesting depth and map keys that are not plain scalars; the first problem found. */
function checkTree(root: Node): RawIssue | undefined {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isMap(node) || isSeq(node)) {
      if (depth > MAX_NESTING) {
        return {
          pointer: '',
          offset: node.range?.[0] ?? 0,
          message: `the document is nested too deeply (more than ${MAX_NESTING} levels)`,
          hint: 'flatten the structure, or split it into child workflows',
        };
      }
      for (const item of node.items) {
        if (isPair(item)) {
          if (item.key !== null && !isScalar(item.key) && !isAlias(item.key)) {
            const at = (item.key as Node).range?.[0] ?? 0;
            return { pointer: '', offset: at, message: 'a map key must be plain text, not a list or a map', hint: 'write the key as text' };
          }
          stack.push({ node: item.value, depth: depth + 1 });
        } else stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Plain values that YAML cut at ` #` (the start of a comment) where the "comment" holds an
 * expression: `note: Order #${ $input.id }` reads as `note: Order` and loses the rest silently.
 */
function expressionsCutByComments(root: Node): RawIssue[] {
  const issues: RawIssue[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item)) stack.push(item.value);
        else stack.push(item);
      }
    } else if (isScalar(node) && node.type === 'PLAIN' && typeof node.comment === 'string' && node.comment.includes('${')) {
      issues.push({
        pointer: '',
        offset: node.range?.[1] ?? 0,
        message: 'YAML read ` #` as the start of a comment, so the expression after it was dropped from this value',
        hint: "put the whole value in quotes, e.g. 'Order #${ $input.id }', or write it as a block scalar (`key: |`)",
      });
    }
  }
  return issues;
}
