/**
 * Finds and loads the activity module of a flow under test: `--activities MODULE` when given,
 * else the first of the conventional places next to the flow. Side effect: imports the module.
 */
import { access } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ActivityModuleError } from '../errors.js';
import type { ActivityHandler, ActivityMap } from '../activities/types.js';

/** Where a flow's activities are looked for, in order, relative to the flow's folder (`<flow>` = its file name without extension). */
export const CONVENTIONAL_MODULES = [
  '<flow>.activities.ts',
  '<flow>.activities.js',
  '<flow>.activities.mjs',
  'activities/index.ts',
  'activities/index.js',
  'activities/index.mjs',
  'activities.ts',
  'activities.js',
  'activities.mjs',
] as const;

/**
 * A loaded activity module. `fresh()` gives the handlers for one case: a new set from the
 * module's `createActivities()` export when it has one (so every case starts from empty in-memory
 * stores), otherwise the module's shared default export.
 */
export interface ActivitySource {
  readonly module: string | null;
  fresh(): ActivityMap;
}

const EMPTY: ActivitySource = { module: null, fresh: () => ({}) };

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The conventional activity module of a flow, or null when there is none. */
export async function findConventionalModule(flowPath: string): Promise<string | null> {
  const folder = dirname(flowPath);
  const flowName = basename(flowPath, extname(flowPath));
  for (const pattern of CONVENTIONAL_MODULES) {
    const candidate = join(folder, pattern.replace('<flow>', flowName));
    if (await exists(candidate)) return candidate;
  }
  return null;
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Flatten `{ inventory: { reserve } }` to `inventory.reserve`, as `flowline run --activities`
 * does, into a null-prototype map (no inherited `constructor` can pass for an activity).
 * Throws ActivityModuleError on anything that is not a handler or a nested map.
 */
export function flattenActivityMap(value: Record<string, unknown>, source: string): ActivityMap {
  const out = Object.create(null) as Record<string, ActivityHandler>;
  const visit = (map: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const key of Object.keys(map)) {
      const name = prefix ? `${prefix}.${key}` : key;
      const entry = map[key];
      if (typeof entry === 'function') out[name] = entry as ActivityHandler;
      else if (isPlainMap(entry) && depth < 8) visit(entry, name, depth + 1);
      else throw new ActivityModuleError(`activity "${name}" in ${source} is not a function`);
    }
  };
  visit(value, '', 0);
  return out;
}

/** Import an activity module. Throws ActivityModuleError when it cannot be imported or exports no activity map. */
export async function loadActivityModule(path: string): Promise<ActivitySource> {
  const absolute = resolve(path);
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
    // A TypeScript file compiled as CommonJS delivers its ES exports as `default` marked `__esModule`.
    const inner = exported.default as Record<string, unknown> | undefined;
    if (isPlainMap(inner) && inner.__esModule === true) exported = inner;
  } catch (error) {
    throw new ActivityModuleError(`cannot load activities from ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  const factory = exported.createActivities;
  if (typeof factory === 'function') {
    return {
      module: absolute,
      fresh: () => {
        const made: unknown = (factory as () => unknown)();
        if (!isPlainMap(made)) throw new ActivityModuleError(`createActivities() in ${path} did not return a map of activity names to functions`);
        return flattenActivityMap(made, path);
      },
    };
  }
  const shared = [exported.default, exported.activities].find(isPlainMap);
  if (!shared) {
    throw new ActivityModuleError(
      `${path} exports no activities: export a map of activity names to functions as the default export (or as \`activities\`, or a \`createActivities()\` factory)`,
    );
  }
  const map = flattenActivityMap(shared, path);
  return { module: absolute, fresh: () => map };
}

/** The activities of a flow under test: `explicit` (from --activities) when given, else the conventional module, else none. */
export async function activitiesFor(flowPath: string, explicit?: string): Promise<ActivitySource> {
  const module = explicit ?? (await findConventionalModule(flowPath));
  return module ? loadActivityModule(module) : EMPTY;
}
