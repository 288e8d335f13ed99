/** Flow tests (SPEC §11): authors test flows with mocked activities, signals and skipped timers, without code. */
import type { FileResult } from './types.js';
import { runFlowTestFile, type FlowTestOptions } from './run-file.js';

export { discoverFlowTests, FLOW_TEST_FILE, PathNotFoundError } from './discover.js';
export { runFlowTestFile, runCase, DEFAULT_CASE_TIMEOUT_MS, type FlowTestOptions } from './run-file.js';
export { parseFlowTest, readFlowTest, FlowTestInvalidError } from './parse.js';
export { compare, firstDifference, type Observed } from './expect.js';
export { caseActivities, type CaseActivities } from './mocks.js';
export { activitiesFor, loadActivityModules, findConventionalModule, CONVENTIONAL_MODULES, type ActivitySource } from '../activities/module.js';
export { reportLines, caseLine, totals, type Totals } from './report.js';
export { junitXml, xmlEscape } from './junit.js';
export { FLOW_TEST_SCHEMA } from './schema.js';
export type { FlowTestFile, FlowTestCase, Expectation, Mock, MockAnswer, MockedError, CaseResult, FileResult } from './types.js';

/** Run test files one after the other (output order is stable). Calls `onFile` as each one finishes. */
export async function runFlowTests(
  files: readonly string[],
  options: FlowTestOptions = {},
  onFile?: (result: FileResult) => void,
): Promise<FileResult[]> {
  const results: FileResult[] = [];
  for (const file of files) {
    const result = await runFlowTestFile(file, options);
    onFile?.(result);
    results.push(result);
  }
  return results;
}
export { FlowTrier, stepStates, DEFAULT_TRY_TIMEOUT_MS, type TrierOptions, type TryActivity, type TryRequest, type TryOutcome, type TryStepState, type TryTestsRequest, type TryTestsOutcome, type TryCaseOutcome } from './try-run.js';
