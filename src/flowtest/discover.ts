/** Finds flow test files (`*.test.yaml`, `*.test.yml`, `*.test.json`) under the paths given. Side effect: reads directories. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Names that mark a flow test file. */
export const FLOW_TEST_FILE = /\.test\.(ya?ml|json)$/i;

/** Folders never searched. */
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', 'coverage']);

/** Thrown when a path given on the command line does not exist. */
export class PathNotFoundError extends Error {
  readonly type = 'PathNotFound';
  constructor(readonly path: string) {
    super(`${path}: no such file or directory`);
  }
}

async function walk(directory: string, found: string[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(path, found);
    } else if (entry.isFile() && FLOW_TEST_FILE.test(entry.name)) {
      found.push(path);
    }
  }
}

/**
 * The test files to run: each file path given as is, each directory searched recursively (hidden
 * folders, node_modules, dist and coverage skipped), in sorted order without duplicates. With no
 * paths: `workflows/` when it exists, else the current directory.
 */
export async function discoverFlowTests(paths: readonly string[]): Promise<string[]> {
  let roots = [...paths];
  if (roots.length === 0) {
    const hasWorkflows = await stat('workflows').then((s) => s.isDirectory(), () => false);
    roots = [hasWorkflows ? 'workflows' : '.'];
  }
  const found: string[] = [];
  for (const root of roots) {
    const info = await stat(root).catch(() => undefined);
    if (!info) throw new PathNotFoundError(root);
    if (info.isDirectory()) await walk(root, found);
    else found.push(root);
  }
  return [...new Set(found)];
}
