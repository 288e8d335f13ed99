// Over 300 lines on purpose: one message writer per ajv keyword, all reading the same schema and document helpers; each is short and they are looked up together.
/**
 * Turns one (already reduced) ajv error into a sentence a non-developer can act on, with a hint:
 * the nearest valid key, the allowed values, or how to write the value. Never echoes large data. Pure.
 */
import type { ErrorObject } from 'ajv';
import type { RawIssue } from './issue.js';
import { childPointer, isRecord, lastToken, pointerTokens, valueAt } from './raw-data.js';
import { didYouMean, GLUED_HINT, gluedKeyMessage, listOf, nearest, preview } from './hints.js';
import { DurationError, parseDuration } from './duration.js';
import { allStepKeys, kindsOwning, schemaDefinition } from './schema-source.js';
import { STEP_KINDS } from './types.js';
import { rawStepFacts, readableStepPath } from './step-path.js';

const KINDS: readonly string[] = STEP_KINDS;

/** Keys that show a JSON Schema was written where `{ schema: … }` was expected. */
export const JSON_SCHEMA_KEYWORDS: ReadonlySet<string> = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', '$ref', 'oneOf', 'anyOf', 'allOf', '$schema']);

/** Where a subschema sits: the definition holding it and how many instance levels below that definition's instance. */
export interface SubschemaInfo {
  readonly definition: string;
  readonly depth: number;
}

/** A message for one schema error, or undefined when another issue already explains it. Pure. */
export function describeSchemaError(error: ErrorObject, document: unknown, where: SubschemaInfo | undefined): RawIssue | undefined {
  const definition = where?.definition ?? '';
  const kind = definition.endsWith('Step') ? stepKindFromDefinition(definition) : undefined;
  const pointer = error.instancePath;
  const data: unknown = error.data;
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(pointer, String(error.params.additionalProperty), error.parentSchema, definition, kind, document);
    case 'required':
      return missingKey(pointer, String(error.params.missingProperty), error.parentSchema, document, definition, kind);
    case 'type':
      return wrongType(pointer, String(error.params.type), data, definition, document);
    case 'pattern':
      return badPattern(error, pointer, data, definition);
    case 'const':
    case 'enum':
      return notAllowed(pointer, data, error.keyword === 'const' ? [error.params.allowedValue] : (error.params.allowedValues as unknown[]));
    case 'minimum':
    case 'maximum':
      return outOfRange(pointer, error.keyword, Number(error.params.limit));
    case 'minItems':
      return tooFew(pointer);
    case 'minLength':
      return { pointer, message: `${subject(pointer)} must not be empty` };
    default:
      return {
        pointer,
        message: `${subject(pointer, document)} is not valid here`,
        hint: firstSentence(isRecord(error.parentSchema) ? error.parentSchema.description : undefined),
      };
  }
}

function stepKindFromDefinition(definition: string): string {
  return definition === 'groupStep' ? 'steps' : definition.slice(0, -'Step'.length);
}

/**
 * `key`, or `item 3 of key` for a list element; `the workflow` for the root. With the document, a
 * step, catch clause or switch case is named by where it sits (`reserve › catch 1`).
 */
export function subject(pointer: string, document?: unknown): string {
  const tokens = pointerTokens(pointer);
  if (tokens.length === 0) return 'the workflow';
  const last = tokens[tokens.length - 1];
  if (/^\d+$/.test(last)) {
    const parent = tokens.length > 1 ? tokens[tokens.length - 2] : '';
    if (document !== undefined && PLACES.has(parent)) return readableStepPath(pointer, rawStepFacts(document));
    return parent === 'steps' || parent === 'parallel' || parent === 'try' || parent === 'default'
      ? `step ${Number(last) + 1} of \`${parent}\``
      : `item ${Number(last) + 1} of \`${parent}\``;
  }
  return `\`${last}\``;
}

/** Lists whose items are steps, catch clauses or switch cases: named by their place in the flow. */
const PLACES: ReadonlySet<string> = new Set(['steps', 'parallel', 'try', 'default', 'catch', 'switch']);

function firstSentence(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  // A sentence ends at . ! or ? followed by a capital letter or the end ("e.g. `x`" does not end one).
  const match = /^(.+?[.!?])(?=\s+[A-Z]|\s*$)/.exec(text);
  return match ? match[1] : text;
}

function allowedKeys(parentSchema: unknown): string[] {
  return isRecord(parentSchema) && isRecord(parentSchema.properties) ? Object.keys(parentSchema.properties) : [];
}

