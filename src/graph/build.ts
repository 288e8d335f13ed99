/**
 * Turns a normalised WorkflowDefinition into the diagram model: every step kind becomes nodes,
 * subgraphs and edges. Pure: the same definition always gives the same graph (ids are counters
 * in document order).
 */
import type { CatchClause, Step, WorkflowDefinition } from '../definition/types.js';
import type { EdgeKind, Graph, GraphNode, NodeClass, NodeShape, Subgraph } from './model.js';
import { formatDuration, modifierLines, stepTitle, summary, templateText } from './labels.js';

/** A dangling edge end: the next node drawn connects from here, with this label. */
interface Exit {
  readonly from: string;
  readonly label?: string;
  readonly kind?: EdgeKind;
}

/** A container that new nodes and subgraphs are added to. */
type Container = (string | Subgraph)[];

/** Id of the start node. Never `end`/`start` alone: `end` is a Mermaid keyword. */
export const START_ID = 'flowStart';
/** Id of the end node. */
export const END_ID = 'flowEnd';

/** Build the diagram model of a definition. Pure. */
export function buildGraph(definition: WorkflowDefinition): Graph {
  const graph: Graph = {
    title: `${definition.name} v${definition.version}`,
    nodes: new Map(),
    children: [],
    edges: [],
  };
  const builder = new Builder(graph);
  builder.node(graph.children, 'terminal', 'terminal', '▶ start', START_ID);
  const exits = builder.sequence(definition.steps, [{ from: START_ID }], graph.children);
  builder.node(graph.children, 'terminal', 'terminal', '■ end', END_ID);
  builder.connect(exits, END_ID);
  return graph;
}

/** Holds the counters and the graph under construction; one per buildGraph call. */
class Builder {
  private nodeCount = 0;
  private groupCount = 0;
  /** Compensation node of each step that registers one, by step id, for explicit `compensate` steps. */
  private readonly compensationNodes = new Map<string, string>();

  constructor(private readonly graph: Graph) {}

  node(into: Container, shape: NodeShape, cls: NodeClass, label: string, id?: string, path?: string): string {
    const nodeId = id ?? `n${++this.nodeCount}`;
    const node: GraphNode = path === undefined ? { id: nodeId, label, shape, cls } : { id: nodeId, label, shape, cls, path };
    this.graph.nodes.set(nodeId, node);
    into.push(nodeId);
    return nodeId;
  }

  subgraph(into: Container, label: string, path?: string): Subgraph {
    const sub: Subgraph = path === undefined ? { id: `g${++this.groupCount}`, label, children: [] } : { id: `g${++this.groupCount}`, label, children: [], path };
    into.push(sub);
    return sub;
  }

  edge(from: string, to: string, kind: EdgeKind, label?: string): void {
    this.graph.edges.push(label === undefined ? { from, to, kind } : { from, to, kind, label });
  }

  connect(exits: readonly Exit[], to: string): void {
    for (const exit of exits) this.edge(exit.from, to, exit.kind ?? 'flow', exit.label);
  }

  /** Draw steps in order, each one connected from the previous one's exits. */
  sequence(steps: readonly Step[], incoming: readonly Exit[], into: Container): Exit[] {
    let exits = [...incoming];
    for (const step of steps) exits = this.step(step, exits, into);
    return exits;
  }

  /** Draw one step (with its `if`, `catch` and `compensate` keys); returns its exits. */
  step(step: Step, incoming: readonly Exit[], into: Container): Exit[] {
    let entry = incoming;
    const skipped: Exit[] = [];
    if (step.if !== undefined) {
      const cond = this.node(into, 'decision', 'control', `if ${templateText(step.if)}`, undefined, step.path);
      this.connect(incoming, cond);
      entry = [{ from: cond, label: 'yes' }];
      skipped.push({ from: cond, label: 'no: skip' });
    }
    const { anchor, exits } = this.body(step, entry, into);
    if (step.compensate) this.compensation(step, step.compensate, anchor, into);
    const handled = step.catch ? this.handlers(step.catch, anchor, into) : [];
    return [...exits, ...handled, ...skipped];
  }

