/**
 * Issues for steps that have no single kind (no kind key, several, or not a map at all). The
 * schema cannot tell these apart from noise, so they are explained here, with typo hints. Pure.
 */
import { STEP_KINDS } from './types.js';
import type { RawIssue } from './issue.js';
import { childPointer, isRecord, own, valueAt } from './raw-data.js';
import type { KindResolution } from './step-walk.js';
import { allStepKeys } from './schema-source.js';
import { GLUED_HINT, gluedKeyMessage, listOf, nearest, preview } from './hints.js';

const KINDS: readonly string[] = STEP_KINDS;

/** One issue per step whose kind cannot be told, in document order. Pure. */
export function stepShapeIssues(document: unknown, sites: ReadonlyMap<string, KindResolution>): RawIssue[] {
  const issues: RawIssue[] = [];
  for (const [pointer, resolution] of sites) {
    if (resolution.kind) continue;
    const step = valueAt(document, pointer);
    if (resolution.problem === 'not-a-map') issues.push(notAMap(pointer, step));
    else if (resolution.problem === 'several-kinds') issues.push(severalKinds(pointer, resolution.kinds, step));
    else issues.push(...noKind(pointer, step as Record<string, unknown>));
  }
  return issues;
}

function notAMap(pointer: string, step: unknown): RawIssue {
  const example = 'e.g. `- call: inventory.reserve` or `- wait: 30s`';
  if (step === null || step === undefined) {
    return { pointer, message: 'this step is empty', hint: `write the step after \`- \`, ${example}` };
  }
  if (typeof step === 'string') {
    const glued = gluedKeyMessage(step);
    if (glued) return { pointer, message: glued, hint: GLUED_HINT };
    const word = step.trim().split(/\s+/)[0];
    const kind = KINDS.includes(word) ? word : nearest(word, KINDS);
    return {
      pointer,
      message: `a step must be a map with a kind key, not the text \`${preview(step)}\``,
      hint: kind ? `write \`- ${kind}: …\` (the kind, a colon and its value)` : `write it as a map, ${example}`,
    };
  }
  if (Array.isArray(step)) return { pointer, message: 'a step must be a map, not a list', hint: `remove the extra \`-\`; ${example}` };
  return { pointer, message: `a step must be a map, not \`${preview(step)}\``, hint: example };
}

function severalKinds(pointer: string, kinds: readonly string[], step: unknown): RawIssue {
  const second = kinds[1];
  let hint = 'split it into separate steps, one per kind';
  if (kinds.includes('try') && kinds.includes('steps')) hint = 'the body of a `try` goes under `try:`; remove `steps:` or make it a separate step';
  else if (kinds.includes('steps')) hint = `\`steps:\` makes a group step of its own; put the group in a separate step, or move the inner steps under \`${kinds.find((k) => k !== 'steps')}\``;
  return {
    pointer: childPointer(pointer, second),
    at: 'key',
    message: `a step has exactly one kind key, but this one has ${listOf([...kinds], 'and')}`,
    hint: isRecord(step) ? hint : undefined,
  };
}

/** Words authors bring from other tools for what a step kind does. */
const KIND_SYNONYMS: Readonly<Record<string, { kind: string; purpose: string }>> = {
  sleep: { kind: 'wait', purpose: 'to pause' },
  delay: { kind: 'wait', purpose: 'to pause' },
  pause: { kind: 'wait', purpose: 'to pause' },
  run: { kind: 'call', purpose: 'to run an activity' },
  invoke: { kind: 'call', purpose: 'to run an activity' },
  activity: { kind: 'call', purpose: 'to run an activity' },
  task: { kind: 'call', purpose: 'to run an activity' },
  signal: { kind: 'waitSignal', purpose: 'to wait for a signal' },
  await: { kind: 'waitSignal', purpose: 'to wait for a signal' },
  loop: { kind: 'forEach', purpose: 'to go through a list' },
  each: { kind: 'forEach', purpose: 'to go through a list' },
  throw: { kind: 'fail', purpose: 'to stop with an error' },
  raise: { kind: 'fail', purpose: 'to stop with an error' },
};

function noKind(pointer: string, step: Record<string, unknown>): RawIssue[] {
  const known = allStepKeys();
  const issues: RawIssue[] = [];
  let typoOfKind = false;
  for (const key of Object.keys(step)) {
    if (known.includes(key)) continue;
    const match = nearest(key, known);
    const synonym = KIND_SYNONYMS[key.toLowerCase()];
    if ((match && KINDS.includes(match)) || synonym) typoOfKind = true;
    const value = own(step, key);
    issues.push({
      pointer: childPointer(pointer, key),
      at: 'key',
      message: `unknown key \`${preview(key)}\` in a step`,
      hint: match
        ? `did you mean \`${match}\`?`
        : synonym
          ? `Flowline has no \`${preview(key)}\`: ${synonym.purpose}, write \`${synonym.kind}:${typeof value === 'string' || typeof value === 'number' ? ` ${preview(value)}` : ' …'}\``
          : `a step has one kind key (${KINDS.join(', ')}) plus id, name, description, if, assign, timeout, retry, catch, compensate`,
    });
  }
  if (typoOfKind) return issues;
  let hint = `add one of ${listOf(KINDS)}`;
  if (isRecord(own(step, 'compensate'))) {
    hint = '`compensate:` holding a step registers an undo for the step it sits on: put it on that step (next to its `call:`); to run compensations now write `compensate: all`';
  } else if ('with' in step) hint = 'a step with `with:` usually needs `call: <activity>` (or `workflow: <name>`)';
  else if ('until' in step) hint = 'for a loop write `repeat: { steps: […], until: … }`; for a timer `wait: { until: … }`';
  issues.push({ pointer, message: 'this step has no kind key, so Flowline cannot tell what it does', hint });
  return issues;
}
