/** Loads the Lua scripts of lua/ and registers them on a client as EVALSHA-backed commands. */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const SCRIPTS = {
  flCommitTransition: { file: 'commit-transition.lua', keys: 6 },
  flClearOutbox: { file: 'clear-outbox.lua', keys: 1 },
  flDeployDefinition: { file: 'deploy-definition.lua', keys: 1 },
  flResolveDefinition: { file: 'resolve-definition.lua', keys: 1 },
  // Variable: the caller passes the number of keys first.
  flRateLimit: { file: 'rate-limit.lua', keys: undefined },
} as const;

type ScriptName = keyof typeof SCRIPTS;

const sources = new Map<ScriptName, string>();

/**
 * Where a script's file is: beside this module, in src/ (through tsx) as in dist/ (`npm run build`
 * copies lua/ there, since tsc copies only what it compiles).
 */
const LOCATIONS = ['./lua/'];

function source(name: ScriptName): string {
  let text = sources.get(name);
  if (text === undefined) {
    let lastError: unknown;
    for (const location of LOCATIONS) {
      try {
        text = readFileSync(new URL(`${location}${SCRIPTS[name].file}`, import.meta.url), 'utf8');
        break;
      } catch (error) {
        lastError = error;
      }
    }
    if (text === undefined) throw lastError;
    sources.set(name, text);
  }
  return text;
}

/** A client with Flowline's scripts defined on it. */
export type ScriptedClient = Redis & {
  [K in ScriptName]: (...args: (string | number | Buffer)[]) => Promise<unknown>;
};

const registered = new WeakSet<Redis>();

/** Defines every script on `client` (once per client). ioredis reloads a script after NOSCRIPT by itself. */
export function withScripts(client: Redis): ScriptedClient {
  if (!registered.has(client)) {
    for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
      const keys = SCRIPTS[name].keys;
      client.defineCommand(name, { ...(keys === undefined ? {} : { numberOfKeys: keys }), lua: source(name) });
    }
    registered.add(client);
  }
  return client as ScriptedClient;
}
