/**
 * Finds and loads the activity module of a flow under test: `--activities MODULE` when given,
 * else the first of the conventional places next to the flow. Side effect: imports the module.
 */
import { access } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ActivityModuleError } from '../errors.js';
import type { ActivityMap } from '../activities/types.js';

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

function isActivityMap(value: unknown): value is ActivityMap {
  return value !== null && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'function');
}

/** Import an activity module. Throws ActivityModuleError when it cannot be imported or exports no activity map. */
export async function loadActivityModule(path: string): Promise<ActivitySource> {
  const absolute = resolve(path);
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ActivityModuleError(`cannot load activities from ${path}: ${(error as Error).message}`);
  }
  const shared = exported.default ?? exported.activities;
  const factory = exported.createActivities;
  if (typeof factory === 'function') {
    return {
      module: absolute,
      fresh: () => {
        const made: unknown = (factory as () => unknown)();
        if (!isActivityMap(made)) throw new ActivityModuleError(`createActivities() in ${path} did not return a map of activity names to functions`);
        return made;
      },
    };
  }
  if (!isActivityMap(shared)) {
    throw new ActivityModuleError(
      `${path} exports no activities: export a map of activity names to functions as the default export (or as \`activities\`)`,
    );
  }
  return { module: absolute, fresh: () => shared };
}

/** The activities of a flow under test: `explicit` (from --activities) when given, else the conventional module, else none. */
export async function activitiesFor(flowPath: string, explicit?: string): Promise<ActivitySource> {
  const module = explicit ?? (await findConventionalModule(flowPath));
  return module ? loadActivityModule(module) : EMPTY;
}
