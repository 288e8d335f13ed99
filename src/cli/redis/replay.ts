/**
 * `flowline replay <runId|history.json> [--flow FILE]`: replays a recorded history against the
 * current code and a definition, and reports the first non-deterministic decision. A run id is
 * read from Redis (history and pinned definition); a file is a history export (the object
 * `history --export` prints, or the bare array `history --json` prints, then with --flow).
 */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadDefinitionFile } from '../../definition/load.js';
import type { WorkflowDefinition } from '../../definition/types.js';
import { replayHistory } from '../../interpreter/index.js';
import type { HistoryEntry, ReplayReport } from '../../interpreter/types.js';
import { CliExit, EXIT_INVALID, EXIT_NONDETERMINISTIC, describeError, printJson } from '../output.js';
import { withEngine, withRedisOptions, type RedisCliOptions } from './common.js';

/** The `format` of a history export file. */
export const HISTORY_EXPORT_FORMAT = 'flowline-history/v1';

/** What `flowline history <runId> --export` prints and `flowline replay <file>` reads. */
export interface HistoryExport {
  readonly format: typeof HISTORY_EXPORT_FORMAT;
  readonly runId: string;
  /** The definition the run is pinned to. */
  readonly workflow: { readonly name: string; readonly version: number; readonly digest: string };
  readonly history: readonly HistoryEntry[];
}

interface ReplayCliOptions extends RedisCliOptions {
  flow?: string;
}

export function registerReplay(program: Command): void {
  withRedisOptions(
    program
      .command('replay')
      .description('replay a recorded history against the current code and definition; exit 3 at the first non-deterministic decision')
      .argument('<runId|history.json>', 'a run id (read from Redis), or a file holding a history export (`history --export`) or a bare history array (`history --json`, needs --flow)')
      .option('--flow <file>', 'replay against this flow document instead of the deployed definition the run is pinned to'),
  ).action(async (target: string, options: ReplayCliOptions) => {
    const flow = options.flow === undefined ? undefined : await loadFlow(options.flow);
    const report = (await isFile(target)) ? await replayFile(target, flow, options) : await withEngine(options, (engine) => engine.replay(target, flow ? { definition: flow } : {}));
    if (options.json) printJson(report);
    else process.stdout.write(formatReport(report));
    if (!report.deterministic) throw new CliExit(EXIT_NONDETERMINISTIC, '');
  });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function loadFlow(path: string): Promise<WorkflowDefinition> {
  try {
    return await loadDefinitionFile(path);
  } catch (error) {
    throw new CliExit(EXIT_INVALID, describeError(error));
  }
}

async function replayFile(path: string, flow: WorkflowDefinition | undefined, options: ReplayCliOptions): Promise<ReplayReport> {
  const exported = parseExport(await readFile(path, 'utf8'), path);
  let definition = flow;
  if (!definition) {
    if (!exported.workflow) {
      throw new CliExit(EXIT_INVALID, `${path} is a bare history array, which does not name its flow: give the flow with --flow FILE, or export the run with \`flowline history <runId> --export\``);
    }
    const { name, version } = exported.workflow;
    definition = await withEngine(options, (engine) => engine.runtime.registry.get(name, version));
  }
  try {
    return await replayHistory(definition, exported.history);
  } catch (error) {
    throw new CliExit(EXIT_INVALID, `${path}: ${describeError(error)}`);
  }
}

function parseExport(text: string, path: string): { workflow?: HistoryExport['workflow']; history: HistoryEntry[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliExit(EXIT_INVALID, `${path} is not valid JSON (${(error as Error).message})`);
  }
  if (Array.isArray(parsed)) return { history: parsed as HistoryEntry[] };
  const record = parsed as Partial<HistoryExport> | null;
  if (record && typeof record === 'object' && record.format === HISTORY_EXPORT_FORMAT && Array.isArray(record.history) && record.workflow) {
    return { workflow: record.workflow, history: record.history as HistoryEntry[] };
  }
  throw new CliExit(EXIT_INVALID, `${path} is not a history export: expected { "format": "${HISTORY_EXPORT_FORMAT}", "workflow": {…}, "history": […] } or a JSON array of history entries`);
}

/** The report for a person. Pure. */
export function formatReport(report: ReplayReport): string {
  const against = `${report.workflow.name} v${report.workflow.version}`;
  if (report.deterministic) return `run ${report.runId} replays deterministically against ${against} (${report.entries} entries, ${report.decisions} decisions)\n`;
  const d = report.divergence!;
  const step = d.stepId ?? d.path;
  return [
    `run ${report.runId} does NOT replay deterministically against ${against}`,
    `  first difference  history entry ${d.entryIndex} (deciding ${d.eventType} of entry ${d.eventIndex})${step ? `, step ${d.stepId ? `${d.stepId} (${d.path})` : d.path}` : ''}`,
    `  expected          ${d.expected ?? '(nothing)'}`,
    `  got               ${d.got ?? '(nothing)'}`,
    ...(d.field ? [`  differing field   ${d.field}`] : []),
    '',
    d.message,
    '',
  ].join('\n');
}