/**
 * `with:` left empty and followed by `x: 1` at the same indentation: the author meant `x` inside
 * `with`. Says so when the key just before the unknown one has no value.
 */
function emptySibling(document: unknown, pointer: string, key: string): string | undefined {
  const map = valueAt(document, pointer);
  if (!isRecord(map)) return undefined;
  const keys = Object.keys(map);
  const before = keys[keys.indexOf(key) - 1];
  if (before === undefined || map[before] !== null) return undefined;
  return `\`${before}:\` above it is empty: to put \`${preview(key)}\` inside \`${before}\`, indent it further than \`${before}:\``;
}

function unknownKey(pointer: string, key: string, parentSchema: unknown, definition: string, kind: string | undefined, document: unknown): RawIssue {
  const at = { pointer: childPointer(pointer, key), at: 'key' as const };
  const allowed = allowedKeys(parentSchema);
  const suggestion = didYouMean(key, allowed) ?? emptySibling(document, pointer, key);
  if (kind !== undefined) {
    const owners = kindsOwning(key);
    if (owners.length > 0 && !suggestion) {
      return { ...at, message: `\`${key}\` does not belong on a \`${kind}\` step`, hint: `\`${key}\` is a key of ${listOf(owners.map((k) => `${k}`))} steps` };
    }
    return { ...at, message: `unknown key \`${preview(key)}\` on a \`${kind}\` step`, hint: suggestion ?? `allowed here: ${allowed.join(', ')}` };
  }
  if ((pointer === '/input' || /^\/signals\/[^/]+$/.test(pointer)) && JSON_SCHEMA_KEYWORDS.has(key)) {
    return { ...at, message: `the JSON Schema goes under \`schema:\`, not directly in \`${lastToken(pointer)}\``, hint: `write \`${lastToken(pointer)}: { schema: { ${key}: … } }\`` };
  }
  if (definition === 'switchDefaultCase') {
    return { ...at, message: 'a `default` case holds only `default:` with its list of steps', hint: 'a switch case is either `when:` with `steps:`, or `default:` alone (put it last)' };
  }
  if (definition === '#' && pointer === '') {
    const hint =
      suggestion ??
      (KINDS.includes(key)
        ? 'steps go in the list under `steps:`, each starting with `- `'
        : allStepKeys().includes(key)
          ? `\`${key}\` is a key of a step: indent it under the step it belongs to`
          : `allowed at the top: ${allowed.join(', ')}`);
    return { ...at, message: `unknown top-level key \`${preview(key)}\``, hint };
  }
  return {
    ...at,
    message: `unknown key \`${preview(key)}\`${pointer ? ` in ${subject(pointer)}` : ''}`,
    hint: suggestion ?? (allowed.length > 0 ? `allowed here: ${allowed.join(', ')}` : undefined),
  };
}

function missingKey(
  pointer: string,
  key: string,
  parentSchema: unknown,
  document: unknown,
  definition: string,
  kind: string | undefined,
): RawIssue | undefined {
  if (pointer === '' && key === 'dsl') {
    return { pointer, message: 'a workflow needs `dsl:`, the language version', hint: 'add `dsl: flowline/v1` as the first line' };
  }
  const allowed = allowedKeys(parentSchema);
  const value = valueAt(document, pointer);
  // A misspelt key already reported as unknown explains the missing one: say it once.
  if (isRecord(value) && Object.keys(value).some((k) => !allowed.includes(k) && nearest(k, allowed) === key)) return undefined;
  const described = isRecord(parentSchema) && isRecord(parentSchema.properties) ? parentSchema.properties[key] : undefined;
  // A property that only refers to a definition takes that definition's description.
  const referred = isRecord(described) && typeof described.$ref === 'string' ? schemaDefinition(described.$ref.replace('#/definitions/', '')) : undefined;
  const sentence = firstSentence(isRecord(described) && typeof described.description === 'string' ? described.description : referred?.description);
  // A key with an example value: show the line to add, which says more than its description alone.
  const examples = isRecord(described) && Array.isArray(described.examples) ? described.examples : referred?.examples;
  const example = Array.isArray(examples) && ['string', 'number'].includes(typeof examples[0]) ? String(examples[0]) : undefined;
  const hint = example !== undefined ? `add a line \`${key}: ${example}\`${sentence ? ` (${sentence.replace(/\.$/, '').toLowerCase()})` : ''}` : sentence;
  let owner: string;
  if (kind !== undefined) owner = `a \`${kind}\` step`;
  else if (pointer === '') owner = 'a workflow';
  else if (definition === 'catchClause') owner = 'each `catch` clause';
  else if (definition === 'switchWhenCase') owner = 'a `switch` case';
  else if (definition === 'repeatBody') owner = '`repeat`';
  else if (definition === 'failBody') owner = '`fail`';
  else if (definition === 'waitUntil') owner = '`wait` with a map';
  else owner = subject(pointer);
  return { pointer, message: `${owner} needs \`${key}:\``, hint };
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: '`true` or `false`',
  object: 'a map (`key: value` lines)',
  array: 'a list (`- item` lines)',
  null: 'empty',
};

