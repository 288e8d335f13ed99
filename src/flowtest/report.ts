/** What `flowline test` prints: one line per case, the problems of invalid files, and the summary line. Pure. */
import type { FileResult } from './types.js';

/** Counts over all files; an invalid file counts as one failure. */
export interface Totals {
  readonly passed: number;
  readonly failed: number;
  readonly invalidFiles: number;
}

export function totals(results: readonly FileResult[]): Totals {
  let passed = 0;
  let failed = 0;
  let invalidFiles = 0;
  for (const result of results) {
    if (result.invalid) {
      invalidFiles += 1;
      failed += 1;
    }
    for (const c of result.cases) {
      if (c.passed) passed += 1;
      else failed += 1;
    }
  }
  return { passed, failed, invalidFiles };
}

/** `✓ file › case` or `✗ file › case — reason; reason`. */
export function caseLine(file: string, name: string, passed: boolean, reasons: readonly string[]): string {
  return passed ? `✓ ${file} › ${name}` : `✗ ${file} › ${name} — ${reasons.join('; ')}`;
}

/** Every line of the human report; the last one is exactly `N passed, N failed`. */
export function reportLines(results: readonly FileResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    if (result.invalid) {
      lines.push(`✗ ${result.file} — invalid test file:`);
      for (const problem of result.invalid) lines.push(`    ${problem}`);
      continue;
    }
    for (const c of result.cases) lines.push(caseLine(result.file, c.name, c.passed, c.reasons));
  }
  const { passed, failed } = totals(results);
  lines.push(`${passed} passed, ${failed} failed`);
  return lines;
}
