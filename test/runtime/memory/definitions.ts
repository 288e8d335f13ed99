/** Hand-built normalised definitions for the embedded runtime's own tests (no loader needed). */
import { createHash } from 'node:crypto';
import type { Step, WorkflowDefinition } from '../../../src/definition/types.js';

/** A definition with the defaults filled; the digest is computed from the content. */
export function definition(
  name: string,
  steps: Step[],
  extra: Partial<Omit<WorkflowDefinition, 'name' | 'steps' | 'digest'>> = {},
): WorkflowDefinition {
  const body = { dsl: 'flowline/v1' as const, name, version: 1, signals: {}, queries: {}, defaults: {}, steps, ...extra };
  return { ...body, digest: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
}

export const call = (index: number, activity: string, extra: Record<string, unknown> = {}): Step =>
  ({ kind: 'call', path: `/steps/${index}`, call: activity, ...extra }) as Step;

export const wait = (path: string, durationMs: number): Step => ({ kind: 'wait', path, durationMs });

export const waitSignal = (index: number, signal: string, timeoutMs?: number): Step =>
  ({ kind: 'waitSignal', path: `/steps/${index}`, signal, ...(timeoutMs === undefined ? {} : { timeoutMs }) }) as Step;
