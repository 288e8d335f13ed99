/**
 * The authoring guide tells the truth: every cookbook expression gives the value the table says,
 * and every pitfall message quoted is exactly what the loader reports for that mistake.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../../src/definition/load.js';
import { DefinitionInvalidError } from '../../src/errors.js';
import { evaluateTemplate } from '../../src/expression/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const guide = readFileSync(join(ROOT, 'docs/guides/authoring.md'), 'utf8');

function section(text: string, heading: string): string {
  const start = text.indexOf(`\n## ${heading}\n`);
  expect(start, `section "${heading}"`).toBeGreaterThan(-1);
  const end = text.indexOf('\n## ', start + 4);
  return text.slice(start, end === -1 ? undefined : end);
}

const cell = (raw: string): string => {
  const match = /^`(.*)`$/.exec(raw.trim());
  if (!match) throw new Error(`cookbook cell is not in backticks: ${raw}`);
  return match[1] as string;
};

const rows = section(guide, 'Expressions cookbook')
  .split('\n')
  .filter((line) => line.startsWith('| ') && line.includes('`'))
  .map((line) => line.split(' | ').map((part) => part.replace(/^\| |\s\|$/g, '')))
  .map(([want, write, given, gives]) => ({ want: want as string, write: cell(write as string), given: cell(given as string), gives: cell(gives as string) }));

describe('the expressions cookbook', () => {
  it('has recipes', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
  });

  it.each(rows)('$want: $write', async ({ write, given, gives }) => {
    const bindings = JSON.parse(given) as Record<string, unknown>;
    expect(await evaluateTemplate(write, { input: {}, vars: {}, steps: {}, ...bindings })).toEqual(JSON.parse(gives));
  });
});

describe('the YAML pitfalls section', () => {
  const quoted = [...section(guide, 'Common YAML pitfalls').matchAll(/^(p\d+\.yaml):(\d+):(\d+) {2}(.*)$/gm)].map((m) => ({
    file: m[1] as string,
    line: Number(m[2]),
    column: Number(m[3]),
    text: m[4] as string,
  }));

  it('quotes the messages', () => {
    expect(quoted.length).toBeGreaterThanOrEqual(10);
  });

  it.each(quoted)('$file:$line:$column is what the loader says', async ({ file, line, column, text }) => {
    const error = await loadDefinitionFile(join(ROOT, 'test/workflows/fixtures/pitfalls', file)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefinitionInvalidError);
    const issues = (error as DefinitionInvalidError).issues.map((i) => `${i.line}:${i.column}  ${i.message}${i.hint ? `  (${i.hint})` : ''}`);
    expect(issues).toContain(`${line}:${column}  ${text}`);
  });
});
