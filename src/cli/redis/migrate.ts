/** `flowline migrate`: move running runs to another version of their flow (docs/decisions/0015). */
import type { Command } from 'commander';
import { MigrationBlockedError } from '../../errors.js';
import type { MigrationReport } from '../../runtime/engine.js';
import { CliExit, EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED, printJson } from '../output.js';
import { parsePositiveInt, withEngine, withRedisOptions, type RedisCliOptions } from './common.js';

interface MigrateCliOptions extends RedisCliOptions {
  toVersion?: string;
  dryRun?: boolean;
  name?: string;
  fromVersion?: string;
  limit?: string;
}

export function registerMigrate(program: Command): void {
  withRedisOptions(
    program
      .command('migrate')
      .description('move a running run (or every running run of a flow version) to another version; --dry-run prints the plan or what blocks it')
      .argument('[runId]', 'the run to move (or use --name and --from-version)')
      .requiredOption('--to-version <n>', 'the deployed version to move to')
      .option('--dry-run', 'only report what would move, or each step that blocks it; change nothing')
      .option('--name <workflow>', 'with --from-version: move every running run of this flow on that version')
      .option('--from-version <n>', 'with --name: the version whose running runs move')
      .option('--limit <n>', 'with --name: at most this many runs (default 1000)'),
  ).action(async (runId: string | undefined, options: MigrateCliOptions) => {
    const toVersion = parsePositiveInt(options.toVersion, '--to-version')!;
    const dryRun = options.dryRun === true;
    const many = options.name !== undefined || options.fromVersion !== undefined;
    if (many === (runId !== undefined)) throw new CliExit(EXIT_INVALID, 'give either a run id or --name with --from-version');
    let reports: readonly MigrationReport[];
    if (many) {
      if (options.name === undefined || options.fromVersion === undefined) throw new CliExit(EXIT_INVALID, '--name and --from-version go together');
      const fromVersion = parsePositiveInt(options.fromVersion, '--from-version')!;
      const limit = parsePositiveInt(options.limit, '--limit');
      reports = await withEngine(options, (engine) =>
        engine.migrateMany({ name: options.name!, fromVersion, toVersion, dryRun, ...(limit === undefined ? {} : { limit }) }),
      );
    } else {
      reports = [await withEngine(options, (engine) => engine.migrate(runId!, { toVersion, dryRun }).catch((error: unknown) => blockedReport(error, runId!)))];
    }
    if (options.json) printJson(many ? reports : reports[0]);
    else process.stdout.write(reports.map(describeReport).join('') || 'no running run matched\n');
    process.exitCode = reports.some((r) => r.outcome === 'blocked') ? EXIT_RUN_FAILED : EXIT_OK;
  });
}

/** A refused move as a report, so it prints like the others. */
function blockedReport(error: unknown, runId: string): MigrationReport {
  if (!(error instanceof MigrationBlockedError)) throw error;
  const details = error.details as { fromVersion: number; toVersion: number; blockers: MigrationReport['blockers'] };
  return { runId, fromVersion: details.fromVersion, toVersion: details.toVersion, allowed: false, blockers: details.blockers, warnings: [], moves: [], outcome: 'blocked' };
}

/** A report for people: the outcome, then each blocker, move and warning on its own line. Pure. */
export function describeReport(report: MigrationReport): string {
  const head = {
    migrated: `${report.runId}: moved from v${report.fromVersion} to v${report.toVersion}`,
    planned: `${report.runId}: can move from v${report.fromVersion} to v${report.toVersion} (dry run, nothing changed)`,
    blocked: `${report.runId}: cannot move from v${report.fromVersion} to v${report.toVersion}`,
    skipped: `${report.runId}: skipped (the run is no longer running)`,
  }[report.outcome];
  const lines = [head];
  for (const blocker of report.blockers) lines.push(`  blocked by ${blocker.step ?? 'the version'}: ${blocker.reason}`);
  if (report.outcome !== 'blocked') for (const move of report.moves) lines.push(`  ${move.step} (${move.kind}): ${move.from} -> ${move.to}`);
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}