function describeData(data: unknown): string {
  if (data === null || data === undefined) return 'empty';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a map';
  if (typeof data === 'string') return `the text \`${preview(data, 30)}\``;
  return `\`${preview(data)}\``;
}

function wrongType(pointer: string, type: string, data: unknown, definition: string, document: unknown): RawIssue {
  if (definition === 'duration') return durationIssue(pointer, data);
  const key = lastToken(pointer);
  if (definition === 'step' || definition === 'compensation') {
    return {
      pointer,
      message: '`compensate` beside another kind key must be a step to run as the undo, e.g. `compensate: { call: inventory.release }`',
      hint: 'to run registered compensations now, make a separate step: `- compensate: all`',
    };
  }
  if (definition === 'stepList' || (type === 'array' && (key === 'steps' || key === 'parallel' || key === 'try' || key === 'default'))) {
    const hint = isRecord(data) ? 'start each step with `- ` on its own line' : 'write the steps below it, each starting with `- `';
    return { pointer, message: `${subject(pointer)} must be a list of steps, but is ${describeData(data)}`, hint };
  }
  const glued = typeof data === 'string' && !type.includes('string') ? gluedKeyMessage(data) : undefined;
  if (glued) return { pointer, message: glued, hint: GLUED_HINT };
  const words = type
    .split(',')
    .map((t) => TYPE_WORDS[t] ?? t)
    .join(' or ');
  let hint: string | undefined;
  if (typeof data === 'string' && /^-?\d+(\.\d+)?$/.test(data) && /integer|number/.test(type)) hint = 'write the number without quotes';
  else if (typeof data === 'string' && /^(integer|number)$/.test(type)) hint = `write it in digits, e.g. \`${key}: ${key === 'version' ? 1 : 3}\``;
  else if (key === 'retry' && typeof data === 'number') hint = `write \`retry: { maxAttempts: ${data} }\``;
  else if (typeof data === 'string' && data.includes('${') && type.includes('object')) hint = `${subject(pointer)} takes fixed keys; put expressions in its values`;
  return { pointer, message: `${subject(pointer, document)} must be ${words}, but is ${describeData(data)}`, hint };
}

function durationIssue(pointer: string, data: unknown): RawIssue {
  if (typeof data === 'string' && data.includes('${')) {
    return {
      pointer,
      message: `${subject(pointer)} must be a fixed duration: expressions are not allowed here`,
      hint: lastToken(pointer) === 'wait' ? "to wait until a computed time, write `wait: { until: '${ … }' }` with an ISO-8601 instant" : 'write a duration such as `30s`',
    };
  }
  let message = `${subject(pointer)} must be a duration`;
  try {
    parseDuration(data);
  } catch (error) {
    if (error instanceof DurationError) message = `${subject(pointer)}: ${error.message}`;
  }
  return { pointer, message, hint: 'durations look like `250ms`, `30s`, `5m`, `48h`, `7d` or `PT30S`' };
}

const IDENTIFIER_RULE = 'letters, digits and `_` only, not starting with a digit';

