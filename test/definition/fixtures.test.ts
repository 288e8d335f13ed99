/**
 * The corpus: every invalid fixture states where its problems are (`# expect: line:col  fragment`
 * header lines; JSON fixtures in the table below) and the loader must report exactly those — one
 * issue per real mistake — while every valid fixture and every flow in workflows/ loads cleanly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDefinitionFile } from '../../src/definition/load.js';

const root = new URL('../fixtures/definition/', import.meta.url).pathname;
const invalidDir = join(root, 'invalid');
const validDir = join(root, 'valid');
const workflowsDir = new URL('../../workflows/', import.meta.url).pathname;

interface Expectation {
  readonly line: number;
  readonly column: number;
  readonly fragment: string;
}

/** Fixtures that cannot hold comments (JSON) state their expectations here. */
const TABLE: Record<string, Expectation[]> = {
  'json-step-typo.json': [{ line: 6, column: 18, fragment: 'did you mean `call`' }],
};

function expectationsOf(file: string): Expectation[] {
  const name = file.slice(file.lastIndexOf('/') + 1);
  if (TABLE[name]) return TABLE[name];
  const found = [...readFileSync(file, 'utf8').matchAll(/^# expect: (\d+):(\d+) {2}(.+)$/gm)];
  return found.map((m) => ({ line: Number(m[1]), column: Number(m[2]), fragment: m[3] }));
}

const invalid = readdirSync(invalidDir).sort();

describe('invalid fixtures', () => {
  it('there are at least 40 of them, each stating at least one expectation', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(40);
    for (const file of invalid) expect(expectationsOf(join(invalidDir, file)), file).not.toHaveLength(0);
  });

  it.each(invalid)('%s: the stated problems at the stated line and column, nothing else', async (name) => {
    const file = join(invalidDir, name);
    const expectations = expectationsOf(file);
    const { definition, issues } = await validateDefinitionFile(file);
    expect(definition).toBeUndefined();
    const rendered = issues.map((i) => `${i.line}:${i.column}  ${i.message}  (${i.hint ?? ''})`);
    const unmatched = [...issues];
    for (const e of expectations) {
      // Each expectation consumes its own issue: two stated problems need two reported ones.
      const at = unmatched.findIndex((i) => i.line === e.line && i.column === e.column && `${i.message}  (${i.hint ?? ''})`.includes(e.fragment));
      expect(at, `expected ${e.line}:${e.column} "${e.fragment}" in:\n${rendered.join('\n')}`).toBeGreaterThanOrEqual(0);
      unmatched.splice(at, 1);
    }
    expect(rendered).toHaveLength(expectations.length);
    for (const issue of issues) {
      expect(issue.file).toBe(file);
      expect(typeof issue.pointer).toBe('string');
      // Messages are for people: no ajv jargon, no stack traces.
      expect(issue.message).not.toMatch(/must match exactly one schema|must match a schema in anyOf|\n\s+at /);
    }
  });
});

describe('valid documents', () => {
  const valid = readdirSync(validDir).sort().map((f) => join(validDir, f));
  const workflows = readdirSync(workflowsDir)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && !/\.test\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(workflowsDir, f));

  it('workflows/ holds the hello-world flow', () => {
    expect(workflows.some((f) => f.endsWith('hello-world.yaml'))).toBe(true);
  });

  it.each([...valid, ...workflows])('%s loads without issues', async (file) => {
    const { definition, issues } = await validateDefinitionFile(file);
    expect(issues).toEqual([]);
    expect(definition?.dsl).toBe('flowline/v1');
    expect(Object.isFrozen(definition)).toBe(true);
  });
});
