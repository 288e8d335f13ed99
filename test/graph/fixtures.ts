/** Hand-built normalised definitions for graph tests (independent of the loader). */
import type { RetryPolicy, Step, WorkflowDefinition } from '../../src/definition/types.js';

/** A minimal definition around the given steps. */
export function definitionOf(steps: Step[], extra: Partial<WorkflowDefinition> = {}): WorkflowDefinition {
  return {
    dsl: 'flowline/v1',
    name: 'graph-fixture',
    version: 1,
    signals: {},
    queries: {},
    defaults: {},
    steps,
    digest: 'test',
    ...extra,
  };
}

let counter = 0;
const path = (): string => `/steps/${counter++}`;

/** Step builders: only the fields each test needs, the rest as the loader would fill them. */
export const s = {
  call: (id: string, activity: string, more: Record<string, unknown> = {}): Step =>
    ({ kind: 'call', path: path(), id, call: activity, ...more }) as Step,
  set: (vars: Record<string, unknown>, more: Record<string, unknown> = {}): Step =>
    ({ kind: 'set', path: path(), set: vars, ...more }) as Step,
  group: (steps: Step[], more: Record<string, unknown> = {}): Step => ({ kind: 'steps', path: path(), steps, ...more }) as Step,
  parallel: (branches: Step[], completion: 'all' | 'any' = 'all', more: Record<string, unknown> = {}): Step =>
    ({ kind: 'parallel', path: path(), branches, completion, ...more }) as Step,
  forEach: (items: string, steps: Step[], more: Record<string, unknown> = {}): Step =>
    ({ kind: 'forEach', path: path(), forEach: items, steps, concurrency: 1, as: 'item', indexAs: 'index', ...more }) as Step,
  switch: (cases: { when?: string; steps: Step[] }[], more: Record<string, unknown> = {}): Step =>
    ({
      kind: 'switch',
      path: path(),
      cases: cases.map((c) => ({ path: path(), isDefault: c.when === undefined, steps: c.steps, ...(c.when === undefined ? {} : { when: c.when }) })),
      ...more,
    }) as Step,
  repeat: (steps: Step[], until: string, more: Record<string, unknown> = {}): Step =>
    ({ kind: 'repeat', path: path(), steps, until, ...more }) as Step,
  wait: (durationMs: number, more: Record<string, unknown> = {}): Step => ({ kind: 'wait', path: path(), durationMs, ...more }) as Step,
  waitUntil: (until: string): Step => ({ kind: 'wait', path: path(), until }) as Step,
  waitSignal: (signal: string, more: Record<string, unknown> = {}): Step => ({ kind: 'waitSignal', path: path(), signal, ...more }) as Step,
  workflow: (name: string, more: Record<string, unknown> = {}): Step => ({ kind: 'workflow', path: path(), workflow: name, ...more }) as Step,
  try: (steps: Step[], handlers: { errors?: string[]; steps: Step[] }[], more: Record<string, unknown> = {}): Step =>
    ({ kind: 'try', path: path(), steps, catch: handlers.map((h) => ({ path: path(), ...h })), ...more }) as Step,
  compensate: (targets: 'all' | string[]): Step => ({ kind: 'compensate', path: path(), targets }) as Step,
  fail: (error: string, message?: string): Step =>
    ({ kind: 'fail', path: path(), error, ...(message === undefined ? {} : { message }) }) as Step,
  return: (value: unknown): Step => ({ kind: 'return', path: path(), value }) as Step,
};

/** A complete retry policy, as the loader fills it. */
export function retry(maxAttempts: number, nonRetryable: string[] = []): RetryPolicy {
  return { maxAttempts, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 30_000, jitter: 0, nonRetryable };
}
