/** Bad input is refused quickly, with a clear message and no stack trace, and never touches prototypes. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinition, validateDefinition, validateDefinitionFile } from '../../src/definition/load.js';
import { DefinitionInvalidError } from '../../src/errors.js';
import { MAX_SOURCE_BYTES } from '../../src/definition/parse.js';

const HEAD = 'dsl: flowline/v1\nname: t\nversion: 1\n';

function messages(text: string): string[] {
  return validateDefinition(text).issues.map((i) => `${i.line}:${i.column} ${i.message}`);
}

describe('refused input', () => {
  it('an alias bomb ("billion laughs") is refused without expanding it', () => {
    let bomb = `${HEAD}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n`;
    let previous = 'a';
    for (let i = 0; i < 9; i++) {
      const name = `b${i}`;
      bomb += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
      previous = name;
    }
    bomb += 'steps:\n  - set: { x: *b8 }\n';
    const before = process.memoryUsage().heapUsed;
    const found = messages(bomb);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/aliases .* more than 100 times/);
    // Expanded, this document would be 9^10 strings; refusing it must not allocate anything like that.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('a document over 1 MiB is refused', () => {
    const big = `${HEAD}description: "${'x'.repeat(MAX_SOURCE_BYTES)}"\nsteps:\n  - set: { a: 1 }\n`;
    expect(messages(big)).toEqual([expect.stringMatching(/^1:1 the document is larger than 1024 KiB/)]);
  });

  it('a file over 1 MiB is refused from its size, before it is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowline-hostile-'));
    const file = join(dir, 'big.yaml');
    writeFileSync(file, `${HEAD}# ${'x'.repeat(MAX_SOURCE_BYTES)}\n`);
    const { issues } = await validateDefinitionFile(file);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file, line: 1, column: 1 });
    expect(issues[0].message).toMatch(/larger than 1024 KiB/);
  });

  it('binary files and invalid UTF-8 get a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowline-hostile-'));
    const png = join(dir, 'image.yaml');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    expect((await validateDefinitionFile(png)).issues[0].message).toMatch(/not a text file/);
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.from(`${HEAD}description: caf\xe9\n`, 'latin1'));
    expect((await validateDefinitionFile(latin1)).issues[0].message).toMatch(/not valid UTF-8/);
    expect(messages(`${HEAD}\u0001steps: []`)[0]).toMatch(/not a text file/);
  });

  it('empty documents and documents of comments only are refused', () => {
    expect(messages('')).toEqual(['1:1 the document is empty']);
    expect(messages('  \n\n')).toEqual(['1:1 the document is empty']);
    expect(messages('# nothing here\n')[0]).toMatch(/empty \(it holds only comments\)/);
  });

  it('a missing file or a directory is an issue of that file, not a crash', async () => {
    expect((await validateDefinitionFile('/nonexistent/flow.yaml')).issues[0].message).toBe('file not found');
    expect((await validateDefinitionFile(tmpdir())).issues[0].message).toMatch(/directory/);
  });

  it.each([
    ['flow brackets', `${HEAD}steps: ${'['.repeat(5000)}${']'.repeat(5000)}\n`],
    ['flow maps', `${HEAD}steps:\n  - set: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`],
    ['compact sequences', `${HEAD}steps:\n  ${'- '.repeat(200_000)}x\n`],
    ['block indentation', `${HEAD}steps:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(2 * i + 2)}- a:`).join('\n')}\n`],
  ])('deep nesting (%s) is refused quickly', (_name, text) => {
    const started = performance.now();
    const found = messages(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/nested too deeply/);
    // Not a timing assertion on the product's speed: a guard that the bound stops the parser from
    // running away (unbounded, the compact-sequence case exhausts memory).
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('duplicate keys are errors at the second key', () => {
    expect(messages(`${HEAD}steps:\n  - set: { a: 1, a: 2 }\n`)).toEqual(['5:18 this key appears twice in the same map']);
  });

  it('a DefinitionInvalidError carries every issue, and its message names the first', () => {
    try {
      loadDefinition(`${HEAD}steps:\n  - cal: x\n  - wiat: 5s\n`, { file: 'flow.yaml' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DefinitionInvalidError);
      const invalid = error as DefinitionInvalidError;
      expect(invalid.type).toBe('DefinitionInvalid');
      expect(invalid.issues.map((i) => [i.line, i.column])).toEqual([
        [5, 5],
        [6, 5],
      ]);
      expect(invalid.message).toMatch(/^2 problems in flow\.yaml:5:5: unknown key `cal`/);
    }
  });
});

describe('keys that look like prototypes stay plain data', () => {
  const text = `${HEAD}steps:\n  - call: a.b\n    with:\n      __proto__: { polluted: true }\n      constructor: { prototype: { polluted: true } }\n  - set:\n      constructor: 1\n`;

  it('does not pollute Object.prototype and keeps the keys as own data', () => {
    const definition = loadDefinition(text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    const call = definition.steps[0] as { with: Record<string, unknown> };
    expect(Object.getPrototypeOf(call.with)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(call.with, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(call.with, '__proto__')?.value).toEqual({ polluted: true });
    expect((call.with as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(call.with))).toEqual(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'));
  });

  it('a `__proto__` key on a step is an unknown key, not a prototype', () => {
    expect(messages(`${HEAD}steps:\n  - call: a.b\n    __proto__: { id: x }\n`)).toEqual(['6:5 unknown key `__proto__` on a `call` step']);
  });

  it('a `__proto__` key in JSON is data too', () => {
    const json = JSON.stringify({ dsl: 'flowline/v1', name: 't', version: 1, steps: [{ set: { x: 1 } }] }).replace('"steps"', '"__proto__":{"a":1},"steps"');
    expect(messages(json)).toEqual([expect.stringMatching(/unknown top-level key `__proto__`/)]);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});
