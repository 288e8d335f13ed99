/**
 * A strict reader of the Mermaid flowchart subset `flowline graph` writes: it rejects any line it
 * does not understand and returns the nodes, edges and subgraphs, so tests can assert structure.
 * (The full Mermaid parser needs a DOM; this checks the same grammar rules for our subset.)
 */

export interface ParsedNode {
  readonly id: string;
  readonly open: string;
  readonly close: string;
  /** Label with entity codes decoded and `<br/>` turned into `\n`. */
  readonly label: string;
  readonly raw: string;
  readonly parent: string | null;
}
export interface ParsedEdge {
  readonly from: string;
  readonly to: string;
  readonly arrow: string;
  readonly label?: string;
}
export interface ParsedFlowchart {
  readonly nodes: Map<string, ParsedNode>;
  readonly edges: ParsedEdge[];
  readonly subgraphs: Map<string, { label: string; parent: string | null }>;
  readonly classes: Map<string, string[]>;
  readonly linkStyles: { indexes: number[]; style: string }[];
}

const ID = '[A-Za-z][A-Za-z0-9_]*';
const SHAPES: [string, string][] = [
  ['(((', ')))'],
  ['((', '))'],
  ['([', '])'],
  ['[[', ']]'],
  ['[/', '/]'],
  ['[/', '\\]'],
  ['[\\', '\\]'],
  ['[\\', '/]'],
  ['{{', '}}'],
  ['[', ']'],
  ['{', '}'],
  ['>', ']'],
];
const KEYWORDS = new Set(['end', 'subgraph', 'graph', 'flowchart', 'class', 'classDef', 'linkStyle', 'style', 'click', 'direction']);

/** Decode Mermaid entity codes (`#quot;`, `#35;`) and `<br/>`. */
export function decodeLabel(text: string): string {
  return text
    .replace(/<br\/>/g, '\n')
    .replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/#quot;/g, '"');
}

