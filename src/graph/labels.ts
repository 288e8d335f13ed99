/** Short, human labels for steps and expressions in a diagram (pure text; escaping happens in mermaid.ts). */
import type { RetryPolicy, Step, Template } from '../definition/types.js';
import { formatDuration } from '../definition/duration.js';

/** Durations in labels read as authors write them (`30s`, `1m30s`, `48h`). */
export { formatDuration };

/** Longest expression text kept in a label before it is shortened with an ellipsis. */
export const MAX_EXPRESSION_CHARS = 48;

/** Collapse whitespace and shorten long text. Pure. */
export function shorten(text: string, max = MAX_EXPRESSION_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** A template value as one short line: strings as written, other values as compact JSON. Pure. */
export function templateText(value: Template): string {
  if (typeof value === 'string') return shorten(value);
  if (value === undefined) return '';
  return shorten(JSON.stringify(value) ?? String(value));
}

/** The step's own name for people: `name`, else `id`, else undefined. Pure. */
export function stepTitle(step: Step): string | undefined {
  return step.name ?? step.id;
}

/** Extra lines shown under a step's main label: timeout, retries, assigned variables. Pure. */
export function modifierLines(step: Step): string[] {
  const lines: string[] = [];
  if (step.timeoutMs !== undefined) lines.push(`⏱ timeout ${formatDuration(step.timeoutMs)}`);
  if (step.retry && step.retry.maxAttempts > 1) lines.push(retryText(step.retry));
  if (step.assign) lines.push(`→ ${Object.keys(step.assign).map((v) => `$vars.${v}`).join(', ')}`);
  return lines;
}

function retryText(retry: RetryPolicy): string {
  const base = `↻ up to ${retry.maxAttempts} attempts`;
  return retry.nonRetryable.length ? `${base}, not ${retry.nonRetryable.join('/')}` : base;
}

/** One line summing up what a step does, used for compensation nodes and explicit compensate steps. Pure. */
export function summary(step: Step): string {
  switch (step.kind) {
    case 'call':
      return step.call;
    case 'workflow':
      return `workflow ${step.workflow}`;
    case 'steps':
      return `${step.steps.length} steps`;
    case 'set':
      return `set ${Object.keys(step.set).join(', ')}`;
    case 'compensate':
      return step.targets === 'all' ? 'compensate all' : `compensate ${step.targets.join(', ')}`;
    case 'fail':
      return `fail ${templateText(step.error)}`;
    case 'return':
      return 'return';
    case 'continueAsNew':
      return 'continue as new';
    default:
      return step.kind;
  }
}
