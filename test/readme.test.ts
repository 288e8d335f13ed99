/**
 * The README can be followed literally: its embedded-runtime commands run and exit 0, the first
 * one prints the documented greeting, and the names its TypeScript snippet imports are exported.
 * (Its Redis quick start is run, command by command, by test/cli/redis-quickstart.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { runInProcess, shellWords } from './workflows/cli-in-process.js';

const README = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');
const REDIS_VERBS = new Set(['worker', 'deploy', 'start', 'signal', 'result']);

const commands = [...README.matchAll(/^```sh\n([\s\S]*?)^```/gm)]
  .flatMap((m) => (m[1] as string).split('\n'))
  .filter((line) => line.startsWith('npx flowline '))
  .map((line) => shellWords(line.replace(/\s+#.*$/, '')).slice(2))
  .filter((words) => !REDIS_VERBS.has(words[0] as string));

describe('README', () => {
  it('opens with the set-up, an example run and the test command', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
    expect(firstBlock).toMatch(/^npm install/m);
    expect(firstBlock).toMatch(/^npx flowline run workflows\/hello-world\.yaml/m);
    expect(firstBlock).toMatch(/^npm test/m);
  });

  it('runs the hello-world example as shown', async () => {
    const { code, stdout } = await runInProcess(['run', 'workflows/hello-world.yaml', '--input', '{"name":"Ada"}']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ greeting: 'Hello, Ada!' });
  });

  it('every embedded-runtime command it shows exits 0', async () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
    const failures: unknown[] = [];
    for (const words of commands) {
      const { code, stderr } = await runInProcess(words);
      if (code !== 0) failures.push({ command: words.join(' '), code, stderr: stderr.slice(0, 400) });
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('imports only names the package exports', () => {
    const imports = [...README.matchAll(/import \{([^}]+)\} from 'flowline'/g)].flatMap((m) => (m[1] as string).split(',').map((s) => s.trim()));
    expect(imports.length).toBeGreaterThan(0);
    for (const name of imports) expect(api, name).toHaveProperty(name);
  });
});
