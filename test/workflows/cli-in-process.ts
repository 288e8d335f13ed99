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

/**
 * Run one CLI command in this process, optionally from another working directory: stdout and
 * stderr are captured, and process.exitCode and the working directory are restored afterwards.
 */
export async function runInProcess(argv: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
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
  process.exitCode = undefined;
  if (cwd) process.chdir(cwd);
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    process.exitCode = previous;
    if (cwd) process.chdir(previousCwd);
    out.mockRestore();
    err.mockRestore();
  }
}

