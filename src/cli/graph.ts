/** `flowline graph <file>`: prints the flow as a Mermaid flowchart (SPEC §9). */
import type { Command } from 'commander';
import { loadDefinitionFile } from '../definition/load.js';
import { DefinitionInvalidError } from '../errors.js';
import { GRAPH_FORMATS, toMermaid } from '../graph/index.js';
import { CliExit, EXIT_INVALID, describeError, printJson } from './output.js';

interface GraphCliOptions {
  format: string;
  json?: boolean;
}

/** Adds the `graph` verb to the program. The action reads the file and writes the diagram to stdout. */
export function registerGraph(program: Command): void {
  program
    .command('graph')
    .description('print a flow as a diagram (Mermaid flowchart)')
    .argument('<file>', 'workflow document (.yaml, .yml or .json)')
    .option('--format <format>', `diagram format: ${GRAPH_FORMATS.join(', ')}`, 'mermaid')
    .option('--json', 'print { file, name, version, format, diagram }')
    .addHelpText(
      'after',
      `
Paste the output into any Markdown file inside a \`\`\`mermaid block (GitHub, GitLab and most
editors draw it), or into https://mermaid.live.

Examples:
  flowline graph workflows/order-fulfilment.yaml
  flowline graph workflows/order-fulfilment.yaml > order-fulfilment.mmd`,
    )
    .action(async (file: string, options: GraphCliOptions) => {
      if (!(GRAPH_FORMATS as readonly string[]).includes(options.format)) {
        throw new CliExit(EXIT_INVALID, `--format ${options.format} is not supported (formats: ${GRAPH_FORMATS.join(', ')})`);
      }
      let definition;
      try {
        definition = await loadDefinitionFile(file);
      } catch (error) {
        if (error instanceof DefinitionInvalidError) {
          const lines = error.issues.map(
            (i) => `${i.file ?? file}:${i.line ?? 1}:${i.column ?? 1}  ${i.message}${i.hint ? `  (${i.hint})` : ''}`,
          );
          throw new CliExit(EXIT_INVALID, lines.join('\n'));
        }
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliExit(EXIT_INVALID, `cannot read ${file}: no such file`);
        throw new CliExit(EXIT_INVALID, `cannot load ${file}: ${describeError(error)}`);
      }
      const diagram = toMermaid(definition);
      if (options.json) {
        printJson({ file, name: definition.name, version: definition.version, format: options.format, diagram });
        return;
      }
      process.stdout.write(diagram);
    });
}
