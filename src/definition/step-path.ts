/**
 * Names a step for people by where it sits — `reserve › catch 1 › step 3 (set)` — instead of its
 * JSON pointer (`/steps/2/catch/0/steps/2`). The pointer stays the API (issues, history); this is
 * for message text. Works on raw documents and on normalised definitions alike. Pure.
 */
import { isRecord, own, pointerTokens, valueAt } from './raw-data.js';
import { stepKindOf } from './step-walk.js';
import { everyStep } from './definition-walk.js';
import type { WorkflowDefinition } from './types.js';

/** What a message needs to know of one step. */
export interface StepFacts {
  readonly id?: string;
  readonly kind?: string;
  /** What the step acts on: the activity of a `call`, the child of a `workflow`, the signal waited for. */
  readonly target?: string;
}

/** `steps/3`, `parallel/0`, `try/1`, `default/2` and `repeat/steps/0` hold steps; `catch/0` and `switch/1` hold lists of them. */
const STEP_LISTS: ReadonlySet<string> = new Set(['steps', 'parallel', 'try', 'default']);

/**
 * The readable path of the step (or catch clause, or switch case) at `pointer`. Starts at the
 * nearest enclosing step with an id (ids are unique, so that is enough to find it); a step
 * without an id reads `step 3 (call payments.charge)`, a parallel branch `branch 2 (…)`.
 * `stepAt` gives the facts of the step at a pointer. Pure.
 */
export function readableStepPath(pointer: string, stepAt: (pointer: string) => StepFacts | undefined): string {
  const tokens = pointerTokens(pointer);
  const parts: string[] = [];
  let at = '';
  const add = (facts: StepFacts | undefined, words: string): void => {
    if (facts?.id !== undefined) parts.length = 0; // an id names the step on its own
    parts.push(facts?.id ?? words);
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const next = tokens[i + 1];
    at += `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const indexed = next !== undefined && /^\d+$/.test(next);
    if (indexed && (STEP_LISTS.has(token) || token === 'catch' || token === 'switch')) {
      at += `/${next}`;
      i++;
    }
    const position = Number(next) + 1;
    if (indexed && STEP_LISTS.has(token)) {
      const facts = stepAt(at);
      if (token === 'default' && facts?.id === undefined) parts.push('default');
      add(facts, stepWords(token === 'parallel' ? 'branch' : 'step', position, facts));
    } else if (indexed && token === 'catch') parts.push(`catch ${position}`);
    else if (indexed && token === 'switch' && tokens[i + 1] !== 'default') parts.push(`case ${position}`);
    else if (token === 'compensate') {
      const facts = stepAt(at);
      if (facts?.kind) add(facts, `compensate (${describe(facts)})`);
    }
  }
  return parts.length > 0 ? parts.join(' › ') : 'the workflow';
}

function stepWords(noun: string, position: number, facts: StepFacts | undefined): string {
  const what = describe(facts);
  return what ? `${noun} ${position} (${what})` : `${noun} ${position}`;
}

function describe(facts: StepFacts | undefined): string {
  if (!facts?.kind) return '';
  return facts.target !== undefined ? `${facts.kind} ${facts.target}` : facts.kind;
}

/** Step facts read from a raw (not yet validated) document. Pure. */
export function rawStepFacts(document: unknown): (pointer: string) => StepFacts | undefined {
  return (pointer) => {
    const step = valueAt(document, pointer);
    if (!isRecord(step)) return undefined;
    const { kind } = stepKindOf(step);
    const id = own(step, 'id');
    const target = kind === 'call' || kind === 'workflow' || kind === 'waitSignal' ? own(step, kind) : undefined;
    return {
      ...(typeof id === 'string' ? { id } : {}),
      ...(kind ? { kind } : {}),
      ...(typeof target === 'string' && target.length <= 60 ? { target } : {}),
    };
  };
}

/** Step facts of a normalised definition, found by each step's `path` (the pointer its errors carry). Pure. */
export function definitionStepFacts(definition: WorkflowDefinition): (pointer: string) => StepFacts | undefined {
  const byPath = new Map<string, StepFacts>();
  everyStep(definition.steps, (step) => {
    const target = step.kind === 'call' ? step.call : step.kind === 'workflow' ? step.workflow : step.kind === 'waitSignal' ? step.signal : undefined;
    byPath.set(step.path, {
      ...(step.id === undefined ? {} : { id: step.id }),
      kind: step.kind,
      ...(target !== undefined && target.length <= 60 ? { target } : {}),
    });
  });
  return (pointer) => byPath.get(pointer);
}