  /** Draw the step kind itself. `anchor` is the node or subgraph that catch/compensate edges start from. */
  private body(step: Step, incoming: readonly Exit[], into: Container): { anchor: string; exits: Exit[] } {
    const title = stepTitle(step);
    const lines = (main: string[]): string => [...main, ...modifierLines(step)].join('\n');
    const single = (shape: NodeShape, cls: NodeClass, main: string[]): { anchor: string; exits: Exit[] } => {
      const id = this.node(into, shape, cls, lines(main), undefined, step.path);
      this.connect(incoming, id);
      return { anchor: id, exits: [{ from: id }] };
    };
    const titled = (text: string): string[] => (title ? [title, text] : [text]);
    switch (step.kind) {
      case 'call':
        return single('task', 'task', titled(`call ${step.call}`));
      case 'set':
        return single('data', 'control', titled(`set ${Object.keys(step.set).map((v) => `$vars.${v}`).join(', ')}`));
      case 'wait': {
        const when = step.durationMs !== undefined ? formatDuration(step.durationMs) : `until ${templateText(step.until)}`;
        return single('timer', 'timer', titled(`⏳ wait ${when}`));
      }
      case 'waitSignal':
        return single('signal', 'signal', titled(`✉ wait for signal ${step.signal}`));
      case 'workflow': {
        const version = step.version === undefined ? '' : ` v${step.version}`;
        return single('child', 'child', titled(`child workflow ${step.workflow}${version}`));
      }
      case 'compensate': {
        const result = single('compensation', 'compensation', titled(`↩ ${summary(step)}`));
        const targets = step.targets === 'all' ? [...this.compensationNodes.values()] : step.targets.map((t) => this.compensationNodes.get(t));
        for (const target of targets) if (target) this.edge(result.anchor, target, 'compensate', 'runs');
        return result;
      }
      case 'fail': {
        const id = this.node(into, 'stop', 'fail', lines(titled(`✖ fail ${templateText(step.error)}`)), undefined, step.path);
        this.connect(incoming, id);
        return { anchor: id, exits: [] };
      }
      case 'return': {
        const id = this.node(into, 'return', 'terminal', lines(titled(`return ${templateText(step.value)}`)), undefined, step.path);
        this.connect(incoming, id);
        this.edge(id, END_ID, 'flow');
        return { anchor: id, exits: [] };
      }
      case 'continueAsNew': {
        const id = this.node(into, 'return', 'control', lines(titled(`↻ continue as new with ${templateText(step.input)}`)), undefined, step.path);
        this.connect(incoming, id);
        this.edge(id, START_ID, 'loop', 'next generation');
        return { anchor: id, exits: [] };
      }
      case 'steps': {
        const sub = this.subgraph(into, lines([title ?? 'steps']), step.path);
        return { anchor: sub.id, exits: this.sequenceOrPass(step.steps, incoming, sub.children) };
      }
      case 'try': {
        const sub = this.subgraph(into, lines([title ? `try: ${title}` : 'try']), step.path);
        return { anchor: sub.id, exits: this.sequenceOrPass(step.steps, incoming, sub.children) };
      }
      case 'parallel':
        return this.parallel(step, incoming, into, lines);
      case 'forEach': {
        const sub = this.subgraph(into, lines([title ?? 'for each']), step.path);
        const parallelism = step.concurrency > 1 ? `, ${step.concurrency} at a time` : '';
        const head = this.node(sub.children, 'loop', 'control', `⟳ for each $${step.as} in ${templateText(step.forEach)}${parallelism}`, undefined, step.path);
        this.connect(incoming, head);
        const exits = this.sequence(step.steps, [{ from: head, label: `$${step.as}` }], sub.children);
        for (const exit of exits) this.edge(exit.from, head, 'loop', exit.label ? `${exit.label} · next item` : 'next item');
        return { anchor: sub.id, exits: [{ from: head, label: 'done' }] };
      }
      case 'repeat': {
        const sub = this.subgraph(into, lines([title ?? 'repeat']), step.path);
        const head = this.node(sub.children, 'loop', 'control', step.max === undefined ? '⟳ repeat' : `⟳ repeat, at most ${step.max} times`, undefined, step.path);
        this.connect(incoming, head);
        const exits = this.sequence(step.steps, [{ from: head }], sub.children);
        const until = this.node(sub.children, 'decision', 'control', `until ${templateText(step.until)}`);
        this.connect(exits, until);
        this.edge(until, head, 'loop', 'no: again');
        return { anchor: sub.id, exits: [{ from: until, label: 'yes' }] };
      }
      case 'switch':
        return this.switchStep(step, incoming, into, lines);
      default: {
        const never: never = step;
        throw new Error(`unknown step kind ${JSON.stringify(never)}`);
      }
    }
  }

