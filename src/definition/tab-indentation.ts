/** Tabs in YAML indentation: found where YAML first failed, so the tab is reported instead of what YAML made of it. Pure. */
import type { RawIssue } from './issue.js';

export const TAB_MESSAGE = 'a tab character is used for indentation; YAML allows only spaces';
export const TAB_HINT = 'replace the tab with spaces';

/**
 * A tab in the indentation of the line YAML first failed on (or the line before it), outside any
 * `{ … }`/`[ … ]` (where tabs are allowed): the tab is the mistake, whatever YAML said about it.
 * A few more tab-indented lines are named in the hint, so the author fixes them all at once.
 */
export function tabIndentation(text: string, errorOffset: number): { lineStart: number; issue: RawIssue } | undefined {
  const errorLine = text.lastIndexOf('\n', errorOffset - 1) + 1;
  const previousLine = errorLine > 0 ? text.lastIndexOf('\n', errorLine - 2) + 1 : errorLine;
  const scan = new FlowScan(text);
  const pattern = /^([ \t]*)\t[ \t]*[^\s#]/gm;
  let first: number | undefined;
  let tabAt = 0;
  const others: number[] = [];
  for (let m = pattern.exec(text); m && others.length <= 8; m = pattern.exec(text)) {
    if (m.index > errorLine && first === undefined) break;
    if (scan.depthAt(m.index) > 0) continue;
    if (first === undefined) {
      if (m.index !== errorLine && m.index !== previousLine) continue;
      first = m.index;
      tabAt = m.index + m[1].length;
    } else others.push(scan.lineAt(m.index));
  }
  if (first === undefined) return undefined;
  const listed = others.slice(0, 8).join(', ') + (others.length > 8 ? ', …' : '');
  const more = others.length === 0 ? '' : `; line${others.length > 1 ? 's' : ''} ${listed} also ${others.length > 1 ? 'start' : 'starts'} with a tab`;
  return { lineStart: Math.min(first, errorLine), issue: { pointer: '', offset: tabAt, message: TAB_MESSAGE, hint: `${TAB_HINT}${more}` } };
}

/** Flow-bracket depth and line number at increasing offsets, in one pass; skips quoted text and comments. */
class FlowScan {
  private at = 0;
  private depth = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  depthAt(end: number): number {
    this.advance(end);
    return this.depth;
  }

  lineAt(end: number): number {
    this.advance(end);
    return this.line;
  }

  private advance(end: number): void {
    const text = this.text;
    let quote = '';
    for (; this.at < end; this.at++) {
      const c = text[this.at];
      if (c === '\n') {
        this.line++;
        quote = '';
      } else if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || (c === "'" && /[\s[{,:]/.test(text[this.at - 1] ?? ' '))) quote = c;
      else if (c === '#' && /\s/.test(text[this.at - 1] ?? ' ')) {
        const next = text.indexOf('\n', this.at);
        this.at = (next < 0 || next > end ? end : next) - 1;
      } else if (c === '[' || c === '{') this.depth++;
      else if ((c === ']' || c === '}') && this.depth > 0) this.depth--;
    }
  }
}
