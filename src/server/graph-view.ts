/**
 * The studio's view of a flow's graph (issue 14): the diagram model of src/graph as plain JSON,
 * each step's node carrying the lines of the step in the document, so the studio can select a
 * step's text from its node and light up nodes from a run's history (entries carry the same `path`).
 */
import { parseSource } from '../definition/parse.js';
import { positionAt, spanOf } from '../definition/source-map.js';
import type { WorkflowDefinition } from '../definition/types.js';
import { buildGraph, type EdgeKind, type NodeClass, type NodeShape, type Subgraph } from '../graph/index.js';

export interface GraphViewNode {
  readonly id: string;
  readonly label: string;
  readonly shape: NodeShape;
  readonly cls: NodeClass;
  /** The step's JSON pointer (history entries' `path`). */
  readonly path?: string;
  /** First and last line (1-based) of the step in the source, when the source is known. */
  readonly line?: number;
  readonly endLine?: number;
}

export interface GraphViewGroup {
  readonly id: string;
  readonly label: string;
  readonly path?: string;
  /** Node ids and nested groups, in document order. */
  readonly children: readonly (string | GraphViewGroup)[];
}

export interface GraphView {
  readonly title: string;
  readonly nodes: readonly GraphViewNode[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly kind: EdgeKind; readonly label?: string }[];
  readonly groups: readonly (string | GraphViewGroup)[];
}

/** The graph of a definition, with line numbers from `source` when given. Pure. */
export function graphView(definition: WorkflowDefinition, source?: string | null): GraphView {
  const graph = buildGraph(definition);
  const parsed = source ? parseSource(source).parsed : undefined;
  const lines = (path: string | undefined): { line?: number; endLine?: number } => {
    if (!parsed || path === undefined) return {};
    const span = spanOf(parsed, path);
    if (span.end <= span.start) return {};
    // A block node's range runs to the start of the next line: the step ends on the line before.
    const end = Math.max(span.start, span.end - 1);
    return { line: positionAt(parsed, span.start).line, endLine: positionAt(parsed, end).line };
  };
  const group = (sub: Subgraph): GraphViewGroup => ({
    id: sub.id,
    label: sub.label,
    ...(sub.path === undefined ? {} : { path: sub.path }),
    children: sub.children.map((c) => (typeof c === 'string' ? c : group(c))),
  });
  return {
    title: graph.title,
    nodes: [...graph.nodes.values()].map((node) => ({ ...node, ...lines(node.path) })),
    edges: graph.edges.map((edge) => ({ ...edge })),
    groups: graph.children.map((c) => (typeof c === 'string' ? c : group(c))),
  };
}
