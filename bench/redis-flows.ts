/**
 * The flows every benchmark runs (Redis and embedded alike), built as normalised definitions:
 * no-op activities only, so the numbers measure the runtime.
 */
import { loadDefinition } from '../src/definition/load.js';
import type { WorkflowDefinition } from '../src/definition/types.js';

/** The no-op activity every flow calls (bench/noop-activities.ts). */
export const NOOP = 'bench.noop';

/** One benchmark flow: its definition, the input of each run, and how many activity steps a run executes. */
export interface BenchFlow {
  readonly key: string;
  readonly definition: WorkflowDefinition;
  readonly input: unknown;
  readonly steps: number;
}

function load(text: string, name: string): WorkflowDefinition {
  return loadDefinition(text, { file: `${name}.yaml` });
}

/** A sequence of `n` calls (3 for the floor comparison; 1,000 for the embedded long sequence). */
export function sequenceFlow(n: number): BenchFlow {
  const name = `bench-seq${n}`;
  const steps = Array.from({ length: n }, (_, i) => `  - id: s${i}\n    call: ${NOOP}\n`).join('');
  return { key: `seq${n}`, definition: load(`dsl: flowline/v1\nname: ${name}\nversion: 1\nsteps:\n${steps}`, name), input: {}, steps: n };
}

/**
 * A `width`-way parallel fan-out, then one joining call (the fan-in): width + 1 activity steps,
 * the same jobs as a BullMQ FlowProducer parent with `width` children.
 */
export function fanOutFlow(width: number): BenchFlow {
  const name = `bench-fanout${width}`;
  const branches = Array.from({ length: width }, (_, i) => `      - id: b${i}\n        call: ${NOOP}\n`).join('');
  const text = `dsl: flowline/v1\nname: ${name}\nversion: 1\nsteps:\n  - id: fan\n    parallel:\n${branches}  - id: join\n    call: ${NOOP}\n`;
  return { key: `fanout${width}`, definition: load(text, name), input: {}, steps: width + 1 };
}

/** A forEach over `items` elements of the input, `concurrency` at a time, one call per item. */
export function forEachFlow(items: number, concurrency: number): BenchFlow {
  const name = `bench-foreach${items}`;
  const text = `dsl: flowline/v1\nname: ${name}\nversion: 1\nsteps:\n  - id: each\n    forEach: \${ $input.items }\n    concurrency: ${concurrency}\n    steps:\n      - id: one\n        call: ${NOOP}\n`;
  return { key: `foreach${items}`, definition: load(text, name), input: { items: Array.from({ length: items }, (_, i) => i) }, steps: items };
}

/** A run that waits for signal `go`, then ends (no activity). */
export function signalFlow(): BenchFlow {
  const text = `dsl: flowline/v1\nname: bench-signal\nversion: 1\nsignals:\n  go: {}\nsteps:\n  - id: wait\n    waitSignal: go\n`;
  return { key: 'signal', definition: load(text, 'bench-signal'), input: {}, steps: 0 };
}

/** A run that waits `ms` on a durable timer, then ends. */
export function timerFlow(ms: number): BenchFlow {
  const text = `dsl: flowline/v1\nname: bench-timer\nversion: 1\nsteps:\n  - id: nap\n    wait: ${ms}ms\n`;
  return { key: 'timer', definition: load(text, 'bench-timer'), input: {}, steps: 0 };
}
