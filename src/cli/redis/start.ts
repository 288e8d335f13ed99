/** `flowline start <name>`: starts a run of a deployed workflow on Redis, optionally waiting for its result. */
import type { Command } from 'commander';
import { EXIT_OK, EXIT_RUN_FAILED, parseJsonArgument, printJson, printRunResult } from '../output.js';
import { parsePositiveInt, withEngine, withRedisOptions, type RedisCliOptions } from './common.js';

interface StartCliOptions extends RedisCliOptions {
  version?: string;
  id?: string;
  input?: string;
  wait?: boolean;
  timeout?: string;
}

export function registerStart(program: Command): void {
  withRedisOptions(
    program
      .command('start')
      .description('start a run of a deployed workflow (latest version unless --version)')
      .argument('<name>', 'workflow name')
      .option('--version <n>', 'definition version')
      .option('--id <runId>', 'run id (business id); refused while a run with this id is running')
      .option('--input <json>', 'run input: inline JSON or @file.json')
      .option('--wait', 'wait for the run to end and print its result (exit 1 unless it completed)')
      .option('--timeout <ms>', 'with --wait: give up after this many milliseconds'),
  )
    .addHelpText('after', `\nExample:\n  flowline start order-fulfilment --input '{"sku":"A1","qty":2}' --id order-42`)
    .action(async (name: string, options: StartCliOptions) => {
      const version = parsePositiveInt(options.version, '--version');
      const timeoutMs = parsePositiveInt(options.timeout, '--timeout');
      const input = await parseJsonArgument(options.input, 'input');
      process.exitCode = await withEngine(options, async (engine) => {
        const { runId } = await engine.start(name, {
          ...(version === undefined ? {} : { version }),
          ...(options.id === undefined ? {} : { id: options.id }),
          ...(input === undefined ? {} : { input }),
        });
        if (!options.wait) {
          if (options.json) printJson({ runId });
          else process.stdout.write(`${runId}\n`);
          return EXIT_OK;
        }
        const result = await engine.result(runId, { wait: true, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
        printRunResult(result, options.json === true);
        return result.status === 'completed' ? EXIT_OK : EXIT_RUN_FAILED;
      });
    });
}
