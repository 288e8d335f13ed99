/**
 * The guides can be followed literally: every `npx flowline …` command in their ```sh blocks runs
 * and exits as the docs say (0 unless the line ends with `# exits N`), every complete flow shown
 * (a ```yaml block with `dsl: flowline/v1`) loads, and every flow test file shown is valid.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import { parseFlowTest } from '../../src/flowtest/index.js';
import { runInProcess, shellWords } from './cli-in-process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DOCS = ['docs/guides/authoring.md', 'docs/reference/language.md', 'docs/guides/flow-tests.md', 'docs/concepts/from-temporal-and-step-functions.md', 'workflows/README.md'];

function blocks(doc: string, language: string): string[] {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  return [...text.matchAll(new RegExp('^( *)```' + language + '\\n([\\s\\S]*?)^\\1```', 'gm'))].map((m) =>
    (m[2] as string).replace(new RegExp(`^${m[1] as string}`, 'gm'), ''),
  );
}

const commands = DOCS.flatMap((doc) =>
  blocks(doc, 'sh').flatMap((block) =>
    block
      .split('\n')
      .filter((line) => line.startsWith('npx flowline '))
      .map((line) => {
        const exits = /#\s*exits (\d)\s*$/.exec(line);
        return { doc, command: line.replace(/\s+#.*$/, ''), exit: exits ? Number(exits[1]) : 0 };
      }),
  ),
);

describe('commands shown in the guides', () => {
  it('are there', () => {
    expect(commands.length).toBeGreaterThanOrEqual(10);
  });

  it('all run and exit as documented', async () => {
    const failures: unknown[] = [];
    for (const { doc, command, exit } of commands) {
      const words = shellWords(command);
      expect(words.slice(0, 2)).toEqual(['npx', 'flowline']);
      const { code, stdout, stderr } = await runInProcess(words.slice(2));
      if (code !== exit) failures.push({ doc, command, expected: exit, code, stdout: stdout.slice(-600), stderr: stderr.slice(0, 600) });
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('splits command lines like the shell', () => {
    expect(shellWords(`npx flowline run f.yaml --input '{"a":"b c"}' --signal "x=1"`)).toEqual([
      'npx', 'flowline', 'run', 'f.yaml', '--input', '{"a":"b c"}', '--signal', 'x=1',
    ]);
  });
});

describe('documents shown in the guides', () => {
  const flows = DOCS.flatMap((doc) => blocks(doc, 'yaml').filter((b) => b.includes('dsl: flowline/v1')).map((text) => ({ doc, text })));
  const tests = DOCS.flatMap((doc) =>
    blocks(doc, 'yaml')
      .filter((b) => /^flow: /m.test(b) && /^cases:/m.test(b))
      .map((text) => ({ doc, text })),
  );

  it('include complete flows and flow tests', () => {
    expect(flows.length).toBeGreaterThanOrEqual(2);
    expect(tests.length).toBeGreaterThanOrEqual(2);
  });

  it.each(flows)('a flow in $doc loads', async ({ text }) => {
    const definition = await loadDefinition(text, { file: 'doc.yaml' });
    expect(definition.dsl).toBe('flowline/v1');
  });

  it.each(tests)('a flow test in $doc is valid', ({ text }) => {
    expect(parseFlowTest(text, 'doc.test.yaml').cases.length).toBeGreaterThan(0);
  });
});
