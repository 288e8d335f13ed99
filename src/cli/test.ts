/** `flowline test [path…]`: runs flow tests (`*.test.yaml`, SPEC §11) on the embedded runtime with timers skipped. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_CASE_TIMEOUT_MS,
  PathNotFoundError,
  discoverFlowTests,
  junitXml,
  reportLines,
  runFlowTests,
  totals,
  type FileResult,
} from '../flowtest/index.js';
import { CliExit, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED, printJson } from './output.js';

interface TestCliOptions {
  junit?: string;
  activities: string[];
  json?: boolean;
  timeout: string;
}

/** Adds the `test` verb to the program. The action runs flow tests, prints results, and may write a JUnit file. */
export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run flow tests (*.test.yaml) with mocked activities, signals and skipped timers')
    .argument('[paths...]', 'test files or folders to search (default: workflows/, else the current folder)')
    .option('--junit <file>', 'also write the results as JUnit XML to this file')
    .option('--activities <module>', 'activity module for every flow, repeatable (default: the module next to each flow)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--json', 'print the results as one JSON object instead of lines')
    .option('--timeout <seconds>', 'wall-clock limit of one case', String(DEFAULT_CASE_TIMEOUT_MS / 1000))
    .addHelpText(
      'after',
      `
Activities that a case does not mock run their real handler, from --activities or else from the
first of <flow>.activities.ts, activities/index.ts or activities.ts next to the flow.
Exit codes: 0 every case passed, 1 a case failed, 2 bad usage or an invalid test file.

Examples:
  flowline test
  flowline test workflows/order-fulfilment.test.yaml --junit reports/flows.xml`,
    )
    .action(async (paths: string[], options: TestCliOptions) => {
      process.exitCode = await testCommand(paths, options);
    });
}

async function testCommand(paths: readonly string[], options: TestCliOptions): Promise<number> {
  const timeoutSeconds = Number(options.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new CliExit(EXIT_INVALID, `--timeout ${options.timeout}: give a positive number of seconds`);
  }
  let files: string[];
  try {
    files = await discoverFlowTests(paths);
  } catch (error) {
    if (error instanceof PathNotFoundError) throw new CliExit(EXIT_INVALID, error.message);
    throw error;
  }
  if (files.length === 0) {
    throw new CliExit(EXIT_INVALID, `no flow tests (*.test.yaml) found in ${paths.length ? paths.join(', ') : 'the default folder'}`);
  }

  const timestamp = new Date().toISOString();
  const print = (result: FileResult): void => {
    if (options.json) return;
    // Every line but the summary; the summary is printed once, last.
    for (const line of reportLines([result]).slice(0, -1)) process.stdout.write(`${line}\n`);
  };
  const results = await runFlowTests(
    files,
    { ...(options.activities.length > 0 ? { activities: options.activities } : {}), caseTimeoutMs: timeoutSeconds * 1000 },
    print,
  );
  const counts = totals(results);
  if (options.junit) {
    try {
      await mkdir(dirname(options.junit), { recursive: true });
      await writeFile(options.junit, junitXml(results, timestamp), 'utf8');
    } catch (error) {
      throw new CliExit(EXIT_INVALID, `cannot write --junit ${options.junit}: ${(error as Error).message}`);
    }
  }
  if (options.json) printJson({ ...counts, files: results });
  else process.stdout.write(`${counts.passed} passed, ${counts.failed} failed\n`);
  if (counts.invalidFiles > 0) return EXIT_INVALID;
  return counts.failed > 0 ? EXIT_RUN_FAILED : EXIT_OK;
}
