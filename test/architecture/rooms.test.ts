/**
 * The folder layout is the architecture: every room of src/ has a row in .dependency-cruiser.cjs
 * (which checks its imports) and in docs/architecture.md, and only cli/ and server/ do process I/O
 * through globals — which depcruise cannot see, so it is checked here by reading the sources.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');
const rooms = (createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as { rooms: Array<{ room: string }> }).rooms;
const roomPattern = (room: string): RegExp =>
  new RegExp(room.includes('(') ? `^${room}$` : room.endsWith('/') ? `^${room.replace(/[.]/g, '\\.')}` : `^${room.replace(/[.]/g, '\\.')}$`);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

/** Process I/O reached through globals: the terminal, the exit code, argv, process-wide handlers. */
const PROCESS_IO = /\bprocess\.(?:stdout|stderr|stdin|exit|exitCode|argv|on|once|kill|abort)\b|\bconsole\.[a-z]+\(/;
/**
 * Reviewed uses outside cli/ and server/, `file: reason`. Empty today: the runtimes, observability
 * and activities write only through the logger they are given.
 */
const ALLOWED_PROCESS_IO: Record<string, string> = {};

/** The source without comments, so a comment that mentions `process.exit` is not a use of it. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('rooms', () => {
  const files = sourceFiles(SRC);

  it('every file of src/ is in a room of the dependency rules', () => {
    const homeless = files.filter((file) => !rooms.some(({ room }) => roomPattern(room).test(file)));
    expect(homeless).toEqual([]);
  });

  it('docs/architecture.md has a row for every room, and the README layout names every folder of src/', () => {
    const tableRows = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `src/'));
    const entryFiles = ['index.ts', 'redis.ts', 'observability.ts', 'dashboard.ts'];
    for (const room of rooms.flatMap(({ room }) => (room.includes('(') ? entryFiles : [room]))) {
      expect(tableRows.some((row) => row.includes(`\`src/${room}\``)), room).toBe(true);
    }
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const layout = /## Layout\s+```([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
    expect(folders.length).toBeGreaterThan(5);
    for (const folder of folders) expect(layout, folder).toMatch(new RegExp(`^\\s+${folder}/`, 'm'));
  });

  it('only cli/ and server/ touch process I/O (stdout, stderr, exit, argv, process handlers, console)', () => {
    const offenders = files
      .filter((file) => !/^(?:cli|server)\//.test(file) && !(file in ALLOWED_PROCESS_IO))
      .filter((file) => PROCESS_IO.test(code(readFileSync(join(SRC, file), 'utf8'))));
    expect(offenders).toEqual([]);
  });

  it('the process I/O check sees a use and ignores a comment', () => {
    expect(PROCESS_IO.test(code('process.stderr.write("x")'))).toBe(true);
    expect(PROCESS_IO.test(code('/**\n * `process.exit` in a hook\n */\nexport {};'))).toBe(false);
    expect(PROCESS_IO.test(code('const url = "http://x"; // process.exit()'))).toBe(false);
  });
});
