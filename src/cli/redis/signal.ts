/** `flowline signal` and `flowline query`: talk to a running run on Redis. */
import type { Command } from 'commander';
import { parseJsonArgument, printJson } from '../output.js';
import { withEngine, withRedisOptions, type RedisCliOptions } from './common.js';

interface SignalCliOptions extends RedisCliOptions {
  data?: string;
  id?: string;
}

export function registerSignal(program: Command): void {
  withRedisOptions(
    program
      .command('signal')
      .description('deliver a signal to a running run (checked against its declared schema first)')
      .argument('<runId>', 'run id')
      .argument('<name>', 'signal name, as declared under `signals:`')
      .option('--data <json>', 'payload: inline JSON or @file.json')
      .option('--id <signalId>', 'signal id: a signal re-sent with the same id is applied once'),
  )
    .addHelpText('after', `\nExample:\n  flowline signal order-42 approve --data '{"by":"ann"}'`)
    .action(async (runId: string, name: string, options: SignalCliOptions) => {
      const data = await parseJsonArgument(options.data, 'data');
      await withEngine(options, (engine) =>
        engine.signal(runId, name, data === undefined ? null : data, options.id === undefined ? {} : { signalId: options.id }),
      );
      if (options.json) printJson({ runId, signal: name, delivered: true });
      else process.stdout.write(`signal ${name} delivered to ${runId}\n`);
    });
}

export function registerQuery(program: Command): void {
  withRedisOptions(
    program
      .command('query')
      .description("evaluate a declared query against a run's current state (read-only)")
      .argument('<runId>', 'run id')
      .argument('<name>', 'query name, as declared under `queries:`'),
  ).action(async (runId: string, name: string, options: RedisCliOptions) => {
    const value = await withEngine(options, (engine) => engine.query(runId, name));
    printJson(value ?? null);
  });
}
