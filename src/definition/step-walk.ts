/**
 * Finds the steps of a raw (not yet validated) document and tells each step's kind, tolerating
 * any malformed structure. Shared by the schema check, the semantic checks and the normaliser. Pure.
 */
import { STEP_KINDS, type StepKind } from './types.js';
import { childPointer, isRecord, own } from './raw-data.js';

const KIND_SET: ReadonlySet<string> = new Set(STEP_KINDS);

/** A step's kind, or why it has none. */
export type KindResolution =
  | { readonly kind: StepKind }
  | { readonly kind?: undefined; readonly problem: 'not-a-map' | 'no-kind' | 'several-kinds'; readonly kinds: readonly string[] };

/**
 * The kind of a step (SPEC §3): its one kind key. `steps` beside `forEach` is forEach's body, and
 * `compensate` holding a map (or beside another kind) is the common key registering a compensation.
 */
export function stepKindOf(step: unknown): KindResolution {
  if (!isRecord(step)) return { problem: 'not-a-map', kinds: [] };
  let kinds = Object.keys(step).filter((k) => KIND_SET.has(k));
  if (kinds.includes('forEach')) kinds = kinds.filter((k) => k !== 'steps');
  if (kinds.includes('compensate') && (isRecord(step.compensate) || kinds.length > 1)) {
    kinds = kinds.filter((k) => k !== 'compensate');
  }
  if (kinds.length === 1) return { kind: kinds[0] as StepKind };
  return { problem: kinds.length === 0 ? 'no-kind' : 'several-kinds', kinds };
}

/** Where a step sits: what holds it, which matters for ids, bindings and checks. */
export interface StepSite {
  readonly pointer: string;
  readonly step: unknown;
  readonly resolution: KindResolution;
  /** Pointers of the enclosing steps, outermost first. */
  readonly ancestors: readonly string[];
  /** The binding names introduced by enclosing forEach steps (`item`, `index` or their `as:`). */
  readonly loopBindings: readonly string[];
  /** True for a step registered as another step's compensation (or inside one). */
  readonly inCompensation: boolean;
}

/** Visits every step of a raw document in document order (a step before its inner steps). Pure. */
export function walkSteps(document: unknown, visit: (site: StepSite) => void): void {
  if (!isRecord(document)) return;
  walkList(own(document, 'steps'), '/steps', { ancestors: [], loopBindings: [], inCompensation: false }, visit);
}

interface Scope {
  readonly ancestors: readonly string[];
  readonly loopBindings: readonly string[];
  readonly inCompensation: boolean;
}

function walkList(list: unknown, pointer: string, scope: Scope, visit: (site: StepSite) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((step, i) => walkStep(step, childPointer(pointer, i), scope, visit));
}

function walkStep(step: unknown, pointer: string, scope: Scope, visit: (site: StepSite) => void): void {
  const resolution = stepKindOf(step);
  visit({ pointer, step, resolution, ...scope });
  if (!isRecord(step)) return;
  const inner: Scope = { ...scope, ancestors: [...scope.ancestors, pointer] };
  // Children are found by key whatever the kind, so a step with a typo still has its body checked.
  if ('forEach' in step) {
    const names = [bindingName(own(step, 'as'), 'item'), bindingName(own(step, 'indexAs'), 'index')];
    walkList(own(step, 'steps'), `${pointer}/steps`, { ...inner, loopBindings: [...scope.loopBindings, ...names] }, visit);
  } else walkList(own(step, 'steps'), `${pointer}/steps`, inner, visit);
  walkList(own(step, 'parallel'), `${pointer}/parallel`, inner, visit);
  walkList(own(step, 'try'), `${pointer}/try`, inner, visit);
  const repeat = own(step, 'repeat');
  if (isRecord(repeat)) walkList(own(repeat, 'steps'), `${pointer}/repeat/steps`, inner, visit);
  const cases = own(step, 'switch');
  if (Array.isArray(cases)) {
    cases.forEach((c, i) => {
      if (!isRecord(c)) return;
      walkList(own(c, 'steps'), `${pointer}/switch/${i}/steps`, inner, visit);
      walkList(own(c, 'default'), `${pointer}/switch/${i}/default`, inner, visit);
    });
  }
  const handlers = own(step, 'catch');
  if (Array.isArray(handlers)) {
    handlers.forEach((h, i) => {
      if (isRecord(h)) walkList(own(h, 'steps'), `${pointer}/catch/${i}/steps`, inner, visit);
    });
  }
  const compensation = own(step, 'compensate');
  if (isRecord(compensation)) walkStep(compensation, `${pointer}/compensate`, { ...inner, inCompensation: true }, visit);
}

/** A forEach binding name as written (`item`, `$item`) without its `$`; the default when absent. */
export function bindingName(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value.replace(/^\$/, '') : fallback;
}

/** The schema definition that describes steps of a kind (`groupStep` for `steps`). */
export function stepDefinitionName(kind: StepKind): string {
  return kind === 'steps' ? 'groupStep' : `${kind}Step`;
}
