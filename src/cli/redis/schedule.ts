/** `flowline schedule create|list|delete`: start a deployed workflow on a cron pattern or a fixed interval. */
import type { Command } from 'commander';
import { parseDuration } from '../../definition/duration.js';
import { CliExit, EXIT_INVALID, parseJsonArgument, printJson } from '../output.js';
import { parsePositiveInt, withEngine, withRedisOptions, type RedisCliOptions } from './common.js';

interface CreateOptions extends RedisCliOptions {
  workflow: string;
  version?: string;
  input?: string;
  cron?: string;
  every?: string;
  timezone?: string;
  overlap?: string;
}

export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description('start a flow on a cron expression or a fixed interval (Redis)');

  withRedisOptions(
    schedule
      .command('create')
      .description('create (or replace) a schedule')
      .argument('<id>', 'schedule id (letters, digits, . _ -)')
      .requiredOption('--workflow <name>', 'workflow to start')
      .option('--version <n>', 'pin a version (default: the latest at each start)')
      .option('--input <json>', 'input of every run: inline JSON or @file.json')
      .option('--cron <pattern>', 'cron pattern, e.g. "0 7 * * 1-5" (6 fields: seconds first)')
      .option('--every <duration>', 'fixed interval, e.g. 30s, 15m, 1h')
      .option('--timezone <tz>', 'IANA time zone of the cron pattern (default UTC)')
      .option('--overlap <policy>', 'skip (default): no new run while the previous one runs; allow: always start'),
  )
    .addHelpText('after', `\nExamples:\n  flowline schedule create nightly --workflow report --cron "0 2 * * *"\n  flowline schedule create poll --workflow sync --every 5m --overlap allow`)
    .action(async (id: string, options: CreateOptions) => {
      let every: number | undefined;
      if (options.every !== undefined) {
        try {
          every = parseDuration(options.every);
        } catch (error) {
          throw new CliExit(EXIT_INVALID, `--every: ${(error as Error).message}`);
        }
      }
      if (options.overlap !== undefined && options.overlap !== 'skip' && options.overlap !== 'allow') {
        throw new CliExit(EXIT_INVALID, '--overlap must be skip or allow');
      }
      const version = parsePositiveInt(options.version, '--version');
      const input = await parseJsonArgument(options.input, 'input');
      const info = await withEngine(options, (engine) =>
        engine.schedules.create({
          id,
          workflow: options.workflow,
          ...(version === undefined ? {} : { version }),
          ...(input === undefined ? {} : { input }),
          ...(options.cron === undefined ? {} : { cron: options.cron }),
          ...(every === undefined ? {} : { every }),
          ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
          ...(options.overlap === undefined ? {} : { overlap: options.overlap as 'skip' | 'allow' }),
        }),
      );
      if (options.json) printJson(info);
      else process.stdout.write(`schedule ${info.id} created: ${info.workflow} ${info.cron ? `cron "${info.cron}"` : `every ${info.every} ms`}, overlap ${info.overlap}${info.next ? `, next ${info.next}` : ''}\n`);
    });

  withRedisOptions(schedule.command('list').description('every schedule with its next fire time')).action(async (options: RedisCliOptions) => {
    const schedules = await withEngine(options, (engine) => engine.schedules.list());
    if (options.json) {
      printJson(schedules);
      return;
    }
    for (const s of schedules) {
      process.stdout.write(
        `${s.id}  ${s.workflow}${s.version ? ` v${s.version}` : ''}  ${s.cron ? `cron "${s.cron}"` : `every ${s.every} ms`}  overlap ${s.overlap}  next ${s.next ?? '-'}  last ${s.lastRunId ?? '-'}\n`,
      );
    }
  });

  withRedisOptions(schedule.command('delete').description('delete a schedule (runs already started go on)').argument('<id>', 'schedule id')).action(
    async (id: string, options: RedisCliOptions) => {
      const deleted = await withEngine(options, (engine) => engine.schedules.delete(id));
      if (!deleted) throw new CliExit(EXIT_INVALID, `no schedule with id "${id}"`);
      if (options.json) printJson({ id, deleted: true });
      else process.stdout.write(`schedule ${id} deleted\n`);
    },
  );
}
