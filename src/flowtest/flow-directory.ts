/**
 * Child workflows of a flow under test: the documents in the flow's own folder whose names its
 * `workflow:` steps use (and theirs, recursively). Side effect: reads files.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { loadDefinitionFile } from '../definition/load.js';
import type { WorkflowDefinition } from '../definition/types.js';
import { childWorkflowNames } from '../definition/definition-walk.js';

const FLOW_FILE = /\.(ya?ml|json)$/i;
const TEST_FILE = /\.test\.(ya?ml|json)$/i;

/**
 * The definitions `flow` needs as children, found among the workflow documents of its folder.
 * Documents that do not load (other YAML, broken drafts) are skipped: a missing child shows up as
 * the run's own failure, with the engine's message.
 */
export async function childDefinitions(flow: WorkflowDefinition, flowPath: string): Promise<WorkflowDefinition[]> {
  const wanted = childWorkflowNames(flow.steps);
  if (wanted.size === 0) return [];
  const folder = dirname(resolve(flowPath));
  const candidates = (await readdir(folder))
    .filter((entry) => FLOW_FILE.test(entry) && !TEST_FILE.test(entry) && !entry.startsWith('.'))
    .sort()
    .map((entry) => join(folder, entry))
    .filter((file) => file !== resolve(flowPath));
  const byName = new Map<string, WorkflowDefinition[]>();
  for (const file of candidates) {
    try {
      const definition = await loadDefinitionFile(file);
      byName.set(definition.name, [...(byName.get(definition.name) ?? []), definition]);
    } catch {
      // Not a workflow document, or a broken one: not this test's concern unless it is needed.
    }
  }
  const found: WorkflowDefinition[] = [];
  const done = new Set<string>([flow.name]);
  const queue = [...wanted];
  while (queue.length) {
    const name = queue.shift() as string;
    if (done.has(name)) continue;
    done.add(name);
    for (const definition of byName.get(name) ?? []) {
      found.push(definition);
      queue.push(...childWorkflowNames(definition.steps));
    }
  }
  return found;
}

/** The file name shown for a path: relative to the current directory when inside it. */
export function displayPath(path: string): string {
  const cwd = process.cwd();
  const absolute = resolve(path);
  return absolute.startsWith(`${cwd}${sep}`) ? relative(cwd, absolute) : absolute;
}
