/**
 * Compares the history entries a replayed decision wrote with the ones the run recorded, and
 * words the first difference for people. Values are compared as JSON keeps them (a runtime that
 * stores history as JSON drops `undefined` fields); nothing else is excluded — an entry's `at` is
 * the event's time, so it must match too. Messages name fields, never show payloads. Pure.
 */
import type { WorkflowDefinition } from '../definition/types.js';
import { readableStepPath } from '../definition/step-path.js';
import type { HistoryEntry } from './types.js';
import { indexDefinition } from './definition-index.js';

/** The first place where two entries differ (`type`, `details.activity`…), or undefined when they are the same. */
export function differingField(recorded: unknown, replayed: unknown, at = ''): string | undefined {
  if (Object.is(recorded, replayed)) return undefined;
  const bothObjects = recorded !== null && replayed !== null && typeof recorded === 'object' && typeof replayed === 'object';
  if (!bothObjects || Array.isArray(recorded) !== Array.isArray(replayed)) return at || '(entry)';
  if (Array.isArray(recorded) && Array.isArray(replayed)) {
    if (recorded.length !== replayed.length) return `${at}.length`.replace(/^\./, '');
    for (let i = 0; i < recorded.length; i++) {
      const found = differingField(recorded[i], replayed[i], `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  const a = recorded as Record<string, unknown>;
  const b = replayed as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const key of keys) {
    const found = differingField(a[key], b[key], at ? `${at}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

/** An entry as JSON keeps it. */
export function asStored(entry: HistoryEntry): HistoryEntry {
  return JSON.parse(JSON.stringify(entry)) as HistoryEntry;
}

/** Facts of an entry that are never payloads: what it is, which command seq, which activity, child, signal or timer. */
export function summarise(entry: HistoryEntry): string {
  const parts: string[] = [entry.type];
  if (entry.seq !== undefined) parts.push(`seq ${entry.seq}`);
  if (entry.attempt !== undefined) parts.push(`attempt ${entry.attempt}`);
  const details = entry.details ?? {};
  for (const key of ['activity', 'workflow', 'signal', 'purpose'] as const) {
    if (typeof details[key] === 'string') parts.push(`${key} "${details[key]}"`);
  }
  if (typeof details['dueAt'] === 'number') parts.push(`due ${new Date(details['dueAt']).toISOString()}`);
  const error = details['error'] as { type?: unknown } | null | undefined;
  if (error && typeof error.type === 'string') parts.push(`error ${error.type}`);
  if (typeof details['status'] === 'string') parts.push(`status ${details['status']}`);
  return parts.join(' ');
}

/**
 * How a message names the step an entry is about: its id, or where it sits in the definition
 * being replayed, with the pointer (the step at that place may be another one now).
 */
export function stepName(definition: WorkflowDefinition, entry: HistoryEntry | undefined): string | undefined {
  if (!entry?.path) return undefined;
  if (entry.stepId !== undefined) return `step ${entry.stepId} (${entry.path})`;
  const steps = indexDefinition(definition).steps;
  const readable = readableStepPath(entry.path, (path) => {
    const step = steps.get(path);
    if (!step) return undefined;
    const target = step.kind === 'call' ? step.call : step.kind === 'workflow' ? step.workflow : step.kind === 'waitSignal' ? step.signal : undefined;
    return { ...(step.id === undefined ? {} : { id: step.id }), kind: step.kind, ...(target === undefined ? {} : { target }) };
  });
  return `${readable} (${entry.path})`;
}
