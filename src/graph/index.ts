/** Diagrams of workflow definitions (`flowline graph`): Mermaid flowcharts built from the normalised definition. */
import type { WorkflowDefinition } from '../definition/types.js';
import { buildGraph } from './build.js';
import { renderMermaid } from './mermaid.js';

export { buildGraph, START_ID, END_ID } from './build.js';
export { renderMermaid, escapeLabel, isValidNodeId } from './mermaid.js';
export type { Graph, GraphNode, GraphEdge, Subgraph, NodeShape, NodeClass, EdgeKind } from './model.js';

/** Diagram formats `flowline graph` can write. */
export const GRAPH_FORMATS = ['mermaid'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** The Mermaid `flowchart TD` text of a definition. Pure and deterministic. */
export function toMermaid(definition: WorkflowDefinition): string {
  return renderMermaid(buildGraph(definition));
}
