/** The diagram model `flowline graph` builds from a definition before it is written as Mermaid text. */

/** How a node is drawn; each maps to one Mermaid flowchart shape (see mermaid.ts). */
export type NodeShape =
  | 'terminal' // start / end
  | 'task' // call
  | 'data' // set
  | 'timer' // wait ⏳
  | 'signal' // waitSignal ✉
  | 'child' // workflow
  | 'decision' // switch, if, repeat's until
  | 'fork' // parallel start
  | 'join' // parallel end
  | 'loop' // forEach / repeat head
  | 'stop' // fail
  | 'return' // return
  | 'compensation'; // a registered compensation or an explicit compensate step

/** Style class given to a node (declared once per diagram with classDef). */
export type NodeClass = 'task' | 'timer' | 'signal' | 'child' | 'fail' | 'compensation' | 'terminal' | 'control';

export interface GraphNode {
  readonly id: string;
  /** Plain text; lines separated by `\n`. Escaped when written. */
  readonly label: string;
  readonly shape: NodeShape;
  readonly cls: NodeClass;
  /** JSON pointer of the step the node draws (as in history entries' `path`); none for start, end, joins. */
  readonly path?: string;
}

/**
 * `flow`: the normal path. `loop`: a back edge of forEach/repeat. `catch`: to an error handler
 * (dashed). `compensate`: from a step to the compensation it registers (dotted, coloured).
 */
export type EdgeKind = 'flow' | 'loop' | 'catch' | 'compensate';

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly kind: EdgeKind;
}

/** A box around related nodes: a group, a try body, a parallel branch, a loop body. */
export interface Subgraph {
  readonly id: string;
  readonly label: string;
  readonly children: (string | Subgraph)[];
  /** JSON pointer of the step the box draws (try, steps, forEach…). */
  readonly path?: string;
}

/** The whole diagram: top-level children (node ids or subgraphs), every node and every edge in order. */
export interface Graph {
  readonly title: string;
  readonly nodes: Map<string, GraphNode>;
  readonly children: (string | Subgraph)[];
  readonly edges: GraphEdge[];
}
