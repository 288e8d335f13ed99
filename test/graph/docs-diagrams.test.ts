/**
 * The Mermaid diagrams embedded in the guides are exactly what `flowline graph` prints, so they
 * never drift from the flows. A diagram is embedded as
 *
 *     <!-- flowline graph workflows/order-fulfilment.yaml -->
 *     ```mermaid
 *     …output of flowline graph…
 *     ```
 *
 * Run `UPDATE_DIAGRAMS=1 npx vitest run test/graph/docs-diagrams.test.ts` to rewrite them after changing a flow.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../../src/definition/load.js';
import { toMermaid } from '../../src/graph/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MARKER = /<!-- flowline graph (\S+) -->\n```mermaid\n([\s\S]*?)```/g;

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return entry.endsWith('.md') ? [path] : [];
  });
}

const documents = [...markdownFiles(join(ROOT, 'docs')), join(ROOT, 'workflows/README.md'), join(ROOT, 'README.md')]
  .filter((file) => existsSync(file) && new RegExp(MARKER.source).test(readFileSync(file, 'utf8')))
  .map((file) => relative(ROOT, file));

describe('diagrams embedded in the docs', () => {
  it('exist for every example flow', () => {
    const embedded = documents.flatMap((doc) => [...readFileSync(join(ROOT, doc), 'utf8').matchAll(MARKER)].map((m) => m[1]));
    for (const flow of ['order-fulfilment', 'data-pipeline', 'batch', 'service-orchestration', 'scheduled-report', 'human-approval']) {
      expect(embedded).toContain(`workflows/${flow}.yaml`);
    }
  });

  it.each(documents)('%s matches flowline graph', async (doc) => {
    const path = join(ROOT, doc);
    const text = readFileSync(path, 'utf8');
    const matches = [...text.matchAll(MARKER)];
    expect(matches.length).toBeGreaterThan(0);
    let updated = text;
    for (const match of matches) {
      const [block, flow, diagram] = match as unknown as [string, string, string];
      const expected = toMermaid(await loadDefinitionFile(join(ROOT, flow)));
      if (process.env.UPDATE_DIAGRAMS) {
        updated = updated.replace(block, `<!-- flowline graph ${flow} -->\n\`\`\`mermaid\n${expected}\`\`\``);
      } else {
        expect(diagram, `the diagram of ${flow} in ${doc} is out of date: run UPDATE_DIAGRAMS=1 npx vitest run test/graph/docs-diagrams.test.ts`).toBe(expected);
      }
    }
    if (process.env.UPDATE_DIAGRAMS && updated !== text) writeFileSync(path, updated);
  });
});
