/**
 * Validates run inputs and signal payloads against the JSON Schemas a definition declares, and
 * checks those schemas themselves at load. Validators are compiled once per definition digest
 * and kept in a bounded cache (the runtimes call checkInput / checkSignalPayload on every start
 * and signal).
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import * as formatsModule from 'ajv-formats';
import type { ValidationIssue } from '../errors.js';
import type { WorkflowDefinition } from './types.js';
import type { RawIssue } from './issue.js';
import { didYouMean, listOf, preview } from './hints.js';
import { valueAt } from './raw-data.js';

type FormatsPlugin = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS: its function is the module itself or its `default`, depending on the loader.
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as unknown as FormatsPlugin;

const USER_SCHEMA_OPTIONS: Options = { allErrors: true, strict: false, allowUnionTypes: true };

function newAjv(): Ajv {
  return addFormats(new Ajv(USER_SCHEMA_OPTIONS));
}

let checker: Ajv | undefined;

/** The dialect user schemas are read in (the same as the workflow schema's). */
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;

/** Problems per schema text: documents are loaded again and again with the same schemas. Bounded. */
const schemaProblemCache = new Map<string, RawIssue[]>();
const SCHEMA_PROBLEM_CACHE_LIMIT = 1000;

/**
 * Problems of a JSON Schema embedded in a document (`input.schema`, `signals.*.schema`), with
 * pointers into the document. Pure apart from a shared, emptied-after-use ajv instance and a
 * bounded cache of results.
 */
export function jsonSchemaProblems(schema: unknown, pointer: string): RawIssue[] {
  const key = JSON.stringify(schema);
  let relative = schemaProblemCache.get(key);
  if (!relative) {
    relative = schemaProblems(schema);
    if (schemaProblemCache.size >= SCHEMA_PROBLEM_CACHE_LIMIT) schemaProblemCache.clear();
    schemaProblemCache.set(key, relative);
  }
  return relative.map((issue) => ({ ...issue, pointer: pointer + issue.pointer }));
}

/** Problems of one schema, with pointers relative to it. */
function schemaProblems(schema: unknown): RawIssue[] {
  const pointer = '';
  checker ??= newAjv();
  const dialect = (schema as { $schema?: unknown }).$schema;
  if (dialect !== undefined && !DRAFT_07.test(String(dialect))) {
    return [
      {
        pointer: `${pointer}/$schema`,
        message: `Flowline reads JSON Schema draft-07, not \`${preview(String(dialect), 60)}\``,
        hint: 'remove `$schema`, or set it to `http://json-schema.org/draft-07/schema#`',
      },
    ];
  }
  let valid: boolean;
  try {
    valid = checker.validateSchema(schema as object) as boolean;
  } catch (error) {
    return [{ pointer, message: `invalid JSON Schema: ${(error as Error).message.split('\n')[0]}` }];
  }
  if (!valid) {
    return reduce(checker.errors ?? []).map((error) => ({
      pointer: pointer + error.instancePath,
      message: `invalid JSON Schema: ${schemaErrorText(error)}`,
      hint: schemaErrorHint(error, valueAt(schema, error.instancePath)),
    }));
  }
  try {
    checker.compile(schema as object);
    return [];
  } catch (error) {
    return [{ pointer, message: `invalid JSON Schema: ${(error as Error).message}` }];
  } finally {
    checker.removeSchema(schema as object);
  }
}

function schemaErrorText(error: ErrorObject): string {
  const at = error.instancePath ? `\`${error.instancePath.slice(error.instancePath.lastIndexOf('/') + 1)}\` ` : '';
  if (error.keyword === 'enum') return `${at}must be one of ${listOf((error.params.allowedValues as unknown[]).map(String))}`;
  return `${at}${error.message ?? 'is not valid'}`;
}

function schemaErrorHint(error: ErrorObject, data: unknown): string | undefined {
  if (error.keyword === 'enum' && typeof data === 'string') return didYouMean(data, (error.params.allowedValues as unknown[]).map(String));
  return undefined;
}