function checkLabelText(text: string, line: string): void {
  if (text.includes('"')) throw new Error(`raw quote inside a label: ${line}`);
  const withoutBreaks = text.replace(/<br\/>/g, '');
  if (/[<>]/.test(withoutBreaks)) throw new Error(`raw angle bracket inside a label: ${line}`);
  if (/#(?!\d+;|quot;)/.test(text)) throw new Error(`stray # inside a label: ${line}`);
}

/** Parse (and check) flowchart text; throws an Error naming the first bad line. */
export function parseFlowchart(text: string): ParsedFlowchart {
  const lines = text.split('\n');
  const result: ParsedFlowchart = { nodes: new Map(), edges: [], subgraphs: new Map(), classes: new Map(), linkStyles: [] };
  const stack: string[] = [];
  let header = false;
  const edgeRe = new RegExp(`^(${ID}) (-->|-\\.->|==>)(?:\\|"([^"]*)"\\|)? (${ID})$`);
  for (const rawLine of lines) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('%%')) continue;
    if (!header) {
      if (line !== 'flowchart TD') throw new Error(`expected "flowchart TD" first, got: ${line}`);
      header = true;
      continue;
    }
    const sub = new RegExp(`^subgraph (${ID})\\["([^"]*)"\\]$`).exec(line);
    if (sub) {
      const [, id, label] = sub as unknown as [string, string, string];
      if (KEYWORDS.has(id) || result.subgraphs.has(id) || result.nodes.has(id)) throw new Error(`bad or duplicate subgraph id: ${line}`);
      checkLabelText(label, line);
      result.subgraphs.set(id, { label: decodeLabel(label), parent: stack[stack.length - 1] ?? null });
      stack.push(id);
      continue;
    }
    if (line === 'end') {
      if (!stack.pop()) throw new Error('"end" without an open subgraph');
      continue;
    }
    if (line.startsWith('classDef ')) continue;
    const cls = new RegExp(`^class ((?:${ID},)*${ID}) (${ID})$`).exec(line);
    if (cls) {
      result.classes.set(cls[2] as string, (cls[1] as string).split(','));
      continue;
    }
    const link = /^linkStyle ((?:\d+,)*\d+) (.+)$/.exec(line);
    if (link) {
      result.linkStyles.push({ indexes: (link[1] as string).split(',').map(Number), style: link[2] as string });
      continue;
    }
    const edge = edgeRe.exec(line);
    if (edge) {
      const [, from, arrow, label, to] = edge as unknown as [string, string, string, string | undefined, string];
      if (label !== undefined) checkLabelText(label, line);
      result.edges.push({ from, to, arrow, ...(label === undefined ? {} : { label: decodeLabel(label) }) });
      continue;
    }
    const node = new RegExp(`^(${ID})(.*)$`).exec(line);
    if (node) {
      const [, id, rest] = node as unknown as [string, string, string];
      const shape = SHAPES.find(([open, close]) => rest.startsWith(`${open}"`) && rest.endsWith(`"${close}`) && rest.length >= open.length + close.length + 2);
      if (!shape) throw new Error(`not a node, edge or statement: ${line}`);
      const label = rest.slice(shape[0].length + 1, rest.length - shape[1].length - 1);
      checkLabelText(label, line);
      if (KEYWORDS.has(id) || result.nodes.has(id) || result.subgraphs.has(id)) throw new Error(`bad or duplicate node id: ${line}`);
      result.nodes.set(id, { id, open: shape[0], close: shape[1], label: decodeLabel(label), raw: label, parent: stack[stack.length - 1] ?? null });
      continue;
    }
    throw new Error(`not a node, edge or statement: ${line}`);
  }
  if (!header) throw new Error('no "flowchart TD" header');
  if (stack.length) throw new Error(`subgraph ${stack.join(', ')} is never closed`);
  for (const edge of result.edges) {
    for (const end of [edge.from, edge.to]) {
      if (!result.nodes.has(end) && !result.subgraphs.has(end)) throw new Error(`edge ${edge.from} → ${edge.to} names an undeclared node ${end}`);
    }
  }
  for (const [cls, ids] of result.classes) {
    for (const id of ids) if (!result.nodes.has(id)) throw new Error(`class ${cls} names an undeclared node ${id}`);
  }
  for (const style of result.linkStyles) {
    for (const index of style.indexes) if (index >= result.edges.length) throw new Error(`linkStyle ${index} is past the last edge`);
  }
  return result;
}

/** Ids of the nodes whose label contains `text`. */
export function nodesLabelled(chart: ParsedFlowchart, text: string): ParsedNode[] {
  return [...chart.nodes.values()].filter((n) => n.label.includes(text));
}

/** The single node whose label contains `text` (throws when none or several). */
export function nodeLabelled(chart: ParsedFlowchart, text: string): ParsedNode {
  const found = nodesLabelled(chart, text);
  if (found.length !== 1) throw new Error(`expected one node labelled "${text}", found ${found.length}`);
  return found[0] as ParsedNode;
}

/** Edges from → to (either end may be a node or a subgraph). */
export function edgesBetween(chart: ParsedFlowchart, from: string, to: string): ParsedEdge[] {
  return chart.edges.filter((e) => e.from === from && e.to === to);
}

/** Whether `to` can be reached from `from` following edges (any kind). */
export function reachable(chart: ParsedFlowchart, from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length) {
    const at = queue.shift() as string;
    if (at === to) return true;
    for (const e of chart.edges) {
      if (e.from === at && !seen.has(e.to)) {
        seen.add(e.to);
        queue.push(e.to);
      }
    }
    // Leaving a subgraph: edges from an enclosing subgraph apply to its members too.
    const node = chart.nodes.get(at);
    let parent = node?.parent ?? chart.subgraphs.get(at)?.parent ?? null;
    while (parent) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
      parent = chart.subgraphs.get(parent)?.parent ?? null;
    }
  }
  return false;
}
