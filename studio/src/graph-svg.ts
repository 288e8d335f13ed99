/**
 * Draws a flow's graph (the model of src/graph, sent by the server) as plain SVG, laid out by dagre
 * (layered, top to bottom; the boxes of try/parallel/loops as compound nodes).
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { StepState } from '../../src/flowtest/step-states.js';

export interface GraphNodeView {
  readonly id: string;
  readonly label: string;
  readonly shape: string;
  readonly cls: string;
  readonly path?: string;
  readonly line?: number;
  readonly endLine?: number;
}
export interface GraphGroupView {
  readonly id: string;
  readonly label: string;
  readonly path?: string;
  readonly children: readonly (string | GraphGroupView)[];
}
export interface GraphViewData {
  readonly title: string;
  readonly nodes: readonly GraphNodeView[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly kind: string; readonly label?: string }[];
  readonly groups: readonly (string | GraphGroupView)[];
}

/** A step's state on a run's page (derived from the history in src/flowtest/step-states.ts). */
export type { StepState };

const SVG = 'http://www.w3.org/2000/svg';
const CHAR_PX = 7.2;
const LINE_PX = 17;

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function textBlock(lines: readonly string[], x: number, y: number, anchor: 'middle' | 'start'): SVGTextElement {
  const text = el('text', { x, y, 'text-anchor': anchor });
  lines.forEach((line, i) => {
    const span = el('tspan', { x, dy: i === 0 ? 0 : LINE_PX });
    span.textContent = line;
    text.append(span);
  });
  return text;
}

export interface DrawOptions {
  readonly onSelect?: (node: GraphNodeView) => void;
  readonly states?: ReadonlyMap<string, StepState>;
}

/** Lays out and draws `graph`; returns the SVG element (sized to its content). */
export function drawGraph(graph: GraphViewData, options: DrawOptions = {}): SVGSVGElement {
  const g = new Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 34, marginx: 8, marginy: 8 });
  for (const node of graph.nodes) {
    const lines = node.label.split('\n');
    const width = Math.max(60, Math.max(...lines.map((l) => l.length)) * CHAR_PX + 24);
    g.setNode(node.id, { width, height: lines.length * LINE_PX + 14 });
  }
  const groups: GraphGroupView[] = [];
  const place = (children: readonly (string | GraphGroupView)[], parent?: string): void => {
    for (const child of children) {
      if (typeof child === 'string') {
        if (parent) g.setParent(child, parent);
      } else {
        groups.push(child);
        g.setNode(child.id, { label: child.label, paddingTop: 28 } as never);
        if (parent) g.setParent(child.id, parent);
        place(child.children, child.id);
      }
    }
  };
  place(graph.groups);
  // Edges to or from a box attach to its first node: dagre lays out edges between leaf nodes only.
  const firstLeaf = (id: string): string => {
    const group = groups.find((x) => x.id === id);
    if (!group) return id;
    const first = group.children[0];
    return first === undefined ? id : firstLeaf(typeof first === 'string' ? first : first.id);
  };
  graph.edges.forEach((edge, i) => {
    const label = edge.label ?? '';
    g.setEdge({ v: firstLeaf(edge.from), w: firstLeaf(edge.to), name: `e${i}` }, { width: label.length * CHAR_PX * 0.9, height: label ? LINE_PX : 0, labelpos: 'c' } as never);
  });
  layout(g);
  const size = g.graph() as { width?: number; height?: number };
  const svg = el('svg', { class: 'graph', width: Math.ceil(size.width ?? 100), height: Math.ceil(size.height ?? 100), viewBox: `0 0 ${Math.ceil(size.width ?? 100)} ${Math.ceil(size.height ?? 100)}`, role: 'group', 'aria-label': `graph of ${graph.title}` });
  const defs = el('defs');
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
  defs.append(marker);
  svg.append(defs);
  for (const group of groups) {
    const box = g.node(group.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (!box) continue;
    const rect = el('g', { class: 'box', 'data-path': group.path ?? '' });
    rect.append(el('rect', { x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width, height: box.height, rx: 8 }));
    rect.append(textBlock(group.label.split('\n').slice(0, 1), box.x - box.width / 2 + 8, box.y - box.height / 2 + 16, 'start'));
    svg.append(rect);
  }
  graph.edges.forEach((edge, i) => {
    const laid = g.edge({ v: firstLeaf(edge.from), w: firstLeaf(edge.to), name: `e${i}` }) as { points?: { x: number; y: number }[]; x?: number; y?: number } | undefined;
    if (!laid?.points?.length) return;
    const d = laid.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    svg.append(el('path', { d, class: `edge edge-${edge.kind}`, 'marker-end': 'url(#arrow)' }));
    if (edge.label && laid.x !== undefined && laid.y !== undefined) {
      const label = textBlock([edge.label], laid.x, laid.y + 4, 'middle');
      label.classList.add('edge-label');
      svg.append(label);
    }
  });
  for (const node of graph.nodes) {
    const box = g.node(node.id) as { x: number; y: number; width: number; height: number };
    const state = node.path ? options.states?.get(node.path) : undefined;
    const lines = node.label.split('\n');
    const item = el('g', {
      class: `node node-${node.cls} shape-${node.shape}${state ? ` state-${state}` : ''}`,
      'data-id': node.id,
      'data-path': node.path ?? '',
      tabindex: node.path ? 0 : -1,
      role: node.path ? 'button' : 'img',
      'aria-label': `${lines.join(', ')}${state ? ` (${state})` : ''}`,
    });
    const rx = node.shape === 'terminal' ? box.height / 2 : node.shape === 'decision' ? 2 : 6;
    item.append(el('rect', { x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width, height: box.height, rx }));
    item.append(textBlock(lines, box.x, box.y - ((lines.length - 1) * LINE_PX) / 2 + 5, 'middle'));
    if (state) {
      const badge = el('title');
      badge.textContent = state;
      item.append(badge);
    }
    if (options.onSelect && node.path) {
      const select = (): void => options.onSelect?.(node);
      item.addEventListener('click', select);
      item.addEventListener('keydown', (event) => {
        if ((event as KeyboardEvent).key === 'Enter' || (event as KeyboardEvent).key === ' ') {
          event.preventDefault();
          select();
        }
      });
    }
    svg.append(item);
  }
  return svg;
}

/** Marks the node of the step whose lines hold `line` (the innermost one). */
export function highlightLine(svg: SVGSVGElement, graph: GraphViewData, line: number): void {
  let best: GraphNodeView | undefined;
  for (const node of graph.nodes) {
    if (node.line === undefined || node.endLine === undefined || line < node.line || line > node.endLine) continue;
    if (!best || node.endLine - node.line < (best.endLine ?? 0) - (best.line ?? 0)) best = node;
  }
  for (const item of svg.querySelectorAll('.node.selected')) item.classList.remove('selected');
  if (best) svg.querySelector(`.node[data-id="${best.id}"]`)?.classList.add('selected');
}
