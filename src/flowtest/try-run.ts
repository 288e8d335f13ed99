/**
 * "Try it" (SPEC §13, the studio's third step): one run of a flow document that is not deployed,
 * on a private embedded engine with timers skipped, each activity mocked or its registered handler,
 * and the flow's tests run the same way. Nothing is shared with the server's own engine: each try
 * gets a fresh engine that is closed when the try ends. Side effects: runs the registered handlers
 * the caller chose, reads the flow tests of `flowsDir`.
 */
import { performance } from 'node:perf_hooks';
import { basename, relative } from 'node:path';
import type { ActivitySource } from '../activities/module.js';
import type { ActivityHandler, ActivityMap } from '../activities/types.js';
import { activityNames } from '../definition/definition-walk.js';
import { didYouMean } from '../definition/hints.js';
import { loadDefinitionFile } from '../definition/load.js';
import type { WorkflowDefinition } from '../definition/types.js';
import { TryBusyError, TryInvalidError } from '../errors.js';
import { signalWaits } from '../interpreter/index.js';
import type { ErrorInfo, HistoryEntry, RunStatus } from '../interpreter/types.js';
import { ManualClock, createEmbeddedEngine } from '../runtime/memory/index.js';
import { discoverFlowTests } from './discover.js';
import { caseActivities } from './mocks.js';
import { FlowTestInvalidError, parseFlowTest, readFlowTest } from './parse.js';
import { runCase } from './run-file.js';
import { stepStates, type StepState } from './step-states.js';
import type { CaseResult, Expectation, FlowTestFile, Mock } from './types.js';

/** For each activity: a mock (answers, one per attempt when a list), or the handler registered on the server. */
export type TryActivity = { readonly mock: Mock } | { readonly registered: true };

export interface TryRequest {
  readonly flow: WorkflowDefinition;
  /** Child workflows the flow may start (already loaded by the caller). */
  readonly children?: readonly WorkflowDefinition[];
  readonly input?: unknown;
  /** Activities not listed are not available: a step calling one fails with ActivityNotFound. */
  readonly activities?: Readonly<Record<string, TryActivity>>;
  /** Sent right after the start, in order (a run waits for the ones it needs; others are buffered). */
  readonly signals?: readonly { readonly name: string; readonly data?: unknown }[];
  /** Wall-clock bound of the try (ms); capped by the trier's `maxTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** A step's state for the graph. `compensated`: its compensation ran (or is running). */
export type TryStepState = StepState;
export { stepStates };

export interface TryOutcome {
  /** The run's status; `waiting` when nothing but a signal can move it on. */
  readonly status: RunStatus | 'waiting';
  readonly output: unknown;
  readonly error: ErrorInfo | null;
  /** With `waiting`: each signal waited for and the step waiting (path and id). */
  readonly waitingFor: readonly { readonly signal: string; readonly path: string; readonly stepId?: string }[];
  /** Last state of each step that did something, by step path (the graph's node paths). */
  readonly steps: Readonly<Record<string, TryStepState>>;
  readonly history: readonly HistoryEntry[];
  /** True when the history was longer than the trier returns (the first entries are kept). */
  readonly historyTruncated: boolean;
  /** Activity names in the order their handlers were called (every attempt). */
  readonly calls: readonly string[];
  readonly vars: Readonly<Record<string, unknown>>;
  /** Set when the try stopped a run that was still going: why. */
  readonly stopped?: string;
  readonly durationMs: number;
}

export interface TryTestsRequest {
  readonly flow: WorkflowDefinition;
  readonly children?: readonly WorkflowDefinition[];
  /** A test document's text; without it, the `*.test.yaml` files of `flowsDir` that test a flow of this name. */
  readonly tests?: string;
}

export interface TryCaseOutcome extends CaseResult {
  /** What the case expects (its `expect`), to show beside what happened. */
  readonly expected: Expectation;
}

export interface TryTestsOutcome {
  readonly files: readonly { readonly file: string; readonly invalid?: readonly string[]; readonly cases: readonly TryCaseOutcome[] }[];
}

export interface TrierOptions {
  /** Handlers the server runs in-process (`serve --embedded --activities`); a try may choose them. */
  readonly registered?: ActivityMap;
  /**
   * The same from their modules: each try and each test case gets `fresh()` handlers (a module's
   * `createActivities()`), so a handler's counters start over and trying again answers the same.
   * Wins over `registered`.
   */
  readonly source?: ActivitySource;
  /** The server's payload limit (bytes); default the engine's. */
  readonly payloadBytes?: number;
  /** Folder of flows and their tests (`serve --embedded DIR`). */
  readonly flowsDir?: string;
  /** Tries (runs or test runs) at the same time; more are refused with TryBusy. Default 4. */
  readonly maxConcurrent?: number;
  /** Longest a try may run (ms). Default 20 s. */
  readonly maxTimeoutMs?: number;
  /** History entries returned at most. Default 2 000. */
  readonly maxHistoryEntries?: number;
}

export const DEFAULT_TRY_TIMEOUT_MS = 10_000;

/** Runs tries and test runs, each on its own engine, at most `maxConcurrent` at once. */
export class FlowTrier {
  private running = 0;
  private readonly source: ActivitySource;
  private readonly maxConcurrent: number;
  private readonly maxTimeoutMs: number;
  private readonly maxHistory: number;

