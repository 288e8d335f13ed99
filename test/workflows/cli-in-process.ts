/** Runs `flowline` commands inside the test process (a new process per command costs seconds under tsx). */
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Split a command line the way bash does for the quoting the docs use ('…', "…", plain words). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '"') {
      const end = line.indexOf('"', i + 1);
      word += line.slice(i + 1, end).replace(/\\(["\\$`])/g, '$1');
      i = end;
      inWord = true;
    } else if (ch === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Where and with what environment one in-process command runs. */
export interface InProcessOptions {
  /** Working directory for the command (restored afterwards). */
  readonly cwd?: string;
  /** Environment variables for the command; `undefined` removes one. Restored afterwards. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Run one CLI command in this process: stdout and stderr (what goes through process.stdout and
 * process.stderr) are captured; process.exitCode, the working directory and the environment are
 * restored afterwards. Commands share those globals: never run two at once.
 */
export async function runInProcess(argv: string[], options: InProcessOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const previous = process.exitCode;
  const previousCwd = process.cwd();
  const previousEnv = Object.fromEntries(Object.keys(options.env ?? {}).map((name) => [name, process.env[name]]));
  setEnv(options.env ?? {});
  process.exitCode = undefined;
  if (options.cwd) process.chdir(options.cwd);
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    process.exitCode = previous;
    if (options.cwd) process.chdir(previousCwd);
    setEnv(previousEnv);
    out.mockRestore();
    err.mockRestore();
  }
}

function setEnv(values: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
