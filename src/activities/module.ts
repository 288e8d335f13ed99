/**
 * Activity modules: finding a flow's module by convention, importing JS/TS modules, and turning
 * their exports into an activity map. One place for `flowline run`, `validate`, `worker` and `test`.
 *
 * A module's default export, or its export named `activities`, maps activity names to handlers;
 * or it exports a `createActivities()` factory. Nested maps are flattened to dotted names
 * (`{ inventory: { reserve } }` → `inventory.reserve`). Side effect of the loaders: imports the
 * module (tsx, registered by bin/flowline.js, makes .ts work).
 */
import { access, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ActivityModuleError } from '../errors.js';
import type { ActivityHandler, ActivityMap } from './types.js';

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
 * A loaded activity module. `fresh()` gives the handlers for one use (a flow-test case): a new set
 * from the module's `createActivities()` when it has one, otherwise the module's shared map.
 */
export interface ActivitySource {
  /** Absolute paths of the modules, in the order given. */
  readonly modules: readonly string[];
  fresh(): ActivityMap;
}

/** No module at all. */
export const NO_ACTIVITIES: ActivitySource = { modules: [], fresh: () => ({}) };

function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  // Module namespace objects have a null prototype; so do maps built with Object.create(null).
  return proto === Object.prototype || proto === null;
}

/**
 * Flattens a map of handlers into `name → handler` with a null prototype, so an activity named
 * `constructor` or `toString` can never resolve to an inherited function. Pure.
 * Throws ActivityModuleError on anything that is neither a handler nor a nested map.
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

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The conventional activity module of a flow (absolute path), or null when there is none. */
export async function findConventionalModule(flowPath: string): Promise<string | null> {
  const folder = dirname(resolve(flowPath));
  const flowName = basename(flowPath, extname(flowPath));
  for (const pattern of CONVENTIONAL_MODULES) {
    const candidate = join(folder, pattern.replace('<flow>', flowName));
    if (await exists(candidate)) return candidate;
  }
  return null;
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

let typeScriptForEsm: Promise<void> | undefined;

/**
 * Imports a module; a TypeScript one that Node cannot load yet (the compiled CLI runs without
 * tsx, which would slow every command's start-up by half a second) is retried after tsx's ES
 * module hooks are registered, once. Where TypeScript already loads (the CLI from src/, vitest),
 * nothing is registered.
 */
async function importTypeScriptAware(href: string, typeScript: boolean): Promise<unknown> {
  try {
    return await import(href);
  } catch (error) {
    if (!typeScript || (error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    typeScriptForEsm ??= import('tsx/esm/api').then(({ register }) => {
      register();
    });
    await typeScriptForEsm;
    // Node keeps the failed import of this URL: ask again under another one.
    return import(`${href}?typescript`);
  }
}

/** Imports a module file. Throws ActivityModuleError with a one-line reason (never a stack trace). */
async function importModule(path: string): Promise<Record<string, unknown>> {
  const absolute = resolve(path);
  try {
    const info = await stat(absolute);
    if (!info.isFile()) throw new ActivityModuleError(`activity module ${path} is not a file`);
  } catch (error) {
    if (error instanceof ActivityModuleError) throw error;
    throw new ActivityModuleError(`activity module not found: ${path} (resolved to ${absolute})`);
  }
  try {
    const typeScript = /\.[cm]?tsx?$/.test(absolute);
    if (typeScript) await registerTypeScriptForCommonJs();
    let module = (await importTypeScriptAware(pathToFileURL(absolute).href, typeScript)) as Record<string, unknown>;
    // A TypeScript file outside a `"type": "module"` package is compiled as CommonJS: its ES
    // exports then arrive as `default`, marked with `__esModule`.
    const inner = module.default as Record<string, unknown> | undefined;
    if (isPlainMap(inner) && inner.__esModule === true) module = inner;
    return module;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ActivityModuleError(`cannot load activity module ${path}: ${reason}`);
  }
}

/** The shared activity map a module exports, or undefined when it exports only a factory (or nothing). */
function sharedExport(module: Record<string, unknown>): Record<string, unknown> | undefined {
  for (const candidate of [module.default, module.activities]) {
    if (isPlainMap(candidate)) {
      // A CommonJS module `module.exports = { activities }` arrives as default.activities.
      if (isPlainMap(candidate.activities) && Object.keys(candidate).length === 1) return candidate.activities;
      return candidate;
    }
  }
  return undefined;
}

/** Imports one module as a source of activities. Throws ActivityModuleError. */
async function loadOne(path: string): Promise<ActivitySource> {
  const module = await importModule(path);
  const absolute = resolve(path);
  const factory = module.createActivities;
  const shared = sharedExport(module);
  if (typeof factory === 'function' && !shared) {
    return {
      modules: [absolute],
      fresh: () => {
        const made: unknown = (factory as () => unknown)();
        if (!isPlainMap(made)) throw new ActivityModuleError(`createActivities() in ${path} did not return a map of activity names to handlers`);
        return flattenActivities(made, path);
      },
    };
  }
  if (typeof factory === 'function') {
    // Both: flow tests want fresh state per case, so the factory wins.
    return { modules: [absolute], fresh: () => flattenActivities((factory as () => Record<string, unknown>)(), path) };
  }
  if (!shared) {
    throw new ActivityModuleError(
      `${path} exports no activities: export a map of activity names to handlers as the default export, e.g. \`export default { 'inventory.reserve': async (input) => ({ id: 'r1' }) }\`, or as \`export const activities = { … }\``,
    );
  }
  const map = flattenActivities(shared, path);
  return { modules: [absolute], fresh: () => map };
}

/**
 * Imports every module in `paths` (a repeated `--activities`) as one source. An activity name
 * registered by two modules is refused (ActivityModuleError naming both), as Temporal refuses a
 * duplicate registration: which handler runs must never depend on the order of flags.
 */
export async function loadActivityModules(paths: readonly string[]): Promise<ActivitySource> {
  const sources = await Promise.all(paths.map((path) => loadOne(path)));
  if (sources.length === 0) return NO_ACTIVITIES;
  if (sources.length === 1) return sources[0]!;
  const merge = (): ActivityMap => {
    const out = Object.create(null) as Record<string, ActivityHandler>;
    const owner = new Map<string, string>();
    sources.forEach((source, index) => {
      for (const [name, handler] of Object.entries(source.fresh())) {
        const first = owner.get(name);
        if (first !== undefined) {
          throw new ActivityModuleError(`activity "${name}" is registered by both ${first} and ${paths[index]}; keep it in one module`);
        }
        owner.set(name, paths[index]!);
        out[name] = handler;
      }
    });
    return Object.freeze(out);
  };
  merge(); // refuse duplicates at load time, not at first use
  return { modules: sources.flatMap((source) => source.modules), fresh: merge };
}

/** Imports the modules and returns one activity map (`flowline run`, `validate`, `worker`). Throws ActivityModuleError. */
export async function loadActivities(...paths: string[]): Promise<ActivityMap> {
  return (await loadActivityModules(paths)).fresh();
}

/**
 * The activities of a flow: the `explicit` modules (repeated `--activities`) when any are given,
 * else the flow's conventional module (`<flow>.activities.ts`, `activities/index.ts`… next to it),
 * else none.
 */
export async function activitiesFor(flowPath: string, explicit: readonly string[] = []): Promise<ActivitySource> {
  if (explicit.length > 0) return loadActivityModules(explicit);
  const conventional = await findConventionalModule(flowPath);
  return conventional ? loadActivityModules([conventional]) : NO_ACTIVITIES;
}
