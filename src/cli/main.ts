/** The `flowline` command: builds the commander program from one module per verb and maps failures to exit codes. */
import { Command, CommanderError } from 'commander';
import { CliExit, EXIT_INVALID, describeError } from './output.js';
import { flowlineVersion } from '../version.js';
import { registerValidate } from './validate.js';
import { registerRun } from './run.js';
import { registerGraph } from './graph.js';
import { registerTest } from './test.js';
import { registerRedisVerbs } from './redis/index.js';
import { registerDashboard } from './dashboard.js';
import { registerServe } from './serve.js';

export function buildProgram(): Command {
  const program = new Command('flowline')
    .description('Durable workflows written as YAML/JSON documents')
    .version(flowlineVersion, '-V, --version', 'print the Flowline version')
    // Program options only before the verb, so a verb's own `--version N` (start) is the verb's.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerValidate(program);
  registerRun(program);
  registerGraph(program);
  registerTest(program);
  registerRedisVerbs(program);
  registerDashboard(program);
  registerServe(program);
  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      return error.exitCode === 0 ? 0 : EXIT_INVALID;
    }
    if (error instanceof CliExit) {
      if (error.message) process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`flowline: ${describeError(error)}\n`);
    return EXIT_INVALID;
  }
}
