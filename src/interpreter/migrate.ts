/**
 * Moving a running run to another version of its flow (docs/decisions/0015): the check that says
 * whether the run's position exists in the target version, and the state change that re-points
 * the run's bookkeeping at the target's steps. Pure.
 *
 * Steps are matched by identity, not by position: a step with an `id` is the step with the same
 * id in the target; a step without one is found through its nearest enclosing step with an id
 * (or the document root) and its place below it, so `reserve`'s compensation is `reserve`'s
 * compensation in both versions wherever `reserve` moved. A match must have the same kind.
 */
import type { Step, StepPath, WorkflowDefinition } from '../definition/types.js';
import type { Decision, HistoryEntry, MigrationBlocker, MigrationMove, MigrationPlan, MigrationRemap, RunMigratedEvent, RunState } from './types.js';
import { ROOT_LIST, type BlockNode, type CoreState, type Node, type StepNode } from './core-state.js';
import { indexDefinition } from './definition-index.js';
import { pmEntries, pmGet, pmKeys, pmSet } from './pmap.js';
import { CoreMisuseError } from './errors.js';

export type { MigrationBlocker, MigrationMove, MigrationPlan };

interface Site {
  readonly step: Step;
  /** Identity across versions: the id, or the nearest identified ancestor's key plus the place below it. */
  readonly key: string;
  /** The step list (block key) that holds it and its position there; undefined for parallel branches. */
  readonly list?: string;
  readonly position?: number;
  /** For a parallel branch: the parallel step's path and the branch number. */
  readonly branchOf?: { readonly path: StepPath; readonly index: number };
}

interface Sites {
  readonly byPath: ReadonlyMap<StepPath, Site>;
  readonly byKey: ReadonlyMap<string, Site>;
  readonly byId: ReadonlyMap<string, Site>;
}

const memo = new WeakMap<WorkflowDefinition, Sites>();

/** The nested steps of a step, in document order. */
function childrenOf(step: Step): Step[] {
  const children: Step[] = [];
  for (const clause of step.catch ?? []) children.push(...clause.steps);
  if (step.compensate) children.push(step.compensate);
  switch (step.kind) {
    case 'steps':
    case 'try':
    case 'forEach':
    case 'repeat':
      children.push(...step.steps);
      break;
    case 'parallel':
      children.push(...step.branches);
      break;
    case 'switch':
      for (const c of step.cases) children.push(...c.steps);
      break;
    default:
      break;
  }
  return children;
}

function sitesOf(definition: WorkflowDefinition): Sites {
  const hit = memo.get(definition);
  if (hit) return hit;
  const index = indexDefinition(definition);
  const container = new Map<StepPath, { list: string; position: number }>();
  for (const [list, steps] of index.lists) steps.forEach((s, position) => container.set(s.path, { list, position }));
  const byPath = new Map<StepPath, Site>();
  const byKey = new Map<string, Site>();
  const byId = new Map<string, Site>();
  const visit = (step: Step, anchor: { key: string; path: string }): void => {
    const key = step.id !== undefined ? `#${step.id}` : `${anchor.key}${step.path.slice(anchor.path.length)}`;
    const place = container.get(step.path);
    const site: Site = { step, key, ...(place ? { list: place.list, position: place.position } : {}) };
    byPath.set(step.path, site);
    byKey.set(key, site);
    if (step.id !== undefined) byId.set(step.id, site);
    const inner = step.id !== undefined ? { key, path: step.path } : anchor;
    if (step.kind === 'parallel') {
      step.branches.forEach((branch, i) => {
        visit(branch, inner);
        const branchSite = byPath.get(branch.path)!;
        const withBranch: Site = { ...branchSite, branchOf: { path: step.path, index: i } };
        byPath.set(branch.path, withBranch);
        byKey.set(branchSite.key, withBranch);
        if (branch.id !== undefined) byId.set(branch.id, withBranch);
      });
      for (const child of childrenOf({ ...step, branches: [] })) visit(child, inner);
      return;
    }
    for (const child of childrenOf(step)) visit(child, inner);
  };
  for (const step of definition.steps) visit(step, { key: '', path: '' });
  const sites = { byPath, byKey, byId };
  memo.set(definition, sites);
  return sites;
}

function label(step: Step): string {
  return step.id ?? `(${step.kind} at ${step.path})`;
}

/**
 * Plans moving `state` (a running run of `source`) to `target`: allowed only when every step the
 * run is in, every step with a compensation still registered, and every completed step the
 * target also names exists in the target with the same kind. Pure.
 */
