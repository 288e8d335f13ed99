/**
 * Checks a raw document against schema/workflow.schema.json with ajv (strict, compiled once), then
 * reduces ajv's errors to one issue per real mistake: errors of the step-kind branches that do not
 * match the step's own kind key are dropped, and union noise is folded. Pure apart from the
 * compiled-validator cache.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { RawIssue } from './issue.js';
import { ancestorPointer, isRecord, valueAt } from './raw-data.js';
import { stepDefinitionName, walkSteps, type KindResolution } from './step-walk.js';
import { describeSchemaError, JSON_SCHEMA_KEYWORDS, type SubschemaInfo } from './schema-messages.js';
import { stepShapeIssues } from './step-shape.js';
import { workflowSchema } from './schema-source.js';

interface Thorough {
  readonly validate: ValidateFunction;
  readonly info: Map<object, SubschemaInfo>;
}

const AJV_OPTIONS = { strict: true, allowUnionTypes: true } as const;
let quick: ValidateFunction | undefined;
let thorough: Thorough | undefined;

/**
 * Two validators from the same schema, each compiled once on first use: a fast one that stops at
 * the first error (valid documents, the common case) and one that collects every error with its
 * schema, compiled only when a document is invalid.
 */
function quickValidator(): ValidateFunction {
  quick ??= new Ajv({ ...AJV_OPTIONS, allErrors: false }).compile(workflowSchema());
  return quick;
}

function thoroughValidator(): Thorough {
  const schema = workflowSchema();
  thorough ??= { validate: new Ajv({ ...AJV_OPTIONS, allErrors: true, verbose: true }).compile(schema), info: indexSubschemas(schema) };
  return thorough;
}

/** Maps every subschema object to its definition and instance depth (not following `$ref`). */
function indexSubschemas(schema: Record<string, unknown>): Map<object, SubschemaInfo> {
  const info = new Map<object, SubschemaInfo>();
  const visit = (node: unknown, definition: string, depth: number): void => {
    if (!isRecord(node)) return;
    info.set(node, { definition, depth });
    for (const [keyword, value] of Object.entries(node)) {
      if (keyword === 'properties' || keyword === 'patternProperties') {
        if (isRecord(value)) for (const sub of Object.values(value)) visit(sub, definition, depth + 1);
      } else if (keyword === 'additionalProperties' || keyword === 'items' || keyword === 'additionalItems' || keyword === 'contains') {
        if (Array.isArray(value)) value.forEach((sub) => visit(sub, definition, depth + 1));
        else visit(value, definition, depth + 1);
      } else if (keyword === 'oneOf' || keyword === 'anyOf' || keyword === 'allOf') {
        if (Array.isArray(value)) value.forEach((sub) => visit(sub, definition, depth));
      } else if (keyword === 'not' || keyword === 'if' || keyword === 'then' || keyword === 'else' || keyword === 'propertyNames') {
        visit(value, definition, depth);
      }
    }
  };
  const { definitions, ...root } = schema;
  visit(root, '#', 0);
  if (isRecord(definitions)) for (const [name, sub] of Object.entries(definitions)) visit(sub, name, 0);
  info.set(schema, { definition: '#', depth: 0 });
  return info;
}

/** Every schema problem of a raw document, one per real mistake. Pure. */
export function checkSchema(document: unknown): RawIssue[] {
  const sites = new Map<string, KindResolution>();
  walkSteps(document, (site) => sites.set(site.pointer, site.resolution));
  const shapeIssues = stepShapeIssues(document, sites);
  if (quickValidator()(document)) return shapeIssues;
  const { validate, info } = thoroughValidator();
  validate(document);
  const kept = reduceErrors(validate.errors ?? [], document, sites, info, shapeIssues.map((issue) => issue.pointer));
  const described = kept.map((error) =>
    describeSchemaError(error, document, isRecord(error.parentSchema) ? info.get(error.parentSchema) : undefined),
  );
  return [...shapeIssues, ...described.filter((issue): issue is RawIssue => issue !== undefined)];
}