/** Drops union summaries, and type errors where a sibling branch says more. */
function reduce(errors: readonly ErrorObject[]): ErrorObject[] {
  const specific = new Set(errors.filter((e) => e.keyword !== 'type' && e.keyword !== 'anyOf' && e.keyword !== 'oneOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') return false;
    if (e.keyword === 'type' && specific.has(e.instancePath)) return false;
    const key = `${e.instancePath}|${e.keyword}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface DefinitionValidators {
  readonly ajv: Ajv;
  input?: ValidateFunction | null;
  readonly signals: Map<string, ValidateFunction | null>;
}

/** Most definitions whose validators are kept; the least recently used are dropped first. */
const CACHE_LIMIT = 256;
const cache = new Map<string, DefinitionValidators>();

function validatorsOf(definition: WorkflowDefinition): DefinitionValidators {
  let entry = cache.get(definition.digest);
  if (entry) {
    cache.delete(definition.digest); // re-insert: Map order is the recency order
  } else {
    // One ajv per definition: user schemas may reuse `$id`s that must not collide across definitions.
    entry = { ajv: newAjv(), signals: new Map() };
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  }
  cache.set(definition.digest, entry);
  return entry;
}

/**
 * Problems of a run input against the definition's `input.schema` (empty when it matches or
 * there is none). Side effect: compiles and caches the validator on first use.
 */
export function checkInput(definition: WorkflowDefinition, input: unknown): ValidationIssue[] {
  if (!definition.inputSchema) return [];
  const entry = validatorsOf(definition);
  if (entry.input === undefined) entry.input = entry.ajv.compile(definition.inputSchema);
  return run(entry.input, input, 'input');
}

/**
 * Problems of a signal payload: the signal must be declared and its payload match its schema.
 * Side effect: compiles and caches the validator on first use.
 */
export function checkSignalPayload(definition: WorkflowDefinition, name: string, data: unknown): ValidationIssue[] {
  if (!Object.prototype.hasOwnProperty.call(definition.signals, name)) {
    const declared = Object.keys(definition.signals);
    return [
      {
        pointer: '',
        message: `signal "${name}" is not declared by ${definition.name}`,
        hint: didYouMean(name, declared) ?? (declared.length ? `declared: ${declared.join(', ')}` : 'it declares no signals'),
      },
    ];
  }
  const schema = definition.signals[name].schema;
  if (!schema) return [];
  const entry = validatorsOf(definition);
  let validate = entry.signals.get(name);
  if (validate === undefined) {
    validate = entry.ajv.compile(schema);
    entry.signals.set(name, validate);
  }
  return run(validate, data, `signal ${name}`);
}

function run(validate: ValidateFunction | null, data: unknown, what: string): ValidationIssue[] {
  if (!validate || validate(data)) return [];
  return reduce(validate.errors ?? []).map((error) => payloadIssue(error, what));
}

/** One payload problem, in words; never echoes the payload's values. */
function payloadIssue(error: ErrorObject, what: string): ValidationIssue {
  const pointer = error.instancePath;
  const place = pointer ? `\`${pointer.slice(1).replace(/\//g, '.')}\`` : what;
  switch (error.keyword) {
    case 'required':
      return { pointer, message: `${pointer ? `${place} is missing` : `${what} is missing`} \`${String(error.params.missingProperty)}\`` };
    case 'additionalProperties':
      return { pointer: `${pointer}/${String(error.params.additionalProperty)}`, message: `${what} has an unexpected key \`${preview(String(error.params.additionalProperty))}\`` };
    case 'type':
      return { pointer, message: `${place} must be ${String(error.params.type).replace(',', ' or ')}` };
    case 'enum':
      return { pointer, message: `${place} must be one of ${listOf((error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)))}` };
    default:
      return { pointer, message: `${place} ${error.message ?? 'is not valid'}` };
  }
}