export function planMigration(source: WorkflowDefinition, target: WorkflowDefinition, state: RunState): MigrationPlan {
  const blockers: MigrationBlocker[] = [];
  const warnings: string[] = [];
  const moves: MigrationMove[] = [];
  const nodes: Record<string, { path?: StepPath; list?: string; index?: number; tag?: number }> = {};
  const regs: Record<string, StepPath> = {};
  const empty: MigrationRemap = { nodes: {}, regs: {} };
  const base = { fromVersion: source.version, toVersion: target.version };
  if (source.name !== target.name) {
    return { ...base, allowed: false, blockers: [{ step: null, reason: `the target is flow ${target.name}, the run is a ${source.name}` }], warnings, moves, remap: empty };
  }
  if (state.status !== 'running') {
    return { ...base, allowed: false, blockers: [{ step: null, reason: `the run is ${state.status}; only running runs move` }], warnings, moves, remap: empty };
  }
  if (target.migrateFrom === undefined) {
    warnings.push(`v${target.version} does not declare migrateFrom; the move relies on the step check alone`);
  } else if (!target.migrateFrom.includes(source.version)) {
    blockers.push({ step: null, reason: `v${target.version} declares migrateFrom: [${target.migrateFrom.join(', ')}], which does not include v${source.version}` });
  }
  const from = sitesOf(source);
  const to = sitesOf(target);
  const core = state.core as CoreState;
  const targetOf = (path: StepPath, why: string): Site | undefined => {
    const site = from.byPath.get(path);
    if (!site) throw new CoreMisuseError(`run ${state.runId} is at ${path}, which is not a step of ${source.name} v${source.version}`);
    const match = to.byKey.get(site.key);
    const name = label(site.step);
    if (!match) {
      blockers.push({
        step: name,
        reason:
          site.step.id !== undefined
            ? `${why} but v${target.version} has no step with id ${site.step.id}`
            : `${why} but has no id, and v${target.version} has no ${site.step.kind} step at the same place (give it an id in both versions)`,
      });
      return undefined;
    }
    if (match.step.kind !== site.step.kind) {
      blockers.push({ step: name, reason: `${why} as a ${site.step.kind} step, but in v${target.version} it is a ${match.step.kind} step` });
      return undefined;
    }
    return match;
  };

  const allNodes = new Map<string, Node>(pmEntries(core.nodes));
  const mapped = new Map<string, Site>();
  for (const [id, node] of allNodes) {
    if (node.type !== 'step') continue;
    const match = targetOf(node.path, 'the run is in this step');
    if (!match) continue;
    mapped.set(id, match);
    const source = from.byPath.get(node.path)!.step;
    moves.push({ step: label(source), kind: source.kind, from: node.path, to: match.step.path });
    checkKindDetails(source, match.step, target.version, blockers);
    const change: { path?: StepPath; tag?: number } = {};
    if (match.step.path !== node.path) change.path = match.step.path;
    if (match.branchOf && match.branchOf.index !== node.tag) change.tag = match.branchOf.index;
    if (change.path !== undefined || change.tag !== undefined) nodes[id] = change;
  }
  for (const [id, node] of allNodes) {
    if (node.type !== 'block') continue;
    const change = remapBlock(node, allNodes, mapped, from, to, target);
    if (change === undefined) {
      blockers.push({ step: null, reason: `the step list ${node.list} the run is in has no counterpart in v${target.version}` });
      continue;
    }
    // The step running in the block must still sit directly in the matching list of the same enclosing step.
    const owner = node.parent === null ? undefined : allNodes.get(node.parent);
    const ownerPath = owner?.type === 'step' ? (mapped.get(owner.id)?.step.path ?? owner.path) : undefined;
    const expectedOwner = node.role === 'root' ? ROOT_LIST : ownerPath;
    const actualOwner = change.list === ROOT_LIST ? ROOT_LIST : change.list.slice(0, change.list.indexOf('#'));
    if (expectedOwner !== undefined && node.role !== 'saga' && node.role !== 'compensation' && actualOwner !== expectedOwner) {
      const running = [...pmKeys(node.children)].map((c) => mapped.get(c)).find((site) => site !== undefined);
      blockers.push({
        step: running ? label(running.step) : null,
        reason: `the run is in this step, but v${target.version} moved it into a different enclosing step`,
      });
      continue;
    }
    if (change.list !== node.list || change.index !== node.index || change.tag !== node.tag) nodes[id] = change;
  }
  for (const [regId, reg] of pmEntries(core.regs)) {
    const match = targetOf(reg.stepPath, 'a compensation is registered for this step');
    if (!match) continue;
    if (!match.step.compensate) {
      blockers.push({ step: label(match.step), reason: `a compensation is registered for this step, but in v${target.version} it has no compensate` });
      continue;
    }
    if (match.step.path !== reg.stepPath) regs[regId] = match.step.path;
    if (!moves.some((m) => m.from === reg.stepPath)) {
      moves.push({ step: label(match.step), kind: match.step.kind, from: reg.stepPath, to: match.step.path });
    }
  }
  for (const [, scope] of pmEntries(core.scopes)) {
    for (const id of pmKeys(scope.steps)) {
      const was = from.byId.get(id);
      const now = to.byId.get(id);
      if (was && now && was.step.kind !== now.step.kind) {
        blockers.push({ step: id, reason: `this completed step is a ${was.step.kind} step, but in v${target.version} ${id} is a ${now.step.kind} step` });
      }
    }
  }
  const unique = dedupe(blockers);
  const allowed = unique.length === 0;
  return { ...base, allowed, blockers: unique, warnings, moves, remap: allowed ? { nodes, regs } : empty };
}

