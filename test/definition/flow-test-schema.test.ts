/**
 * schema/flow-test.schema.json (published for editors) says the same as the schema `flowline test`
 * validates with (src/flowtest/schema.ts), describes every property, and accepts the flow tests
 * in workflows/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FLOW_TEST_SCHEMA } from '../../src/flowtest/schema.js';

const published = JSON.parse(readFileSync(new URL('../../schema/flow-test.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'default', '$comment']);

/** The schema without its annotations: what it accepts, nothing about how it explains it. */
function meaning(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(meaning);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // Inside `properties`, keys are property names (one may be called "description").
    if (ANNOTATIONS.has(key) && typeof value !== 'object') continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, meaning(v)])) : meaning(value);
  }
  return out;
}

describe('the published flow-test schema', () => {
  it('accepts exactly what `flowline test` accepts', () => {
    expect(meaning(published)).toEqual(meaning(JSON.parse(JSON.stringify(FLOW_TEST_SCHEMA))));
  });

  it('is draft-07 and describes every property', () => {
    expect(published.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const missing: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (n.properties && typeof n.properties === 'object') {
        for (const [key, sub] of Object.entries(n.properties)) {
          if (typeof (sub as Record<string, unknown>).description !== 'string') missing.push(`${path}/${key}`);
          visit(sub, `${path}/${key}`);
        }
      }
      for (const key of ['items', 'additionalProperties']) visit(n[key], `${path}/${key}`);
      for (const key of ['anyOf', 'oneOf']) if (Array.isArray(n[key])) (n[key] as unknown[]).forEach((s, i) => visit(s, `${path}/${key}/${i}`));
    };
    visit(published, '#');
    expect(missing).toEqual([]);
  });

  it('accepts every flow test in workflows/', () => {
    const validate = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }).compile(published);
    const dir = new URL('../../workflows/', import.meta.url);
    const files = readdirSync(dir).filter((f) => /\.test\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const valid = validate(parse(readFileSync(new URL(file, dir), 'utf8')));
      expect(valid ? [] : validate.errors, file).toEqual([]);
    }
  });
});
