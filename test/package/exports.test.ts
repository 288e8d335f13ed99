/**
 * The package's entry points: `import 'flowline'` (core + embedded runtime) loads no Redis client,
 * metrics or dashboard — those live behind flowline/redis, flowline/observability and
 * flowline/dashboard — and every entry point named in package.json exists in src/.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const HEAVY = ['ioredis', 'bullmq', 'prom-client', 'express', '@bull-board/api', '@bull-board/express'];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowline-exports-'));
  // A resolve hook that records every bare package specifier the import graph asks for.
  await writeFile(
    join(dir, 'record.mjs'),
    `export async function resolve(specifier, context, next) {
      if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('node:') && !specifier.startsWith('file:')) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        process.stderr.write('PACKAGE ' + name + '\\n');
      }
      return next(specifier, context);
    }`,
  );
  await writeFile(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${join(dir, 'record.mjs')}`)});\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The packages that importing `entry` (a file under src/) resolves. */
function packagesLoadedBy(entry: string): Promise<Set<string>> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', join(dir, 'register.mjs'), '--input-type=module', '-e', `await import(${JSON.stringify(join(ROOT, entry))});`],
      { cwd: ROOT, timeout: 60_000 },
      (error, _stdout, stderr) => {
        if (error) return fail(new Error(`${entry}: ${stderr}`));
        done(new Set([...stderr.matchAll(/^PACKAGE (\S+)$/gm)].map((match) => match[1]!)));
      },
    );
  });
}

describe('package entry points', () => {
  it("import 'flowline' loads the core and the embedded runtime only", async () => {
    const loaded = await packagesLoadedBy('src/index.ts');
    expect(loaded.has('jsonata')).toBe(true); // the hook sees packages at all
    for (const name of HEAVY) expect(loaded.has(name), name).toBe(false);
  });

  it('the CLI loads no Redis client, server or metrics until a verb needs them (every command answers sooner)', async () => {
    const loaded = await packagesLoadedBy('src/cli/main.ts');
    expect(loaded.has('commander')).toBe(true);
    for (const name of [...HEAVY, 'fastify', '@fastify/swagger']) expect(loaded.has(name), name).toBe(false);
  });

  it('flowline/redis brings the Redis runtime', async () => {
    const loaded = await packagesLoadedBy('src/redis.ts');
    expect(loaded.has('bullmq')).toBe(true);
    expect(loaded.has('ioredis')).toBe(true);
  });

  it('every export of package.json has its source', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { import: string }> };
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      const file = typeof target === 'string' ? target : target.import;
      const source = file.startsWith('./dist/') ? file.replace('./dist/', './src/').replace(/\.js$/, '.ts') : file;
      expect(existsSync(join(ROOT, source)), `${subpath} → ${source}`).toBe(true);
    }
  });
});