/** Kind-specific facts a waiting step keeps that must agree in the target. */
function checkKindDetails(source: Step, target: Step, version: number, blockers: MigrationBlocker[]): void {
  if (source.kind === 'waitSignal' && target.kind === 'waitSignal' && source.signal !== target.signal) {
    blockers.push({ step: label(source), reason: `waits for signal ${source.signal}, but in v${version} it waits for ${target.signal}` });
  }
  if (source.kind === 'parallel' && target.kind === 'parallel' && source.branches.length !== target.branches.length) {
    blockers.push({ step: label(source), reason: `has ${source.branches.length} branches, but ${target.branches.length} in v${version}` });
  }
}

/** A block's list, position and tag in the target, found from the step running in it; undefined when there is none. */
function remapBlock(
  block: BlockNode,
  nodes: ReadonlyMap<string, Node>,
  mapped: ReadonlyMap<string, Site>,
  from: Sites,
  to: Sites,
  target: WorkflowDefinition,
): { list: string; index: number; tag: number } | undefined {
  for (const childId of pmKeys(block.children)) {
    const child = nodes.get(childId);
    if (child?.type !== 'step') continue;
    const site = mapped.get(childId);
    // The child's own blocker is already reported.
    if (!site) return { list: block.list, index: block.index, tag: block.tag };
    if (site.list === undefined || site.position === undefined) return undefined;
    return { list: site.list, index: site.position, tag: tagFor(site.list, block.tag) };
  }
  // A compensation block between steps, or a block with nothing running: re-point by its owner.
  const hash = block.list.indexOf('#');
  if (hash < 0) return block.list === ROOT_LIST ? { list: block.list, index: block.index, tag: block.tag } : undefined;
  const ownerPath = block.list.slice(0, hash);
  const owner = from.byPath.get(ownerPath);
  const match = owner ? to.byKey.get(owner.key) : undefined;
  if (!match) return undefined;
  const list = `${match.step.path}${block.list.slice(hash)}`;
  return indexDefinition(target).lists.has(list) ? { list, index: block.index, tag: tagFor(list, block.tag) } : undefined;
}

/** Case and handler blocks carry their case/clause number as tag. */
function tagFor(list: string, tag: number): number {
  const numbered = /#(?:case|catch)(\d+)$/.exec(list);
  return numbered ? Number(numbered[1]) : tag;
}

function dedupe(blockers: readonly MigrationBlocker[]): MigrationBlocker[] {
  const seen = new Set<string>();
  return blockers.filter((b) => {
    const key = `${b.step}\u0000${b.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The state after a RunMigrated event, decided with the target definition. Pure. */
export function migrationDecision(target: WorkflowDefinition, base: RunState, event: RunMigratedEvent): Decision {
  const w = base.workflow;
  if (w.name !== target.name || w.version !== event.from.version || w.digest !== event.from.digest) {
    throw new CoreMisuseError(`run ${base.runId} is on ${w.name} v${w.version}, not the v${event.from.version} this migration starts from`);
  }
  if (target.version !== event.to.version || target.digest !== event.to.digest) {
    throw new CoreMisuseError(`RunMigrated to v${event.to.version} decided with ${target.name} v${target.version}`);
  }
  const core = base.core as CoreState;
  const owned = new Set<object>();
  let nodes = core.nodes;
  for (const [id, change] of Object.entries(event.remap.nodes)) {
    const node = pmGet(nodes, id);
    if (!node) throw new CoreMisuseError(`RunMigrated names node ${id}, which run ${base.runId} does not have`);
    nodes = pmSet(nodes, id, { ...node, ...change } as StepNode | BlockNode, owned);
  }
  let registrations = core.regs;
  for (const [regId, stepPath] of Object.entries(event.remap.regs)) {
    const reg = pmGet(registrations, regId);
    if (!reg) throw new CoreMisuseError(`RunMigrated names registration ${regId}, which run ${base.runId} does not have`);
    registrations = pmSet(registrations, regId, { ...reg, stepPath }, owned);
  }
  const entry: HistoryEntry = {
    index: base.historyLength,
    at: event.at,
    type: 'RunMigrated',
    details: { from: event.from.version, to: event.to.version },
    event,
  };
  const state: RunState = {
    ...base,
    workflow: { name: target.name, version: target.version, digest: target.digest },
    updatedAt: event.at,
    revision: base.revision + 1,
    historyLength: base.historyLength + 1,
    core: { ...core, nodes, regs: registrations },
  };
  return { accepted: true, state, commands: [], history: [entry] };
}
