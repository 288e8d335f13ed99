/** Helpers of the conformance suite: engines per test, YAML loading, recorded activities, polling on history. */
import { afterEach } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import type { WorkflowDefinition } from '../../src/definition/types.js';
import type { ActivityContext, ActivityHandler, ActivityMap } from '../../src/activities/types.js';
import type { HistoryEntry } from '../../src/interpreter/types.js';
import type { Engine, RunResult, StartOptions } from '../../src/runtime/engine.js';

/** Creates an engine (on whatever runtime) that serves these activities. */
export type MakeEngine = (activities: ActivityMap) => Promise<Engine>;

export interface SuiteOptions {
  /** Called with each test's engine after the test, before it is closed (e.g. replay checks). */
  readonly afterTest?: (engine: Engine) => Promise<void>;
}

/** One activity call as a handler saw it. */
export interface CallRecord {
  readonly activity: string;
  readonly input: unknown;
  readonly attempt: number;
  readonly idempotencyKey: string;
  readonly stepId: string;
  readonly runId: string;
}

/** What each test uses: an engine with recorded activities, and shortcuts. */
export interface Harness {
  readonly engine: Engine;
  /** Every activity call, in the order handlers were entered. */
  readonly calls: CallRecord[];
  /** Names of the activities called, in order. */
  names(): string[];
  /** Loads and deploys a YAML document. */
  deploy(yaml: string): Promise<WorkflowDefinition>;
  /** Deploys, starts, sends signals right after the start, waits for the result. */
  run(yaml: string, options?: StartOptions & { signals?: { name: string; data?: unknown }[] }): Promise<RunResult>;
}

export interface SuiteContext {
  /** A fresh engine for this test with the given handlers (each call recorded). Closed after the test. */
  setup(activities?: ActivityMap): Promise<Harness>;
}

/** Registers the per-test bookkeeping and returns the context case files use. Call inside a describe. */
export function suiteContext(makeEngine: MakeEngine, options: SuiteOptions): SuiteContext {
  let engines: Engine[] = [];
  afterEach(async () => {
    const current = engines;
    engines = [];
    try {
      for (const engine of current) await options.afterTest?.(engine);
    } finally {
      for (const engine of current) await engine.close();
    }
  });
  return {
    async setup(activities: ActivityMap = {}) {
      const calls: CallRecord[] = [];
      const recorded: Record<string, ActivityHandler> = {};
      for (const [name, handler] of Object.entries(activities)) {
        recorded[name] = (input: unknown, ctx: ActivityContext) => {
          calls.push({
            activity: name,
            input,
            attempt: ctx.attempt,
            idempotencyKey: ctx.idempotencyKey,
            stepId: ctx.stepId,
            runId: ctx.runId,
          });
          return handler(input, ctx);
        };
      }
      const engine = await makeEngine(recorded);
      engines.push(engine);
      const harness: Harness = {
        engine,
        calls,
        names: () => calls.map((c) => c.activity),
        async deploy(yaml) {
          const definition = await load(yaml);
          await engine.deploy(definition);
          return definition;
        },
        async run(yaml, runOptions = {}) {
          const definition = await harness.deploy(yaml);
          const { signals = [], ...start } = runOptions;
          const { runId } = await engine.start(definition.name, { version: definition.version, ...start });
          for (const signal of signals) await engine.signal(runId, signal.name, signal.data);
          return engine.result(runId, { wait: true, timeoutMs: 10_000 });
        },
      };
      return harness;
    },
  };
}

/** Loads a YAML document with the real loader. Names are made unique per suite run (a shared Redis may hold earlier runs' definitions). */
export async function load(yaml: string): Promise<WorkflowDefinition> {
  const tagged = dedent(yaml)
    .replace(/^name: ([a-z0-9][a-z0-9._-]*)\s*$/gm, `name: $1-${SUITE_TAG}`)
    .replace(/^(\s*(?:- )?)workflow: ([a-z0-9][a-z0-9._-]*)\s*$/gm, `$1workflow: $2-${SUITE_TAG}`);
  return await loadDefinition(tagged, { file: 'conformance.yaml' });
}

/** Removes the indentation common to every non-blank line, so YAML can be indented in test code. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

/** Per-process suffix of workflow names, so reruns against a persistent store never conflict. */
export const SUITE_TAG = `c${process.pid.toString(36)}${Date.now().toString(36)}`;

/** The workflow name as deployed (with the suite's suffix). */
export function flowName(base: string): string {
  return `${base}-${SUITE_TAG}`;
}

/** A promise with its resolve function, for gating activities on each other without sleeps. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A handler that never finishes on its own: it rejects when its AbortSignal is raised and reports that. */
export function hangUntilAborted(onAbort?: (reason: unknown) => void): ActivityHandler {
  return (_input, ctx) =>
    new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        onAbort?.(ctx.signal.reason);
        reject(new Error('aborted'));
      });
    });
}

/**
 * Polls `history(runId)` until an entry matches (bounded: about 5 s), with a tiny await between
 * polls. Returns the matching entry.
 */
export async function waitForHistory(
  engine: Engine,
  runId: string,
  predicate: (entry: HistoryEntry) => boolean,
  what = 'history entry',
): Promise<HistoryEntry> {
  for (let poll = 0; poll < 1000; poll++) {
    const found = (await engine.history(runId)).find(predicate);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what} in run ${runId}`);
}

/** Polls until `check` returns true (bounded: about 5 s). */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let poll = 0; poll < 1000; poll++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Expect a promise to reject with an error of the given `type`; returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { type?: string; message: string };
  }
  throw new Error('expected the call to be refused, but it succeeded');
}
