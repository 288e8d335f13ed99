/**
 * The docs stand on their own: every relative link in README.md, docs/ and workflows/ resolves to
 * a file inside the repository (and, with a `#fragment`, to a heading of that file), and the
 * language reference names every key the schema defines, every run status and every built-in
 * error type — so a key added to the language without documentation fails here.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ERROR_TYPES, RUN_STATUSES } from '../../src/interpreter/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const REFERENCE = 'docs/reference/language.md';

function markdownUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules') return [];
    if (statSync(join(ROOT, path)).isDirectory()) return markdownUnder(path);
    return entry.endsWith('.md') ? [path] : [];
  });
}

/** The text outside fenced code blocks and inline code spans: links there are not links. */
function prose(markdown: string): string {
  return markdown
    .replace(/^( *)(```+|~~~+)[^\n]*\n[\s\S]*?^\1\2[ \t]*$/gm, '')
    .replace(/(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
}

function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string);
  const reference = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s+<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1] as string);
  return [...inline, ...reference];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const withoutFences = markdown.replace(/^( *)(```+|~~~+)[^\n]*\n[\s\S]*?^\1\2[ \t]*$/gm, '');
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = (match[1] as string).replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

const documents = ['README.md', ...markdownUnder('docs'), ...markdownUnder('workflows')];

describe('links in the docs', () => {
  it('finds the documents and their links', () => {
    expect(documents).toContain(REFERENCE);
    expect(documents.length).toBeGreaterThanOrEqual(15);
    expect(linkTargets(readFileSync(join(ROOT, 'README.md'), 'utf8'))).toContain(REFERENCE);
  });

  it('ignores links shown as code and finds reference-style links', () => {
    expect(linkTargets('see `[a](../x.md)` and\n```md\n[b](../y.md)\n```\n[c]: ../z.md\n[d](e.md#f)')).toEqual(['e.md#f', '../z.md']);
  });

  it('computes heading anchors as GitHub does', () => {
    const anchors = anchorsOf('## `waitSignal` — wait for someone (or something)\n### Try / catch\n### Try / catch\n');
    expect([...anchors]).toEqual(['waitsignal--wait-for-someone-or-something', 'try--catch', 'try--catch-1']);
  });

  it.each(documents)('%s links only to files inside the repository', (doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const broken: string[] = [];
    for (const target of linkTargets(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
      const [pathPart = '', fragment] = target.split('#', 2);
      const file = pathPart === '' ? join(ROOT, doc) : resolve(join(ROOT, dirname(doc)), decodeURI(pathPart));
      const inside = relative(ROOT, file);
      if (inside.startsWith(`..${sep}`) || inside === '..') {
        broken.push(`${target}: outside the repository`);
        continue;
      }
      if (!existsSync(file)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (fragment && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(fragment)) {
        broken.push(`${target}: no heading with anchor #${fragment}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the language reference', () => {
  const reference = readFileSync(join(ROOT, REFERENCE), 'utf8');
  const mentions = (word: string): boolean => new RegExp('`\\$?' + word.replace(/[$.*+?^()[\]{}|\\]/g, '\\$&') + '(?![A-Za-z0-9_])').test(reference);

  function propertyNames(node: unknown, into = new Set<string>()): Set<string> {
    if (Array.isArray(node)) node.forEach((item) => propertyNames(item, into));
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'examples' || key === 'default') continue; // sample documents, not the schema's own keys
        if (key === 'properties' && value !== null && typeof value === 'object') Object.keys(value).forEach((name) => into.add(name));
        propertyNames(value, into);
      }
    }
    return into;
  }

  it('names every key the schema defines', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema/workflow.schema.json'), 'utf8')) as unknown;
    const keys = [...propertyNames(schema)];
    expect(keys.length).toBeGreaterThanOrEqual(40);
    expect(keys.filter((key) => !mentions(key))).toEqual([]);
  });

  it('names every run status and every built-in error type', () => {
    expect([...RUN_STATUSES, ...BUILTIN_ERROR_TYPES].filter((word) => !mentions(word))).toEqual([]);
  });

  it('would notice a key it does not name', () => {
    expect(mentions('heartbeatTimeout')).toBe(true);
    expect(mentions('noSuchKeyAnywhere')).toBe(false);
  });
});
