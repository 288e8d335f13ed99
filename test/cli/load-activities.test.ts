/** The activity-module loader shared by `validate`, `run` and `worker`. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flattenActivities, loadActivities } from '../../src/activities/module.js';
import { ActivityModuleError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'flowline-activities-'));
function module(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadActivities', () => {
  it('takes the default export and flattens nested maps to dotted names', async () => {
    const path = module('nested.mjs', 'export default { inventory: { reserve: async () => 1, release: async () => 2 }, "payments.charge": async () => 3 };\n');
    const activities = await loadActivities(path);
    expect(Object.keys(activities).sort()).toEqual(['inventory.release', 'inventory.reserve', 'payments.charge']);
    expect(await activities['inventory.reserve'](null, {} as never)).toBe(1);
  });

  it('takes an export named `activities`, or calls createActivities()', async () => {
    expect(Object.keys(await loadActivities(module('named.mjs', 'export const activities = { a: () => 1 };\n')))).toEqual(['a']);
    expect(Object.keys(await loadActivities(module('factory.mjs', 'export function createActivities() { return { b: () => 2 }; }\n')))).toEqual(['b']);
  });

  it('loads TypeScript, also outside a "type": "module" package (compiled as CommonJS)', async () => {
    const cjsDir = join(dir, 'cjs-project');
    mkdirSync(cjsDir);
    writeFileSync(join(cjsDir, 'package.json'), '{ "name": "cjs-project" }\n');
    writeFileSync(join(cjsDir, 'acts.ts'), 'const noop = async (input: unknown): Promise<unknown> => input;\nexport default { "x.y": noop };\n');
    expect(Object.keys(await loadActivities(join(cjsDir, 'acts.ts')))).toEqual(['x.y']);
  });

  it('gives a map whose inherited names are not activities', async () => {
    const activities = await loadActivities(module('plain.mjs', 'export default { a: () => 1 };\n'));
    expect(activities.constructor).toBeUndefined();
    expect(activities.toString).toBeUndefined();
    expect(Object.isFrozen(activities)).toBe(true);
  });

  it.each([
    ['missing.mjs', null, /activity module not found/],
    ['empty.mjs', 'export const x = 1;\n', /exports no activities: export a map/],
    ['notfn.mjs', 'export default { a: 42 };\n', /activity "a" .* is not a function \(it is number\)/],
    ['syntax.mjs', 'export default {\n', /cannot load activity module .*syntax\.mjs: /],
    ['throws.mjs', 'throw new Error("boom at import");\n', /cannot load activity module .*: boom at import/],
  ])('%s is refused with ActivityModuleError', async (name, text, reason) => {
    const path = text === null ? join(dir, name) : module(name, text);
    const error = await loadActivities(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActivityModuleError);
    expect((error as ActivityModuleError).type).toBe('ActivityModuleInvalid');
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('flattenActivities', () => {
  it('refuses lists and null as activities', () => {
    expect(() => flattenActivities({ a: [() => 1] }, 'm')).toThrow(/is not a function \(it is a list\)/);
    expect(() => flattenActivities({ a: { b: null } }, 'm')).toThrow(/activity "a.b" in m is not a function \(it is null\)/);
  });
});
