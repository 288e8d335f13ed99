/**
 * `flowline validate <file…> [--json] [--activities MODULE]`: checks documents and prints every
 * problem of every file, sorted, as `file:line:col  message  (hint)`. Exit 0 when all are valid, 2
 * otherwise. Directories are searched for *.yaml, *.yml and *.json files (flow tests excluded);
 * a flow test file named explicitly is checked against the flow-test schema.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import type { ValidationIssue } from '../errors.js';
import { validateDefinitionFile } from '../definition/load.js';
import { FlowTestInvalidError, readFlowTest } from '../flowtest/parse.js';
import { findConventionalModule, loadActivities } from '../activities/module.js';
import { CliExit, EXIT_INVALID, EXIT_OK, printJson, describeError } from './output.js';

interface ValidateOptions {
  readonly json?: boolean;
  /** Activity modules (repeated `--activities`); without any, each flow's conventional module, if it has one. */
  readonly activities?: readonly string[];
}

/** The result for one file, as printed by `--json`. */
export interface FileReport {
  readonly file: string;
  readonly valid: boolean;
  readonly issues: ReadonlyArray<Required<Pick<ValidationIssue, 'file' | 'line' | 'column' | 'pointer' | 'message'>> & { hint?: string }>;
}

const DOCUMENT = /\.(ya?ml|json)$/i;
const FLOW_TEST = /\.test\.(ya?ml|json)$/i;

/** Files named on the command line, with directories expanded (recursively, sorted). */
async function expand(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let isDirectory = false;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch {
      // A missing file is reported as an issue of that file.
    }
    if (!isDirectory) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    const found = entries
      .filter((e) => e.isFile() && DOCUMENT.test(e.name) && !FLOW_TEST.test(e.name) && !e.name.endsWith('.schema.json'))
      .map((e) => join(e.parentPath ?? path, e.name))
      .filter((file) => !file.split(/[\\/]/).includes('node_modules'))
      .sort();
    files.push(...found);
  }
  return files;
}

/**
 * Problems of a flow test file (`*.test.yaml`), from the flow-test parser's
 * `file:line:col  message  (hint)` lines.
 */
async function flowTestIssues(file: string): Promise<ValidationIssue[]> {
  try {
    await readFlowTest(file);
    return [];
  } catch (error) {
    if (!(error instanceof FlowTestInvalidError)) throw error;
    return error.problems.map((problem) => {
      const match = /^(.*?):(\d+):(\d+) {2}(.*?)(?: {2}\((.*)\))?$/.exec(problem);
      if (!match) return { file, line: 1, column: 1, pointer: '', message: problem.startsWith(`${file}: `) ? problem.slice(file.length + 2) : problem };
      return { file, line: Number(match[2]), column: Number(match[3]), pointer: '', message: match[4], ...(match[5] ? { hint: match[5] } : {}) };
    });
  }
}

/** A path relative to the working directory when it lies below it, else absolute. Pure. */
function displayPath(path: string): string {
  const below = relative(process.cwd(), path);
  return below.startsWith('..') ? path : below;
}

/** One line per issue: `file:line:col  message  (hint)`. */
export function formatIssue(issue: ValidationIssue): string {
  return `${issue.file ?? '<document>'}:${issue.line ?? 1}:${issue.column ?? 1}  ${issue.message}${issue.hint ? `  (${issue.hint})` : ''}`;
}

/** Validates files and reports; resolves to the exit code. Reads files and imports the activity module. */
export async function runValidate(paths: readonly string[], options: ValidateOptions): Promise<number> {
  const explicit = options.activities ?? [];
  // Activity names by module list, so a folder of flows sharing activities/index.ts loads it once.
  const loaded = new Map<string, readonly string[]>();
  const activityNames = async (modules: readonly string[]): Promise<readonly string[]> => {
    const key = modules.join('\n');
    let names = loaded.get(key);
    if (!names) {
      try {
        names = Object.keys(await loadActivities(...modules));
      } catch (error) {
        throw new CliExit(EXIT_INVALID, `flowline validate: ${describeError(error)}`);
      }
      loaded.set(key, names);
    }
    return names;
  };
  const files = await expand(paths);
  if (files.length === 0) throw new CliExit(EXIT_INVALID, 'flowline validate: no .yaml, .yml or .json files found');
  const reports: FileReport[] = [];
  for (const file of files) {
    let issues: readonly ValidationIssue[];
    if (FLOW_TEST.test(file)) issues = await flowTestIssues(file);
    else {
      const conventional = explicit.length > 0 ? null : await findConventionalModule(file);
      const modules = conventional ? [displayPath(conventional)] : explicit;
      ({ issues } = await validateDefinitionFile(
        file,
        modules.length > 0 ? { activities: await activityNames(modules), activitiesSource: modules.join(', ') } : {},
      ));
    }
    reports.push({
      file,
      valid: issues.length === 0,
      issues: issues.map((i) => ({
        file,
        line: i.line ?? 1,
        column: i.column ?? 1,
        pointer: i.pointer,
        message: i.message,
        ...(i.hint ? { hint: i.hint } : {}),
      })),
    });
  }
  const valid = reports.every((r) => r.valid);
  if (options.json) printJson({ valid, files: reports });
  else {
    for (const report of reports) {
      if (report.valid) process.stdout.write(`${report.file}: valid\n`);
      for (const issue of report.issues) process.stdout.write(`${formatIssue(issue)}\n`);
    }
    const invalid = reports.filter((r) => !r.valid);
    if (invalid.length > 0) {
      const count = invalid.reduce((n, r) => n + r.issues.length, 0);
      process.stderr.write(`${count} problem${count === 1 ? '' : 's'} in ${invalid.length} of ${reports.length} file${reports.length === 1 ? '' : 's'}\n`);
    }
  }
  return valid ? EXIT_OK : EXIT_INVALID;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check workflow documents and print every problem as file:line:col  message  (hint)')
    .argument('<file...>', 'workflow files (.yaml, .yml, .json) or directories holding them')
    .option('--json', 'print { valid, files: [{ file, valid, issues: [{ file, line, column, pointer, message, hint }] }] }')
    .option(
      '--activities <module>',
      "JS/TS module of activity handlers, repeatable: report `call`s of activities it does not register (default: each flow's <flow>.activities.ts or activities/index.ts next to it, if any)",
      (value: string, previous: readonly string[]) => [...previous, value],
      [] as readonly string[],
    )
    .action(async (paths: string[], options: ValidateOptions) => {
      process.exitCode = await runValidate(paths, options);
    });
}
