/** `flowline run <file>`: runs one flow once on the embedded runtime and prints its output (SPEC §9). */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ActivityMap } from '../activities/types.js';
import { loadDefinitionFile } from '../definition/load.js';
import { definitionStepFacts, readableStepPath } from '../definition/step-path.js';
import { childWorkflowNames } from '../definition/definition-walk.js';
import { formatDuration } from '../format-duration.js';
import type { WorkflowDefinition } from '../definition/types.js';
import { DefinitionInvalidError, FlowlineError, RunNotActiveError, type ValidationIssue } from '../errors.js';
import { checkSignal } from '../runtime/common/signal-checks.js';
import { createEmbeddedEngine, type PendingTimer } from '../runtime/memory/index.js';
import { activitiesFor } from '../activities/module.js';
import { CliExit, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED, describeError, parseJsonArgument, printRunResult } from './output.js';

interface RunCliOptions {
  input?: string;
  activities: string[];
  signal: string[];
  skipTimers?: boolean;
  flows: string[];
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a flow once on the embedded runtime and print its output as JSON')
    .argument('<file>', 'workflow document (.yaml, .yml or .json)')
    .option('--input <json>', 'run input: inline JSON or @file.json')
    .option(
      '--activities <module>',
      "JS/TS module whose default export (or `activities`) maps activity names to handlers; repeatable (default: <flow>.activities.ts or activities/index.ts next to the flow, if any)",
      collect,
      [],
    )
    .option('--signal <name=json>', 'signal delivered right after the start (repeatable, in order; JSON may be @file)', collect, [])
    .option('--skip-timers', 'fire timers at once whenever the run has nothing else to do')
    .option('--flows <dir>', 'another directory of workflow documents for child workflows (repeatable)', collect, [])
    .option('--json', 'print one object { runId, status, output, error } whatever the outcome')
    .addHelpText(
      'after',
      `
Exit codes: 0 the run completed, 1 it ended in any other status, 2 bad usage, invalid document, input or signal.
Child workflows are resolved from the workflow documents in the file's own directory and in --flows.

Examples:
  flowline run workflows/order.yaml --input '{"sku":"A1","qty":2}' --activities ./activities.ts
  flowline run flow.yaml --input @input.json --signal 'approve={"by":"ann"}' --skip-timers --json`,
    )
    .action(async (file: string, options: RunCliOptions) => {
      process.exitCode = await runCommand(file, options);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the verb; returns the exit code. Throws CliExit for bad usage and invalid documents or input. */
async function runCommand(file: string, options: RunCliOptions): Promise<number> {
  const definition = await loadMain(file);
  const input = await parseJsonArgument(options.input, 'input');
  const signals = await parseSignals(options.signal);
  for (const signal of signals) {
    try {
      checkSignal(definition, { runId: '(new run)', status: 'running' }, signal.name, signal.data, Number.POSITIVE_INFINITY);
    } catch (error) {
      throw new CliExit(EXIT_INVALID, `--signal ${signal.name}: ${describeError(error)}`);
    }
  }
  for (const dir of options.flows) {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new CliExit(EXIT_INVALID, `--flows ${dir}: not a directory`);
  }
  const activities: ActivityMap = (await activitiesFor(file, options.activities)).fresh();

  let runId: string | undefined;
  const engine = createEmbeddedEngine({
    activities,
    skipTimers: options.skipTimers === true,
    // Without --skip-timers a run may wait for hours: say what for, so a silent terminal is explained.
    onIdle: (pending) => {
      const notice = runId === undefined ? undefined : waitingNotice(runId, pending, definition, Date.now());
      if (notice) process.stderr.write(`${notice}\n`);
    },
  });
  try {
    await engine.deploy(definition);
    if (childWorkflowNames(definition.steps).size > 0) {
      const directories = [dirname(resolve(file)), ...options.flows.map((dir) => resolve(dir))];
      for (const child of await loadFlowDirectories(directories, resolve(file))) {
        try {
          await engine.deploy(child.definition);
        } catch (error) {
          process.stderr.write(`flowline: skipping ${child.file}: ${describeError(error)}\n`);
        }
      }
    }

    try {
      ({ runId } = await engine.start(definition.name, { version: definition.version, input }));
    } catch (error) {
      if (error instanceof FlowlineError) throw new CliExit(EXIT_INVALID, describeError(error));
      throw error;
    }
    const started: string = runId;
    const stopOnInterrupt = (): void => {
      process.stderr.write(`flowline: cancelling run ${started} (press Ctrl-C again to quit at once)\n`);
      process.off('SIGINT', stopOnInterrupt);
      void engine.cancel(started, 'interrupted').catch(() => undefined);
    };
    process.on('SIGINT', stopOnInterrupt);
    try {
      for (const signal of signals) {
        try {
          await engine.signal(started, signal.name, signal.data);
        } catch (error) {
          if (!(error instanceof RunNotActiveError)) throw error;
          process.stderr.write(`flowline: signal "${signal.name}" not delivered: the run had already ended\n`);
        }
      }
      const ended = engine.result(started, { wait: true });
      const stalled = engine.whenStalled().then(() => undefined);
      let result = await Promise.race([ended, stalled]);
      if (result === undefined && (await engine.result(started)).status === 'running') {
        // Nothing in this process can wake the run (no timer, no activity) and nobody else can
        // signal it: end it gracefully rather than hang forever.
        const declared = Object.keys(definition.signals);
        process.stderr.write(
          `flowline: run ${started} is stuck: no timer is pending and no activity is running${declared.length ? `; it may be waiting for a signal (declared: ${declared.join(', ')}) — pass it with --signal name=JSON` : ''}. Cancelling it.\n`,
        );
        await engine.cancel(started, 'stuck: nothing can make progress').catch(() => undefined);
      }
      result = await ended;
      printRunResult(result, options.json === true, (pointer) => readableStepPath(pointer, definitionStepFacts(definition)));
      return result.status === 'completed' ? EXIT_OK : EXIT_RUN_FAILED;
    } finally {
      process.off('SIGINT', stopOnInterrupt);
    }
  } finally {
    await engine.close();
  }
}


async function loadMain(file: string): Promise<WorkflowDefinition> {
  try {
    return await loadDefinitionFile(file);
  } catch (error) {
    if (error instanceof DefinitionInvalidError) {
      throw new CliExit(EXIT_INVALID, error.issues.map((issue) => formatIssue(issue, file)).join('\n'));
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliExit(EXIT_INVALID, `cannot read ${file}: no such file`);
    throw new CliExit(EXIT_INVALID, `cannot load ${file}: ${describeError(error)}`);
  }
}

/** `file:line:col  message  (hint)`, as `flowline validate` prints it. */
function formatIssue(issue: ValidationIssue, file: string): string {
  const where = `${issue.file ?? file}:${issue.line ?? 1}:${issue.column ?? 1}`;
  return `${where}  ${issue.message}${issue.hint ? `  (${issue.hint})` : ''}`;
}

/** `name=JSON` (or `name=@file.json`, or just `name` for a null payload). */
async function parseSignals(values: readonly string[]): Promise<{ name: string; data: unknown }[]> {
  const signals: { name: string; data: unknown }[] = [];
  for (const value of values) {
    const equals = value.indexOf('=');
    const name = equals === -1 ? value : value.slice(0, equals);
    if (name === '') throw new CliExit(EXIT_INVALID, `--signal ${value}: write it as name=JSON, e.g. --signal 'approve={"by":"ann"}'`);
    const data = equals === -1 ? null : await parseJsonArgument(value.slice(equals + 1), 'signal');
    signals.push({ name, data });
  }
  return signals;
}

/** Waits shorter than this are not worth a line on the terminal. */
const NOTICE_MIN_WAIT_MS = 1_000;

/**
 * One line saying what the run waits for (its earliest timer that is not the run's own timeout,
 * else that), or undefined when the wait is too short to mention. Pure.
 */
export function waitingNotice(runId: string, pending: readonly PendingTimer[], definition: WorkflowDefinition, now: number): string | undefined {
  const mine = pending.filter((timer) => timer.runId === runId);
  const earliest = (timers: readonly PendingTimer[]): PendingTimer | undefined =>
    timers.reduce<PendingTimer | undefined>((best, timer) => (!best || timer.at < best.at ? timer : best), undefined);
  const next = earliest(mine.filter((timer) => timer.purpose !== 'run-timeout')) ?? earliest(mine);
  if (!next || next.at - now < NOTICE_MIN_WAIT_MS) return undefined;
  const when = `${new Date(next.at).toISOString()} (in ${formatDuration(Math.round((next.at - now) / 1000) * 1000)})`;
  const declared = Object.keys(definition.signals);
  const signalHint = declared.length > 0 ? `; if it waits for a signal (${declared.join(', ')}), pass it with --signal name=JSON` : '';
  const what =
    next.purpose === 'wait'
      ? `waiting until ${when}`
      : next.purpose === 'retry'
        ? `waiting to retry a failed step at ${when}`
        : next.purpose === 'step-timeout'
          ? `waiting; a step times out at ${when}${signalHint}`
          : `waiting; the run times out at ${when}${signalHint}`;
  return `flowline: run ${runId} is ${what}. --skip-timers skips waiting; Ctrl-C cancels the run.`;
}


const FLOW_FILE = /\.(ya?ml|json)$/i;
const FLOW_TEST_FILE = /\.test\.(ya?ml|json)$/i;

/**
 * Every workflow document in `directories` (not recursive), except flow tests, the main file,
 * and files that do not load as workflows (they are other YAML/JSON, or broken: not this run's concern).
 */
async function loadFlowDirectories(
  directories: readonly string[],
  mainFile: string,
): Promise<{ file: string; definition: WorkflowDefinition }[]> {
  const found: { file: string; definition: WorkflowDefinition }[] = [];
  const seen = new Set<string>([mainFile]);
  for (const directory of directories) {
    let entries: string[];
    try {
      entries = (await readdir(directory)).sort();
    } catch (error) {
      throw new CliExit(EXIT_INVALID, `--flows ${directory}: ${(error as Error).message}`);
    }
    for (const entry of entries) {
      const file = join(directory, entry);
      if (!FLOW_FILE.test(entry) || FLOW_TEST_FILE.test(entry) || seen.has(file) || basename(entry).startsWith('.')) continue;
      seen.add(file);
      try {
        found.push({ file, definition: await loadDefinitionFile(file) });
      } catch {
        // Not a workflow document (or a broken one): skipped.
      }
    }
  }
  return found;
}
