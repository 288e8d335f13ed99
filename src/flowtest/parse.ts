/**
 * Reads a flow test file (`*.test.yaml`) and validates it against the flow test schema, reporting
 * every problem as `file:line:col  message  (hint)` like `flowline validate` does.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parseSource, type ParsedSource } from '../definition/parse.js';
import { offsetOf, positionAt } from '../definition/source-map.js';
import { didYouMean } from '../definition/hints.js';
import { FLOW_TEST_SCHEMA } from './schema.js';
import type { FlowTestFile } from './types.js';

/** A test file that cannot be used: every problem, already formatted for people. */
export class FlowTestInvalidError extends Error {
  readonly type = 'FlowTestInvalid';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.join('\n')}`);
    this.name = 'FlowTestInvalid';
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(FLOW_TEST_SCHEMA);

/** Allowed keys at each level, for "did you mean" hints on unknown keys. */
function allowedKeys(schemaPath: string): string[] {
  if (schemaPath.includes('/expect/')) return Object.keys(FLOW_TEST_SCHEMA.properties.cases.items.properties.expect.properties);
  if (schemaPath.includes('/signals/')) return ['name', 'data'];
  if (schemaPath.includes('/error/')) return ['type', 'message', 'details', 'nonRetryable'];
  if (schemaPath.includes('/cases/')) return Object.keys(FLOW_TEST_SCHEMA.properties.cases.items.properties);
  return Object.keys(FLOW_TEST_SCHEMA.properties);
}

function describe(error: ErrorObject): { pointer: string; message: string; hint?: string; at: 'key' | 'value' } {
  const where = error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const hint = didYouMean(key, allowedKeys(error.schemaPath));
      return { pointer: `${where}/${key}`, message: `unknown key \`${key}\``, at: 'key', ...(hint ? { hint } : {}) };
    }
    case 'required':
      return {
        pointer: where,
        message: `missing \`${String((error.params as { missingProperty: string }).missingProperty)}\``,
        at: 'value',
      };
    case 'oneOf':
    case 'anyOf':
      if (where.includes('/mocks/')) {
        return {
          pointer: where,
          message: 'a mock must be `{ output: … }`, `{ error: { type, message } }`, or a list of those',
          at: 'value',
        };
      }
      return { pointer: where, message: error.message ?? 'invalid value', at: 'value' };
    case 'enum':
      return {
        pointer: where,
        message: `\`${where.split('/').pop() ?? ''}\` must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`,
        at: 'value',
      };
    default:
      return { pointer: where, message: `${where.split('/').pop() || 'document'} ${error.message ?? 'is invalid'}`, at: 'value' };
  }
}

/**
 * One message per real mistake: a bad mock gets a single "a mock must be …" line whatever ajv
 * found inside it, and the alternatives of an anyOf (e.g. "must be null") are dropped when a more
 * precise error sits at or under the same place.
 */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const out: ErrorObject[] = [];
  const mockPlaces = new Set<string>();
  for (const error of errors) {
    const parts = error.instancePath.split('/');
    if (parts[3] === 'mocks' && parts.length >= 5) {
      const place = parts.slice(0, 5).join('/');
      if (!mockPlaces.has(place)) out.push({ ...error, instancePath: place, keyword: 'anyOf' });
      mockPlaces.add(place);
      continue;
    }
    const alternative = error.keyword === 'anyOf' || error.keyword === 'oneOf' || /\/(anyOf|oneOf)\/\d+\/type$/.test(error.schemaPath);
    const precise = errors.some(
      (other) => other !== error && other.keyword !== 'anyOf' && other.keyword !== 'oneOf' && other.keyword !== 'type' && other.instancePath.startsWith(error.instancePath),
    );
    if (alternative && precise) continue;
    out.push(error);
  }
  return out;
}

function format(file: string, source: ParsedSource | undefined, pointer: string, message: string, hint: string | undefined, at: 'key' | 'value'): string {
  const position = source ? positionAt(source, offsetOf(source, pointer, at)) : { line: 1, column: 1 };
  return `${file}:${position.line}:${position.column}  ${message}${hint ? `  (${hint})` : ''}`;
}

/** 1-based line and column of a character offset in `text`. Pure. */
function positionInText(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/** Parse and validate test file text. Pure. Throws FlowTestInvalidError listing every problem. */
export function parseFlowTest(text: string, file: string): FlowTestFile {
  const { parsed, issues } = parseSource(text);
  if (issues.length > 0) {
    throw new FlowTestInvalidError(
      file,
      issues.map((i) => {
        const position =
          i.offset !== undefined ? positionInText(text, i.offset) : parsed ? positionAt(parsed, offsetOf(parsed, i.pointer, i.at ?? 'value')) : { line: 1, column: 1 };
        return `${file}:${position.line}:${position.column}  ${i.message}${i.hint ? `  (${i.hint})` : ''}`;
      }),
    );
  }
  if (!parsed) throw new FlowTestInvalidError(file, [`${file}:1:1  cannot be read as YAML`]);
  if (!validate(parsed.value)) {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const error of relevant(validate.errors ?? [])) {
      const d = describe(error);
      const line = format(file, parsed, d.pointer, d.message, d.hint, d.at);
      if (!seen.has(line)) problems.push(line);
      seen.add(line);
    }
    throw new FlowTestInvalidError(file, problems);
  }
  const value = parsed.value as { flow: string; cases: FlowTestFile['cases'] };
  const names = new Set<string>();
  const duplicates = value.cases
    .map((c, index) => ({ c, index }))
    .filter(({ c }) => (names.has(c.name) ? true : (names.add(c.name), false)))
    .map(({ c, index }) => format(file, parsed, `/cases/${index}/name`, `two cases are named "${c.name}"`, 'give every case its own name', 'value'));
  if (duplicates.length) throw new FlowTestInvalidError(file, duplicates);
  return { file, flowPath: resolve(dirname(resolve(file)), value.flow), cases: value.cases };
}

/** Read and validate a test file. Throws FlowTestInvalidError (unreadable, not YAML, or not a valid test file). */
export async function readFlowTest(file: string): Promise<FlowTestFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FlowTestInvalidError(file, [`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
  return parseFlowTest(text, file);
}
