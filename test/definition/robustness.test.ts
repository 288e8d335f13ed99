/**
 * No input makes the loader throw: a thousand deterministic mutations of valid documents
 * (characters deleted, duplicated, swapped, YAML indicators inserted, lines dropped or
 * re-indented) each give a definition or a list of issues with positions inside the text.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/definition/load.js';

const validDir = new URL('../fixtures/definition/valid/', import.meta.url);
const sources = readdirSync(validDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => [f, readFileSync(new URL(f, validDir), 'utf8')] as const);

/** Deterministic PRNG (mulberry32), so a failure is reproducible from its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = [':', ': ', '-', '- ', '{', '}', '[', ']', '#', ' #', '"', "'", '${', '}', '&a', '*a', '!', '|', '>', '\t', '\n', '  ', '?', ',', '__proto__: 1', 'null', '~'];

function mutate(text: string, next: () => number): string {
  const at = Math.floor(next() * text.length);
  switch (Math.floor(next() * 6)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 5));
    case 1:
      return text.slice(0, at) + INSERTS[Math.floor(next() * INSERTS.length)] + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at, at + 12) + text.slice(at);
    case 3: {
      const lines = text.split('\n');
      lines.splice(Math.floor(next() * lines.length), 1);
      return lines.join('\n');
    }
    case 4: {
      const lines = text.split('\n');
      const i = Math.floor(next() * lines.length);
      lines[i] = (next() < 0.5 ? ' ' : '') + lines[i].replace(/^ {1,2}/, next() < 0.5 ? '' : ' ');
      return lines.join('\n');
    }
    default:
      return text.slice(0, at) + text.charAt(at + 1) + text.charAt(at) + text.slice(at + 2);
  }
}

describe('the loader never throws', () => {
  it.each(sources)('%s under 250 random mutations', (_name, source) => {
    const next = random(source.length);
    for (let i = 0; i < 250; i++) {
      let text = source;
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) text = mutate(text, next);
      let result: ReturnType<typeof validateDefinition>;
      try {
        result = validateDefinition(text, { file: 'mutated.yaml' });
      } catch (error) {
        throw new Error(`threw on mutation ${i}: ${(error as Error).stack}\n--- document ---\n${text}`);
      }
      const lines = text.split('\n').length;
      if (result.definition) expect(result.issues).toEqual([]);
      else expect(result.issues.length, text).toBeGreaterThan(0);
      for (const issue of result.issues) {
        expect(issue.line, `${issue.message}\n${text}`).toBeGreaterThanOrEqual(1);
        expect(issue.line, `${issue.message}\n${text}`).toBeLessThanOrEqual(lines + 1);
        expect(issue.column).toBeGreaterThanOrEqual(1);
        expect(issue.message.length).toBeGreaterThan(0);
      }
    }
  });
});
