/** `flowline deploy <file…>`: registers workflow definitions in Redis (immutable per name+version). */
import type { Command } from 'commander';
import { loadDefinitionFile } from '../../definition/load.js';
import type { WorkflowDefinition } from '../../definition/types.js';
import { DefinitionInvalidError } from '../../errors.js';
import type { DeployResult } from '../../runtime/engine.js';
import { CliExit, EXIT_INVALID, describeError, printJson } from '../output.js';
import { formatIssue, withEngine, withRedisOptions, type RedisCliOptions } from './common.js';

export function registerDeploy(program: Command): void {
  withRedisOptions(
    program
      .command('deploy')
      .description('register workflow definitions in Redis; the same name+version with different content is refused')
      .argument('<file...>', 'workflow documents (.yaml, .yml, .json)'),
  )
    .addHelpText('after', '\nExample:\n  flowline deploy workflows/*.yaml --redis redis://127.0.0.1:6379')
    .action(async (files: string[], options: RedisCliOptions) => {
      // Every file is loaded first: nothing is deployed if any of them is invalid.
      const definitions: { file: string; definition: WorkflowDefinition }[] = [];
      const problems: string[] = [];
      for (const file of files) {
        try {
          definitions.push({ file, definition: await loadDefinitionFile(file) });
        } catch (error) {
          if (error instanceof DefinitionInvalidError) problems.push(...error.issues.map((issue) => formatIssue(issue, file)));
          else if ((error as NodeJS.ErrnoException).code === 'ENOENT') problems.push(`${file}: no such file`);
          else problems.push(`${file}: ${describeError(error)}`);
        }
      }
      if (problems.length) throw new CliExit(EXIT_INVALID, problems.join('\n'));
      const results = await withEngine(options, async (engine) => {
        const done: (DeployResult & { file: string })[] = [];
        for (const { file, definition } of definitions) {
          try {
            done.push({ ...(await engine.deploy(definition)), file });
          } catch (error) {
            throw new CliExit(EXIT_INVALID, `${file}: ${describeError(error)}`);
          }
        }
        return done;
      });
      if (options.json) printJson(results);
      else for (const r of results) process.stdout.write(`${r.created ? 'deployed' : 'unchanged'} ${r.name} v${r.version} (${r.file})\n`);
    });
}
