/**
 * The schema works in an editor: yaml-language-server (what VS Code's YAML extension runs) picks
 * the schema up from the `# yaml-language-server: $schema=` modeline, reports a misspelt key, and
 * shows the schema's descriptions on hover.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LanguageService, SchemaRequestService } from 'yaml-language-server/lib/umd/languageservice/yamlLanguageService.js';
import type { TextDocument as TextDocumentType } from 'vscode-languageserver-textdocument';

const require = createRequire(import.meta.url);
const { getLanguageService } = require('yaml-language-server/lib/umd/languageservice/yamlLanguageService') as {
  getLanguageService: (params: { schemaRequestService: SchemaRequestService; workspaceContext: { resolveRelativePath(relative: string, resource: string): string } }) => LanguageService;
};
const { TextDocument } = require('vscode-languageserver-textdocument') as { TextDocument: typeof TextDocumentType };

const requested: string[] = [];
const service = getLanguageService({
  // Editors fetch the schema named by the modeline; here it is read from the repository.
  schemaRequestService: async (uri) => {
    requested.push(uri);
    return readFileSync(fileURLToPath(uri), 'utf8');
  },
  workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
});
service.configure({ validate: true, hover: true, completion: true, yamlVersion: '1.2' });

let opened = 0;

/** A new document next to the flows (so the modeline's relative path resolves); unique URI, as the service caches by URI and version. */
function documentOf(text: string): TextDocumentType {
  opened += 1;
  const uri = pathToFileURL(fileURLToPath(new URL(`../../workflows/editor-check-${opened}.yaml`, import.meta.url))).href;
  return TextDocument.create(uri, 'yaml', 1, text);
}

const MODELINE = '# yaml-language-server: $schema=../schema/workflow.schema.json\n';

describe('yaml-language-server with the published schema', () => {
  it('reports a misspelt key in a step and in a retry policy, at their lines', async () => {
    const text = `${MODELINE}dsl: flowline/v1\nname: typo\nversion: 1\nsteps:\n  - id: greet\n    sett:\n      greeting: hello\n  - call: a.b\n    retry: { maxAttemps: 3 }\n`;
    const diagnostics = await service.doValidation(documentOf(text), false);
    const messages = diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`);
    expect(messages).toContain('7: Property sett is not allowed.');
    expect(messages).toContain('10: Property maxAttemps is not allowed.');
    expect(requested.some((uri) => uri.endsWith('/schema/workflow.schema.json'))).toBe(true);
  });

  it('accepts the hello-world flow as it is', async () => {
    const text = readFileSync(new URL('../../workflows/hello-world.yaml', import.meta.url), 'utf8');
    expect(text.startsWith(MODELINE)).toBe(true);
    expect(await service.doValidation(documentOf(text), false)).toEqual([]);
  });

  it.each(['spec-example.yaml', 'all-kinds.yaml'])('agrees with the loader that the valid fixture %s is valid', async (name) => {
    const url = new URL(`../fixtures/definition/valid/${name}`, import.meta.url);
    opened += 1;
    const document = TextDocument.create(`${pathToFileURL(fileURLToPath(url)).href}?${opened}`, 'yaml', 1, readFileSync(url, 'utf8'));
    expect(await service.doValidation(document, false)).toEqual([]);
  });

  it('completes step kinds, then only the keys of the chosen kind', async () => {
    const head = `${MODELINE}dsl: flowline/v1\nname: c\nversion: 1\nsteps:\n`;
    const kinds = await service.doComplete(documentOf(`${head}  - \n`), { line: 5, character: 4 }, false);
    const offered = kinds.items.map((i) => i.label);
    for (const kind of ['call', 'forEach', 'waitSignal', 'compensate']) expect(offered).toContain(kind);
    const keys = await service.doComplete(documentOf(`${head}  - call: a.b\n    \n`), { line: 6, character: 4 }, false);
    const labels = keys.items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['with', 'taskQueue', 'retry', 'timeout', 'compensate']));
    expect(labels).not.toContain('concurrency');
  });

  it('shows the description of a step kind on hover', async () => {
    const text = `${MODELINE}dsl: flowline/v1\nname: h\nversion: 1\nsteps:\n  - call: inventory.reserve\n`;
    const hover = await service.doHover(documentOf(text), { line: 5, character: 5 });
    expect(JSON.stringify(hover?.contents)).toContain('Name of the registered activity to run');
  });
});
