/**
 * Runs one flow test file: loads the flow and its children, then runs every case on a fresh
 * embedded engine with timers skipped, mocks in place and calls recorded. Side effects: reads
 * files, imports the activity module, runs the real handlers that are not mocked.
 */
import { performance } from 'node:perf_hooks';
import { loadDefinitionFile } from '../definition/load.js';
import type { WorkflowDefinition } from '../definition/types.js';
import { DefinitionInvalidError, FlowlineError, WaitTimeoutError } from '../errors.js';
import { ManualClock, createEmbeddedEngine } from '../runtime/memory/index.js';
import { activitiesFor, type ActivitySource } from '../activities/module.js';
import { compare, type Observed } from './expect.js';
import { childDefinitions, displayPath } from './flow-directory.js';
import { caseActivities } from './mocks.js';
import { activityNames } from '../definition/definition-walk.js';
import { didYouMean } from '../definition/hints.js';
import { FlowTestInvalidError, readFlowTest } from './parse.js';
import type { CaseResult, FileResult, FlowTestCase, FlowTestFile } from './types.js';

/** Options of a flow test run. */
export interface FlowTestOptions {
  /** Activity modules for every file (repeated `--activities`); default: the module next to each flow. */
  readonly activities?: readonly string[];
  /** Wall-clock bound on one case (ms); a run still going after it fails the case. Default 10 s. */
  readonly caseTimeoutMs?: number;
}

export const DEFAULT_CASE_TIMEOUT_MS = 10_000;

/**
 * Wall-clock bound on one expression in flow tests (production: 100 ms). Flow tests check a
 * flow's logic; on a busy CI machine an ordinary expression can take longer than 100 ms, and a
 * test must not fail with ExpressionTimeout for that. A runaway expression still fails, later.
 */
export const TEST_EXPRESSION_TIMEOUT_MS = 1_000;

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 1000) / 1000;
}

function describeThrown(error: unknown): string {
  if (error instanceof FlowlineError) return `${error.type}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A mock for an activity the flow never calls is almost always a typo (and the real handler
 * would silently run instead): say so, with the nearest name. Pure.
 */
function mockProblems(testCase: FlowTestCase, definitions: readonly WorkflowDefinition[]): string[] {
  const called = new Set<string>();
  for (const definition of definitions) for (const name of activityNames(definition.steps)) called.add(name);
  return Object.keys(testCase.mocks ?? {})
    .filter((name) => !called.has(name))
    .map((name) => {
      const hint = didYouMean(name, [...called]);
      return `mocks: the flow calls no activity named "${name}"${hint ? ` (${hint})` : ''}`;
    });
}

/** Run one case on its own engine. Never throws: every problem becomes a failure reason. */
export async function runCase(
  flow: WorkflowDefinition,
  children: readonly WorkflowDefinition[],
  source: ActivitySource,
  testCase: FlowTestCase,
  caseTimeoutMs = DEFAULT_CASE_TIMEOUT_MS,
): Promise<CaseResult> {
  const started = performance.now();
  const fail = (reason: string, actual?: CaseResult['actual']): CaseResult => ({
    name: testCase.name,
    passed: false,
    reasons: [reason],
    durationMs: elapsed(started),
    ...(actual ? { actual } : {}),
  });
  const unknownMocks = mockProblems(testCase, [flow, ...children]);
  if (unknownMocks.length) return { name: testCase.name, passed: false, reasons: unknownMocks, durationMs: elapsed(started) };
  let engine;
  let calls: string[];
  try {
    const prepared = caseActivities(source.fresh(), testCase.mocks);
    calls = prepared.calls;
    // A manual clock that starts at the real time and moves only by skipping to the next timer:
    // how long handlers take in real time can never make a timer fire early (a CPU-starved CI
    // machine would otherwise let a `wait: 300ms` win a race it should lose).
    engine = createEmbeddedEngine({
      activities: prepared.activities,
      skipTimers: true,
      clock: new ManualClock(Date.now()),
      limits: { expression: { timeoutMs: TEST_EXPRESSION_TIMEOUT_MS } },
    });
  } catch (error) {
    return fail(`cannot set up the activities: ${describeThrown(error)}`);
  }
  try {
    for (const child of children) await engine.deploy(child);
    let observed: Observed;
    try {
      const result = await engine.run(flow, {
        ...(testCase.input === undefined ? {} : { input: testCase.input }),
        signals: (testCase.signals ?? []).map((s) => ({ name: s.name, data: s.data ?? null })),
        timeoutMs: caseTimeoutMs,
      });
      const description = await engine.describe(result.runId);
      observed = { status: result.status, output: result.output, error: result.error, calls: [...calls], vars: description.vars };
    } catch (error) {
      if (error instanceof WaitTimeoutError) {
        const runId = (error.details as { runId: string }).runId;
        const description = await engine.describe(runId);
        observed = { status: description.status, output: null, error: description.error, calls: [...calls], vars: description.vars };
        if (testCase.expect?.status !== 'running') {
          return fail(
            `the run was still running after ${caseTimeoutMs / 1000}s (waiting for a signal the case does not send?)`,
            observed,
          );
        }
      } else if (error instanceof FlowlineError) {
        // Refused before it started (invalid input, undeclared signal…): a case may expect exactly that.
        observed = { status: null, output: null, error: { type: error.type, message: error.message }, calls: [...calls], vars: {} };
      } else {
        return fail(`the run crashed: ${describeThrown(error)}`);
      }
    }
    const reasons = compare(testCase.expect ?? {}, observed);
    return { name: testCase.name, passed: reasons.length === 0, reasons, durationMs: elapsed(started), actual: observed };
  } finally {
    await engine.close();
  }
}

/** Load the flow a test file names; an invalid flow makes the whole file invalid. */
async function loadFlow(test: FlowTestFile): Promise<WorkflowDefinition> {
  try {
    return await loadDefinitionFile(displayPath(test.flowPath));
  } catch (error) {
    const flow = displayPath(test.flowPath);
    if (error instanceof DefinitionInvalidError) {
      throw new FlowTestInvalidError(
        test.file,
        error.issues.map((i) => `${i.file ?? flow}:${i.line ?? 1}:${i.column ?? 1}  ${i.message}${i.hint ? `  (${i.hint})` : ''}`),
      );
    }
    const code = (error as NodeJS.ErrnoException).code;
    throw new FlowTestInvalidError(test.file, [
      code === 'ENOENT' ? `${test.file}: the flow ${flow} does not exist` : `${test.file}: cannot load the flow ${flow}: ${describeThrown(error)}`,
    ]);
  }
}

/** Run every case of one test file, in order. Never throws: an unusable file is reported as `invalid`. */
export async function runFlowTestFile(file: string, options: FlowTestOptions = {}): Promise<FileResult> {
  const started = performance.now();
  const shown = displayPath(file);
  try {
    const test = await readFlowTest(shown);
    const flow = await loadFlow(test);
    const children = await childDefinitions(flow, test.flowPath);
    const source = await activitiesFor(test.flowPath, options.activities);
    const cases: CaseResult[] = [];
    for (const testCase of test.cases) cases.push(await runCase(flow, children, source, testCase, options.caseTimeoutMs));
    return { file: shown, cases, durationMs: elapsed(started) };
  } catch (error) {
    const problems = error instanceof FlowTestInvalidError ? error.problems : [`${shown}: ${describeThrown(error)}`];
    return { file: shown, invalid: problems, cases: [], durationMs: elapsed(started) };
  }
}