function reduceErrors(
  errors: readonly ErrorObject[],
  document: unknown,
  sites: ReadonlyMap<string, KindResolution>,
  info: ReadonlyMap<object, SubschemaInfo>,
  shapePointers: readonly string[],
): ErrorObject[] {
  const relevant = errors.filter((error) => isRelevant(error, document, sites, info));
  // A type error where another branch of a union matched the type is noise: keep the other branch's errors.
  const otherAt = new Set(relevant.filter((e) => e.keyword !== 'type' && !isSummary(e)).map((e) => e.instancePath));
  const typed = new Map<string, ErrorObject>();
  const out: ErrorObject[] = [];
  const seen = new Set<string>();
  for (const error of relevant) {
    if (isSummary(error)) continue;
    if (error.keyword === 'type') {
      if (otherAt.has(error.instancePath)) continue;
      const previous = typed.get(error.instancePath);
      if (previous) {
        const types = new Set([...asTypes(previous.params.type), ...asTypes(error.params.type)]);
        previous.params = { ...previous.params, type: [...types].join(',') };
        continue;
      }
      const copy = { ...error, params: { ...error.params } };
      typed.set(error.instancePath, copy);
      out.push(copy);
      continue;
    }
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(error);
  }
  // A JSON Schema written straight under `input:` is one mistake, however many keywords it has.
  const misplacedSchema = new Set<string>();
  const reduced = out.filter((error) => {
    const misplaced =
      error.keyword === 'additionalProperties' &&
      (error.instancePath === '/input' || /^\/signals\/[^/]+$/.test(error.instancePath)) &&
      JSON_SCHEMA_KEYWORDS.has(String(error.params.additionalProperty));
    if (!misplaced) return true;
    if (misplacedSchema.has(error.instancePath)) return false;
    misplacedSchema.add(error.instancePath);
    return true;
  });
  out.length = 0;
  out.push(...reduced);
  // A union that failed with nothing more specific below it still deserves one message. A step
  // of no single kind inside it (reported by the step-shape check) is that more specific reason:
  // otherwise a bad step in a switch case would also call the whole case invalid.
  const specific = [...out.map((e) => e.instancePath), ...shapePointers];
  for (const error of relevant) {
    if (!isSummary(error)) continue;
    const covered = specific.some((at) => at === error.instancePath || at.startsWith(`${error.instancePath}/`));
    const key = `${error.instancePath}|summary`;
    if (!covered && !seen.has(key)) {
      seen.add(key);
      out.push(error);
    }
  }
  return out;
}

function isSummary(error: ErrorObject): boolean {
  return error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if' || error.keyword === 'propertyNames';
}

function asTypes(type: unknown): string[] {
  return String(type).split(',');
}

/** Drops errors that come from a branch of a union that does not apply to the data. */
function isRelevant(
  error: ErrorObject,
  document: unknown,
  sites: ReadonlyMap<string, KindResolution>,
  info: ReadonlyMap<object, SubschemaInfo>,
): boolean {
  const where = isRecord(error.parentSchema) ? info.get(error.parentSchema) : undefined;
  if (!where) return true;
  const owner = ancestorPointer(error.instancePath, where.depth);
  const definition = where.definition;
  if (definition === 'step' && sites.has(owner)) return false; // step-shape issues cover a step that is not a map
  if (definition.endsWith('Step') && sites.has(owner)) {
    const resolution = sites.get(owner)!;
    if (!resolution.kind || stepDefinitionName(resolution.kind) !== definition) return false;
  }
  if (definition === 'switchWhenCase' || definition === 'switchDefaultCase') {
    const value = valueAt(document, owner);
    const chosen = isRecord(value) && Object.prototype.hasOwnProperty.call(value, 'default') ? 'switchDefaultCase' : 'switchWhenCase';
    if (chosen !== definition) return false;
  }
  // Under a `compensate` *kind* step, `compensate:` holds targets, not a compensation step.
  if (definition !== 'compensateStep') {
    const at = error.instancePath.lastIndexOf('/compensate');
    for (let i = at; i >= 0; i = error.instancePath.lastIndexOf('/compensate', i - 1)) {
      const rest = error.instancePath.slice(i + '/compensate'.length);
      if ((rest === '' || rest.startsWith('/')) && sites.get(error.instancePath.slice(0, i))?.kind === 'compensate') return false;
      if (i === 0) break;
    }
  }
  return true;
}
