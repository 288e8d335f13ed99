/**
 * Loads an activity module (`--activities MODULE`): a JS or TS file whose default export, or
 * export named `activities` (or a `createActivities()` factory), maps activity names to handlers.
 * Nested maps are flattened to dotted names (`{ inventory: { reserve } }` → `inventory.reserve`).
 * Side effect: imports the module (tsx, registered by bin/flowline.js, makes .ts work).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ActivityModuleError } from '../errors.js';
import type { ActivityHandler, ActivityMap } from '../activities/types.js';

function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  // Module namespace objects have a null prototype; so do maps built with Object.create(null).
  return proto === Object.prototype || proto === null;
}

/**
 * Flattens a map of handlers into `name → handler` with a null prototype, so an activity named
 * `constructor` or `toString` can never resolve to an inherited function.
 */
export function flattenActivities(exported: Record<string, unknown>, source: string): ActivityMap {
  const out = Object.create(null) as Record<string, ActivityHandler>;
  const visit = (value: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const key of Object.keys(value)) {
      const name = prefix ? `${prefix}.${key}` : key;
      const entry = value[key];
      if (typeof entry === 'function') out[name] = entry as ActivityHandler;
      else if (isPlainMap(entry) && depth < 8) visit(entry, name, depth + 1);
      else {
        throw new ActivityModuleError(
          `activity "${name}" in ${source} is not a function (it is ${entry === null ? 'null' : Array.isArray(entry) ? 'a list' : typeof entry}); each activity name must map to a handler \`async (input, ctx) => output\``,
        );
      }
    }
  };
  visit(exported, '', 0);
  return Object.freeze(out);
}

/** Picks the activity map out of a module's exports. */
function activityExport(module: Record<string, unknown>, source: string): Record<string, unknown> {
  const candidates = [module.default, module.activities];
  for (const candidate of candidates) {
    if (isPlainMap(candidate)) {
      // A CommonJS module `module.exports = { activities }` arrives as default.activities.
      if (isPlainMap(candidate.activities) && Object.keys(candidate).length === 1) return candidate.activities;
      return candidate;
    }
  }
  if (typeof module.createActivities === 'function') {
    const made: unknown = (module.createActivities as () => unknown)();
    if (isPlainMap(made)) return made;
    throw new ActivityModuleError(`createActivities() in ${source} did not return a map of activity names to handlers`);
  }
  throw new ActivityModuleError(
    `${source} exports no activities: export a map of activity names to handlers as the default export, e.g. \`export default { 'inventory.reserve': async (input) => ({ id: 'r1' }) }\`, or as \`export const activities = { … }\``,
  );
}

let typeScriptForCommonJs: Promise<void> | undefined;

/**
 * bin/flowline.js registers tsx for ES modules; a .ts file in a package without `"type": "module"`
 * is loaded as CommonJS and needs tsx's CommonJS hook too. Registered once, on first need.
 */
function registerTypeScriptForCommonJs(): Promise<void> {
  typeScriptForCommonJs ??= import('tsx/cjs/api').then(({ register }) => {
    register();
  });
  return typeScriptForCommonJs;
}

/**
 * Imports the module at `path` (relative to the working directory) and returns its activities.
 * Throws ActivityModuleError with a one-line reason (never a stack trace) when it cannot.
 */
export async function loadActivities(path: string): Promise<ActivityMap> {
  const absolute = resolve(path);
  try {
    const info = await stat(absolute);
    if (!info.isFile()) throw new ActivityModuleError(`activity module ${path} is not a file`);
  } catch (error) {
    if (error instanceof ActivityModuleError) throw error;
    throw new ActivityModuleError(`activity module not found: ${path} (resolved to ${absolute})`);
  }
  let module: Record<string, unknown>;
  try {
    if (/\.[cm]?tsx?$/.test(absolute)) await registerTypeScriptForCommonJs();
    module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
    // A TypeScript file outside a `"type": "module"` package is compiled as CommonJS: its ES
    // exports then arrive as `default`, marked with `__esModule`.
    const inner = module.default as Record<string, unknown> | undefined;
    if (isPlainMap(inner) && inner.__esModule === true) module = inner;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ActivityModuleError(`cannot load activity module ${path}: ${reason}`);
  }
  return flattenActivities(activityExport(module, path), path);
}
