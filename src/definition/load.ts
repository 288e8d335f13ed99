/**
 * The loader: YAML or JSON text → a validated, normalised, frozen WorkflowDefinition, or every
 * problem at once as a DefinitionInvalidError (issues sorted by line and column).
 */
import { readFile, stat } from 'node:fs/promises';
import { DefinitionInvalidError, type ValidationIssue } from '../errors.js';
import type { WorkflowDefinition } from './types.js';
import type { RawIssue } from './issue.js';
import { MAX_SOURCE_BYTES, parseSource, type ParsedSource } from './parse.js';
import { offsetInString, offsetOf, positionAt } from './source-map.js';
import { isRecord } from './raw-data.js';
import { checkSchema } from './schema-check.js';
import { checkSemantics } from './semantic-check.js';
import { checkActivities } from './activity-check.js';
import { normalise } from './normalise.js';

/** Options of loadDefinition / validateDefinition. */
export interface LoadOptions {
  /** Shown in issues (`file:line:col`). */
  readonly file?: string;
  /** When given, `call`s of activities not in this set are problems (`flowline validate --activities`). */
  readonly activities?: Iterable<string>;
  /** Where the activities come from, for messages (e.g. the module path). */
  readonly activitiesSource?: string;
}

/** The outcome of validating one document: a definition when there is no issue. */
export interface ValidationResult {
  readonly definition?: WorkflowDefinition;
  readonly issues: readonly ValidationIssue[];
}

/** Validates and normalises a document; never throws for a bad document. Pure. */
export function validateDefinition(text: string, options: LoadOptions = {}): ValidationResult {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const { parsed, issues: parseIssues } = parseSource(text);
  if (!parsed) return { issues: finish(parseIssues.map((raw) => placeByOffset(raw, text, options.file))) };
  const document = parsed.value;
  if (!isRecord(document)) {
    const issue: RawIssue = {
      pointer: '',
      message: 'a workflow document is a map of keys (`dsl:`, `name:`, `version:`, `steps:` …), not a single value or a list',
      hint: 'start with `dsl: flowline/v1` on the first line',
    };
    return { issues: finish([place(issue, parsed, options.file)]) };
  }
  const raw: RawIssue[] = [...checkSchema(document), ...checkSemantics(document)];
  if (options.activities) raw.push(...checkActivities(document, new Set(options.activities), options.activitiesSource));
  if (raw.length > 0) return { issues: finish(raw.map((issue) => place(issue, parsed, options.file))) };
  return { definition: normalise(document), issues: [] };
}

/**
 * Loads a document: the frozen definition, or throws DefinitionInvalidError with every issue.
 * Pure (no I/O).
 */
export function loadDefinition(text: string, options: LoadOptions = {}): WorkflowDefinition {
  const { definition, issues } = validateDefinition(text, options);
  if (!definition) throw new DefinitionInvalidError(issues, options.file);
  return definition;
}

/**
 * Reads a file as UTF-8 text, refusing files over 1 MiB (without reading them), binary files and
 * invalid UTF-8. Returns the text, or the issue that stopped it. Reads the file system.
 */
export async function readSource(path: string): Promise<{ text?: string; issue?: ValidationIssue }> {
  const fail = (message: string, hint?: string): { issue: ValidationIssue } => ({
    issue: { file: path, line: 1, column: 1, pointer: '', message, ...(hint ? { hint } : {}) },
  });
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return fail('this is a directory, not a workflow file');
    size = info.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? 'error'})`);
  }
  if (size > MAX_SOURCE_BYTES) {
    return fail(`the file is ${Math.ceil(size / 1024)} KiB, larger than ${MAX_SOURCE_BYTES / 1024} KiB, the most a workflow may be`, 'split it into child workflows (`workflow:` steps)');
  }
  const bytes = await readFile(path);
  if (bytes.includes(0)) return fail('this is not a text file (it holds binary data); a workflow is YAML or JSON text in UTF-8');
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return fail('the file is not valid UTF-8 text', 'save it as UTF-8');
  }
}

/** validateDefinition for a file (reads it; never throws for a bad or missing file). */
export async function validateDefinitionFile(path: string, options: Omit<LoadOptions, 'file'> = {}): Promise<ValidationResult> {
  const { text, issue } = await readSource(path);
  if (text === undefined) return { issues: [issue!] };
  return validateDefinition(text, { ...options, file: path });
}

/** loadDefinition for a file: the definition, or throws DefinitionInvalidError. Reads the file. */
export async function loadDefinitionFile(path: string, options: Omit<LoadOptions, 'file'> = {}): Promise<WorkflowDefinition> {
  const { definition, issues } = await validateDefinitionFile(path, options);
  if (!definition) throw new DefinitionInvalidError(issues, path);
  return definition;
}

function place(raw: RawIssue, source: ParsedSource, file: string | undefined): ValidationIssue {
  let offset: number;
  if (raw.offset !== undefined) offset = raw.offset;
  else if (raw.stringIndex !== undefined) offset = offsetInString(source, raw.pointer, raw.stringIndex);
  else offset = offsetOf(source, raw.pointer, raw.at);
  const { line, column } = positionAt(source, offset);
  let hint = raw.hint;
  if (raw.related) {
    const related = positionAt(source, offsetOf(source, raw.related.pointer));
    hint = `${hint ? `${hint}; ` : ''}${raw.related.label} on line ${related.line}`;
  }
  return issue(file, line, column, raw.pointer, raw.message, hint);
}

/** For problems found before a syntax tree exists: line and column counted in the text. */
function placeByOffset(raw: RawIssue, text: string, file: string | undefined): ValidationIssue {
  const offset = Math.min(raw.offset ?? 0, text.length);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return issue(file, line, column, raw.pointer, raw.message, raw.hint);
}

function issue(file: string | undefined, line: number, column: number, pointer: string, message: string, hint: string | undefined): ValidationIssue {
  return { ...(file !== undefined ? { file } : {}), line, column, pointer, message, ...(hint ? { hint } : {}) };
}

/** Sorted by position, identical issues merged. */
function finish(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.message.localeCompare(b.message))
    .filter((i) => {
      const key = `${i.line}:${i.column}:${i.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
