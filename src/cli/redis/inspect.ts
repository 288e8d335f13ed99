/** `flowline describe`, `history`, `list` and `result`: read runs stored in Redis. */
import type { Command } from 'commander';
import { RUN_STATUSES, type HistoryEntry, type RunStatus } from '../../interpreter/types.js';
import { CliExit, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED, printJson, printRunResult } from '../output.js';
import { parsePositiveInt, withEngine, withRedisOptions, type RedisCliOptions } from './common.js';
import { redactRunView } from '../../observability/run-redactor.js';
import { HISTORY_EXPORT_FORMAT, type HistoryExport } from './replay.js';

export function registerDescribe(program: Command): void {
  withRedisOptions(
    program.command('describe').description('show a run: status, workflow, times, variables, output and error').argument('<runId>', 'run id'),
  ).action(async (runId: string, options: RedisCliOptions) => {
    // Values at the flow's `redact` paths (and FLOWLINE_REDACT) are masked in what is printed.
    const description = await withEngine(options, async (engine) => {
      const view = await engine.describe(runId);
      return redactRunView(await engine.runtime.registry.get(view.name, view.version), view);
    });
    if (options.json) {
      printJson(description);
      return;
    }
    const lines = [
      `run       ${description.runId}`,
      `workflow  ${description.name} v${description.version}`,
      `status    ${description.status}`,
      `started   ${description.startedAt}`,
      `ended     ${description.endedAt ?? '-'}`,
      `attempt   ${description.attempt}`,
      ...(description.parentRunId ? [`parent    ${description.parentRunId}`] : []),
      `vars      ${JSON.stringify(description.vars)}`,
      ...(description.searchAttributes ? [`search    ${JSON.stringify(description.searchAttributes)}`] : []),
      `output    ${JSON.stringify(description.output ?? null)}`,
      ...(description.error ? [`error     ${description.error.type}: ${description.error.message}${description.error.step ? ` (step ${description.error.step})` : ''}`] : []),
      `history   ${description.historyLength} entries`,
      ...(description.generation > 1
        ? [
            `generation ${description.generation} (continued as new; latest earlier: ${description.continuedFrom
              .slice(-3)
              .map((g) => `#${g.generation} at ${g.continuedAt}`)
              .join(', ')})`,
          ]
        : []),
      ...description.warnings.map((w) => `warning   ${w.type}: ${w.message}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

export function registerHistory(program: Command): void {
  withRedisOptions(
    program
      .command('history')
      .description("a run's ordered history of events (readable while it runs)")
      .argument('<runId>', 'run id')
      .option('--export', 'print a history export for `flowline replay <file>`: { format, runId, workflow, history } (JSON)'),
  ).action(async (runId: string, options: RedisCliOptions & { export?: boolean }) => {
    const { history, workflow } = await withEngine(options, async (engine) => {
      const [entries, view] = await Promise.all([engine.history(runId), engine.describe(runId)]);
      const definition = await engine.runtime.registry.get(view.name, view.version);
      return { history: redactRunView(definition, entries), workflow: { name: definition.name, version: definition.version, digest: definition.digest } };
    });
    if (options.export) printJson({ format: HISTORY_EXPORT_FORMAT, runId, workflow, history } satisfies HistoryExport);
    else if (options.json) printJson(history);
    else process.stdout.write(history.map(formatEntry).join('\n') + (history.length ? '\n' : ''));
  });
}

/** One history line: `#index  time  type  step  attempt  details`. Pure. */
export function formatEntry(entry: HistoryEntry): string {
  const parts = [
    `#${entry.index}`.padEnd(5),
    new Date(entry.at).toISOString(),
    entry.type.padEnd(21),
    entry.stepId ?? entry.path ?? '',
  ];
  if (entry.attempt !== undefined) parts.push(`attempt ${entry.attempt}`);
  if (entry.details && Object.keys(entry.details).length) parts.push(JSON.stringify(entry.details));
  return parts.join('  ').trimEnd();
}

interface ListCliOptions extends RedisCliOptions {
  status?: string;
  name?: string;
  limit?: string;
  where?: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerList(program: Command): void {
  withRedisOptions(
    program
      .command('list')
      .description('runs, newest first, filtered by status, workflow name and search attributes (--where)')
      .option('--status <status>', `one of ${RUN_STATUSES.join(', ')}`)
      .option('--name <workflow>', 'workflow name')
      .option('--limit <n>', 'at most this many (default 100)')
      .option('--where <condition>', "a search attribute condition, e.g. customer=ann or 'total>100' (operators = != < <= > >=); repeat for more, all must hold", collect, []),
  ).action(async (options: ListCliOptions) => {
    if (options.status !== undefined && !RUN_STATUSES.includes(options.status as RunStatus)) {
      throw new CliExit(EXIT_INVALID, `--status must be one of ${RUN_STATUSES.join(', ')}`);
    }
    const where = options.where ?? [];
    const limit = parsePositiveInt(options.limit, '--limit');
    const runs = await withEngine(options, (engine) =>
      engine.list({
        ...(options.status === undefined ? {} : { status: options.status as RunStatus }),
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(limit === undefined ? {} : { limit }),
        ...(where.length === 0 ? {} : { where }),
      }),
    );
    if (options.json) {
      printJson(runs);
      return;
    }
    for (const run of runs) {
      const attributes = run.searchAttributes ? `  ${Object.entries(run.searchAttributes).map(([k, v]) => `${k}=${v ?? '-'}`).join(' ')}` : '';
      process.stdout.write(`${run.runId}  ${run.name} v${run.version}  ${run.status.padEnd(19)}  ${run.startedAt}  ${run.endedAt ?? '-'}${attributes}\n`);
    }
  });
}

interface ResultCliOptions extends RedisCliOptions {
  wait?: boolean;
  timeout?: string;
}

export function registerResult(program: Command): void {
  withRedisOptions(
    program
      .command('result')
      .description("a run's outcome: its output when completed (exit 1 when it did not complete)")
      .argument('<runId>', 'run id')
      .option('--wait', 'wait for the run to end')
      .option('--timeout <ms>', 'with --wait: give up after this many milliseconds'),
  ).action(async (runId: string, options: ResultCliOptions) => {
    const timeoutMs = parsePositiveInt(options.timeout, '--timeout');
    const result = await withEngine(options, (engine) =>
      engine.result(runId, { wait: options.wait === true, ...(timeoutMs === undefined ? {} : { timeoutMs }) }),
    );
    printRunResult(result, options.json === true);
    process.exitCode = result.status === 'completed' ? EXIT_OK : EXIT_RUN_FAILED;
  });
}
