/** The published JSON Schema (schema/workflow.schema.json), read once, and facts derived from it. */
import { readFileSync } from 'node:fs';
import { COMMON_STEP_KEYS, STEP_KINDS, type StepKind } from './types.js';
import { stepDefinitionName } from './step-walk.js';
import { isRecord } from './raw-data.js';

let schema: Record<string, unknown> | undefined;

/** The workflow schema as parsed JSON. Reads the file on first use, then serves it from memory. */
export function workflowSchema(): Record<string, unknown> {
  schema ??= JSON.parse(readFileSync(new URL('../../schema/workflow.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  return schema;
}

/** A named definition of the schema (`#/definitions/<name>`). */
export function schemaDefinition(name: string): Record<string, unknown> | undefined {
  const definitions = workflowSchema().definitions;
  const found = isRecord(definitions) ? definitions[name] : undefined;
  return isRecord(found) ? found : undefined;
}

/** Keys a step of this kind may have (its kind key, own keys and the common keys), from the schema. */
export function stepKeysOf(kind: StepKind): string[] {
  const properties = schemaDefinition(stepDefinitionName(kind))?.properties;
  return isRecord(properties) ? Object.keys(properties) : [];
}

/** Own keys of a kind: neither its kind key nor a common key. */
export function ownKeysOf(kind: StepKind): string[] {
  const common: readonly string[] = COMMON_STEP_KEYS;
  return stepKeysOf(kind).filter((key) => key !== kind && !common.includes(key));
}

/** Every key any step may have. */
export function allStepKeys(): string[] {
  return [...new Set(STEP_KINDS.flatMap((kind) => stepKeysOf(kind)))];
}

/** The kinds whose own keys include `key` (e.g. `concurrency` → forEach). */
export function kindsOwning(key: string): StepKind[] {
  return STEP_KINDS.filter((kind) => ownKeysOf(kind).includes(key));
}

let keyNames: ReadonlySet<string> | undefined;

/** Every key name the language defines anywhere (top level, steps, retry, cases…), from the schema. */
export function knownKeys(): ReadonlySet<string> {
  if (keyNames) return keyNames;
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isRecord(node)) {
      for (const [keyword, value] of Object.entries(node)) {
        if (keyword === 'properties' && isRecord(value)) for (const name of Object.keys(value)) names.add(name);
        visit(value);
      }
    }
  };
  visit(workflowSchema());
  keyNames = names;
  return names;
}
