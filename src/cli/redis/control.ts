/** `flowline cancel`, `terminate` and `retry`: change the course of a run stored in Redis. */
import type { Command } from 'commander';
import { printJson } from '../output.js';
import { withEngine, withRedisOptions, type RedisCliOptions } from './common.js';

interface ReasonOptions extends RedisCliOptions {
  reason?: string;
}

export function registerControl(program: Command): void {
  withRedisOptions(
    program
      .command('cancel')
      .description('stop a run gracefully: running activities are aborted, compensations run, status cancelled')
      .argument('<runId>', 'run id')
      .option('--reason <text>', 'why (kept in history)'),
  ).action(async (runId: string, options: ReasonOptions) => {
    await withEngine(options, (engine) => engine.cancel(runId, options.reason));
    report(options, { runId, requested: 'cancel' }, `cancellation of ${runId} requested`);
  });

  withRedisOptions(
    program
      .command('terminate')
      .description('stop a run at once, without compensation')
      .argument('<runId>', 'run id')
      .option('--reason <text>', 'why (kept in history)'),
  ).action(async (runId: string, options: ReasonOptions) => {
    await withEngine(options, (engine) => engine.terminate(runId, options.reason));
    report(options, { runId, requested: 'terminate' }, `${runId} terminated`);
  });

  withRedisOptions(
    program.command('retry').description('retry a failed run from the step that failed, keeping completed steps').argument('<runId>', 'run id'),
  ).action(async (runId: string, options: RedisCliOptions) => {
    await withEngine(options, (engine) => engine.retry(runId));
    report(options, { runId, requested: 'retry' }, `${runId} retried from its failed step`);
  });
}

function report(options: RedisCliOptions, json: unknown, text: string): void {
  if (options.json) printJson(json);
  else process.stdout.write(`${text}\n`);
}