function badPattern(error: ErrorObject, pointer: string, data: unknown, definition: string): RawIssue {
  if (definition === 'duration') return durationIssue(pointer, data);
  const text = typeof data === 'string' ? data : String(data);
  const suggestion = text.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1');
  if (error.propertyName !== undefined) {
    const at = { pointer: childPointer(pointer, error.propertyName), at: 'key' as const };
    const what = lastToken(pointer) === 'signals' ? 'signal name' : lastToken(pointer) === 'queries' ? 'query name' : 'variable name';
    return {
      ...at,
      message: `\`${preview(error.propertyName)}\` is not a valid ${what}: use ${what === 'signal name' ? 'letters, digits, `_`, `.` and `-`, starting with a letter' : IDENTIFIER_RULE}`,
      hint: what === 'signal name' ? undefined : `e.g. \`${preview(suggestion)}\`, read as \`$${what === 'variable name' ? 'vars.' : ''}${preview(suggestion)}\` in expressions`,
    };
  }
  const key = lastToken(pointer);
  if (text.includes('${')) {
    return { pointer, message: `${subject(pointer)} must be fixed text: expressions are not allowed here`, hint: 'expressions may appear in with, set, assign, output, if, when, forEach, until, wait.until, queries, fail and return' };
  }
  if (definition === 'stepId' || key === 'id' || /^\d+$/.test(key)) {
    return { pointer, message: `step id \`${preview(text)}\` is not valid: use ${IDENTIFIER_RULE}`, hint: `e.g. \`${preview(suggestion)}\`, so that \`$steps.${preview(suggestion)}\` works in expressions` };
  }
  if (definition === 'workflowName') {
    const slug = text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
    return { pointer, message: `\`${preview(text)}\` is not a valid workflow name: use lower-case letters, digits, \`.\`, \`_\` and \`-\``, hint: slug ? `e.g. \`${preview(slug)}\`` : undefined };
  }
  if (key === 'call') {
    return { pointer, message: `\`${preview(text)}\` is not a valid activity name`, hint: 'activity names are dotted words such as `inventory.reserve` (letters, digits, `_` and `-`)' };
  }
  if (definition === 'signalName') {
    return { pointer, message: `\`${preview(text)}\` is not a valid signal name`, hint: 'use letters, digits, `_`, `.` and `-`, starting with a letter' };
  }
  if (key === 'as' || key === 'indexAs') {
    return { pointer, message: `\`${preview(text)}\` is not a valid binding name: use ${IDENTIFIER_RULE}`, hint: `e.g. \`${preview(suggestion)}\`` };
  }
  return { pointer, message: `${subject(pointer)} has an invalid value \`${preview(text)}\`` };
}

function notAllowed(pointer: string, data: unknown, allowed: unknown[]): RawIssue {
  const words = allowed.map(String);
  const key = lastToken(pointer);
  if (key === 'dsl') {
    return { pointer, message: `\`dsl\` must be \`flowline/v1\`, not \`${preview(data)}\``, hint: 'this version of Flowline reads `flowline/v1` documents' };
  }
  if (key === 'compensate') {
    return { pointer, message: '`compensate` as a step takes `all` or a list of step ids', hint: typeof data === 'string' ? (didYouMean(data, words) ?? 'e.g. `compensate: all` or `compensate: [pay, reserve]`') : undefined };
  }
  return {
    pointer,
    message: `${subject(pointer)} must be ${listOf(words)}, not \`${preview(data)}\``,
    hint: typeof data === 'string' ? didYouMean(data, words) : undefined,
  };
}

function outOfRange(pointer: string, keyword: string, limit: number): RawIssue {
  const key = lastToken(pointer);
  if (key === 'version') return { pointer, message: '`version` must be a positive whole number (1, 2, 3…)' };
  if (key === 'maxAttempts') return { pointer, message: '`maxAttempts` must be at least 1 (1 means a single attempt, no retry)' };
  if (key === 'backoffCoefficient') return { pointer, message: '`backoffCoefficient` must be at least 1 (delays never shrink)' };
  if (key === 'jitter') return { pointer, message: '`jitter` must be a fraction between 0 and 1 (or `true` for 0.2)' };
  return { pointer, message: `${subject(pointer)} must be ${keyword === 'minimum' ? 'at least' : 'at most'} ${limit}` };
}

function tooFew(pointer: string): RawIssue {
  const key = lastToken(pointer);
  const messages: Record<string, string> = {
    steps: pointer === '/steps' ? 'the workflow needs at least one step' : '`steps` needs at least one step',
    parallel: '`parallel` needs at least one branch',
    switch: '`switch` needs at least one case',
    catch: '`catch` needs at least one clause',
    errors: '`errors` lists no error type',
    compensate: '`compensate` lists no step id',
  };
  const hint = key === 'errors' ? 'leave `errors` out to handle any error' : key === 'compensate' ? 'write `compensate: all` to run every registered compensation' : undefined;
  return { pointer, message: messages[key] ?? `${subject(pointer)} must not be an empty list`, hint };
}