  constructor(private readonly options: TrierOptions = {}) {
    const registered = options.registered ?? {};
    this.source = options.source ?? { modules: [], fresh: () => registered };
    this.maxConcurrent = options.maxConcurrent ?? 4;
    this.maxTimeoutMs = options.maxTimeoutMs ?? 20_000;
    this.maxHistory = options.maxHistoryEntries ?? 2_000;
  }

  /** Names of the activities a try may run with their registered handler, sorted. */
  get registeredActivities(): readonly string[] {
    return Object.keys(this.source.fresh()).sort();
  }

  /** Whether test files are looked up in a folder when no test document is given. */
  get hasFlowsDir(): boolean {
    return this.options.flowsDir !== undefined;
  }

  async run(request: TryRequest): Promise<TryOutcome> {
    const activities = this.activitiesFor(request);
    return this.exclusive(() => this.runOnce(request, activities));
  }

  async runTests(request: TryTestsRequest): Promise<TryTestsOutcome> {
    const files = await this.testFiles(request);
    return this.exclusive(async () => {
      const deadline = performance.now() + this.maxTimeoutMs;
      const out: TryTestsOutcome['files'][number][] = [];
      for (const file of files) {
        if ('invalid' in file) {
          out.push({ file: file.file, invalid: file.invalid, cases: [] });
          continue;
        }
        const cases: TryCaseOutcome[] = [];
        for (const testCase of file.test.cases) {
          // One time bound for all the cases of the call, not one per case: a long test file
          // must not hold the request (and a try slot) for minutes.
          const left = deadline - performance.now();
          if (left < 1) {
            cases.push({ name: testCase.name, passed: false, reasons: [`not run: the tests took longer than ${this.maxTimeoutMs / 1000}s of real time in all`], durationMs: 0, expected: testCase.expect ?? {} });
            continue;
          }
          const result = await runCase(request.flow, request.children ?? [], this.source, testCase, Math.ceil(left));
          cases.push({ ...result, expected: testCase.expect ?? {} });
        }
        out.push({ file: file.file, cases });
      }
      return { files: out };
    });
  }

  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) throw new TryBusyError(this.maxConcurrent);
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
    }
  }

  /** The handlers of one try: mocks and chosen registered handlers, checked against what the flow calls. */
  private activitiesFor(request: TryRequest): { activities: ActivityMap; calls: string[] } {
    const called = new Set<string>();
    for (const definition of [request.flow, ...(request.children ?? [])]) for (const name of activityNames(definition.steps)) called.add(name);
    const mocks: Record<string, Mock> = {};
    const real: Record<string, ActivityHandler> = {};
    const registered = this.source.fresh();
    for (const [name, choice] of Object.entries(request.activities ?? {})) {
      if (!called.has(name)) {
        const hint = didYouMean(name, [...called]);
        throw new TryInvalidError(`the flow calls no activity named "${name}"${hint ? ` (${hint})` : ''}`);
      }
      if ('mock' in choice) {
        mocks[name] = choice.mock;
        continue;
      }
      const handler = registered[name];
      if (!handler) {
        throw new TryInvalidError(
          Object.keys(registered).length === 0
            ? `"${name}" cannot use a registered handler: this server runs no activities itself (on Redis they run in workers; with --embedded, start it with --activities). Mock it instead`
            : `no handler is registered for "${name}" on this server; mock it instead`,
        );
      }
      real[name] = handler;
    }
    return caseActivities(real, mocks);
  }

  private async runOnce(request: TryRequest, prepared: { activities: ActivityMap; calls: string[] }): Promise<TryOutcome> {
    const started = performance.now();
    const timeoutMs = Math.min(request.timeoutMs ?? DEFAULT_TRY_TIMEOUT_MS, this.maxTimeoutMs);
    // The clock moves only by skipping to the next timer, so a `wait: 2d` passes at once and slow
    // handlers never make a timer fire early (the same clock flow tests use).
    const engine = createEmbeddedEngine({
      activities: prepared.activities,
      skipTimers: true,
      clock: new ManualClock(Date.now()),
      ...(this.options.payloadBytes === undefined ? {} : { limits: { payloadBytes: this.options.payloadBytes } }),
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      for (const child of request.children ?? []) await engine.deploy(child);
      await engine.deploy(request.flow);
      const { runId } = await engine.start(request.flow.name, {
        version: request.flow.version,
        ...(request.input === undefined ? {} : { input: request.input }),
      });
      for (const signal of request.signals ?? []) await engine.signal(runId, signal.name, signal.data ?? null);
      const outOfTime = new Promise<'time'>((resolve) => (timer = setTimeout(() => resolve('time'), timeoutMs)));
      const how = await Promise.race([engine.result(runId, { wait: true }).then(() => 'ended' as const), engine.whenStalled().then(() => 'stalled' as const), outOfTime]);
      const { state, history } = engine.inspect(runId);
      const waits = state.status === 'running' ? signalWaits(state) : [];
      const waitingFor = waits.map((w) => {
        const stepId = stepIdAt(request.flow, w.path);
        return { signal: w.signal, path: w.path, ...(stepId === undefined ? {} : { stepId }) };
      });
      const status = state.status === 'running' && how !== 'time' && waitingFor.length > 0 ? 'waiting' : state.status;
      const stopped =
        state.status !== 'running' || status === 'waiting'
          ? undefined
          : how === 'time'
            ? `the run was still going after ${timeoutMs / 1000}s of real time and was stopped (an activity that does not answer, or a loop?)`
            : 'nothing can move the run on: it waits for something other than a signal (a child flow that waits?)';
      return {
        status,
        output: state.output ?? null,
        error: state.error,
        waitingFor,
        steps: stepStates(history, waitingFor),
        history: history.slice(0, this.maxHistory),
        historyTruncated: history.length > this.maxHistory,
        calls: [...prepared.calls],
        vars: state.vars,
        ...(stopped ? { stopped } : {}),
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      if (timer) clearTimeout(timer);
      await engine.close();
    }
  }

  /** The test documents to run: the one given, or those of `flowsDir` naming a flow file with this flow's name. */
  private async testFiles(request: TryTestsRequest): Promise<({ file: string; test: FlowTestFile } | { file: string; invalid: readonly string[] })[]> {
    if (request.tests !== undefined) {
      try {
        return [{ file: 'the test document', test: parseFlowTest(request.tests, 'the test document') }];
      } catch (error) {
        if (error instanceof FlowTestInvalidError) return [{ file: 'the test document', invalid: error.problems }];
        throw error;
      }
    }
    const dir = this.options.flowsDir;
    if (dir === undefined) return [];
    const found: ({ file: string; test: FlowTestFile } | { file: string; invalid: readonly string[] })[] = [];
    for (const path of await discoverFlowTests([dir])) {
      const shown = relative(dir, path) || basename(path);
      let test: FlowTestFile;
      try {
        test = await readFlowTest(path);
      } catch {
        // A broken test file names no flow we can trust; `flowline test` reports it.
        continue;
      }
      try {
        if ((await loadDefinitionFile(test.flowPath)).name === request.flow.name) found.push({ file: shown, test });
      } catch {
        // Its flow does not load: not a test of this flow as far as we can tell.
      }
    }
    return found;
  }
}

/** The `id` of the step at `path` (a JSON pointer into the document, as in history entries). Pure. */
function stepIdAt(flow: WorkflowDefinition, path: string): string | undefined {
  let at: unknown = flow;
  for (const part of path.split('/').slice(1)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  const id = (at as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}