  private parallel(
    step: Extract<Step, { kind: 'parallel' }>,
    incoming: readonly Exit[],
    into: Container,
    lines: (main: string[]) => string,
  ): { anchor: string; exits: Exit[] } {
    const sub = this.subgraph(into, lines([stepTitle(step) ?? 'parallel']), step.path);
    const fork = this.node(sub.children, 'fork', 'control', step.completion === 'any' ? '⇉ parallel: first to succeed wins' : '⇉ parallel: all branches', undefined, step.path);
    this.connect(incoming, fork);
    const ends: Exit[] = [];
    for (const branch of step.branches) ends.push(...this.step(branch, [{ from: fork }], sub.children));
    const join = this.node(sub.children, 'join', 'control', step.completion === 'any' ? 'first success' : 'all done');
    this.connect(ends, join);
    return { anchor: sub.id, exits: [{ from: join }] };
  }

  private switchStep(
    step: Extract<Step, { kind: 'switch' }>,
    incoming: readonly Exit[],
    into: Container,
    lines: (main: string[]) => string,
  ): { anchor: string; exits: Exit[] } {
    // A switch with catch handlers is boxed so the handlers' edges can start from the whole switch.
    const box = step.catch ? this.subgraph(into, lines([stepTitle(step) ?? 'switch']), step.path) : undefined;
    const target = box ? box.children : into;
    const decision = this.node(target, 'decision', 'control', lines([stepTitle(step) ?? 'switch']), undefined, step.path);
    this.connect(incoming, decision);
    const exits: Exit[] = [];
    for (const c of step.cases) {
      const label = c.isDefault ? 'default' : `when ${templateText(c.when)}`;
      exits.push(...this.sequence(c.steps, [{ from: decision, label }], target));
    }
    if (!step.cases.some((c) => c.isDefault)) exits.push({ from: decision, label: 'no match' });
    return { anchor: box ? box.id : decision, exits };
  }

  /** An empty nested sequence still needs a node inside its subgraph (Mermaid drops empty subgraphs). */
  private sequenceOrPass(steps: readonly Step[], incoming: readonly Exit[], into: Container): Exit[] {
    if (steps.length > 0) return this.sequence(steps, incoming, into);
    const id = this.node(into, 'data', 'control', '(no steps)');
    this.connect(incoming, id);
    return [{ from: id }];
  }

  /** Catch handlers: a dashed edge labelled with the error types to each handler's steps. */
  private handlers(clauses: readonly CatchClause[], anchor: string, into: Container): Exit[] {
    const exits: Exit[] = [];
    for (const clause of clauses) {
      const label = `catch ${clause.errors?.length ? clause.errors.join(', ') : 'any error'}`;
      if (clause.steps.length === 0) {
        exits.push({ from: anchor, label, kind: 'catch' });
        continue;
      }
      exits.push(...this.sequence(clause.steps, [{ from: anchor, label, kind: 'catch' }], into));
    }
    return exits;
  }

  /** A registered compensation: its own node (class `compensation`) and a dotted `compensate` edge. */
  private compensation(step: Step, compensation: Step, anchor: string, into: Container): void {
    const title = stepTitle(step);
    const label = title ? `↩ undo ${title}\n${summary(compensation)}` : `↩ undo\n${summary(compensation)}`;
    const id = this.node(into, 'compensation', 'compensation', label, undefined, compensation.path);
    this.edge(anchor, id, 'compensate', 'compensate');
    if (step.id) this.compensationNodes.set(step.id, id);
  }
}
