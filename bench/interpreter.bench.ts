/**
 * Throughput of the interpreter core alone: drives `decide` directly, answering every
 * ScheduleActivity with an ActivityCompleted at once (no runtime, no I/O), and prints steps/s and
 * the cost per step for growing runs, to show the cost per step stays flat.
 *
 * Run: npx tsx bench/interpreter.bench.ts
 * (CPU time per step is printed too: on a shared, loaded machine it is steadier than wall time.)
 */
import type { Step, WorkflowDefinition } from '../src/definition/types.js';
import { decide, type Command, type RunState } from '../src/interpreter/index.js';
import { DEFAULT_LIMITS } from '../src/expression/index.js';

// Large inputs (100,000 items) are above the default 512 KiB expression result cap.
const limits = { ...DEFAULT_LIMITS, maxResultBytes: 64 * 1024 * 1024 };

function definition(name: string, steps: Step[]): WorkflowDefinition {
  return { dsl: 'flowline/v1', name, version: 1, signals: {}, queries: {}, defaults: {}, digest: name, steps };
}

function sequence(n: number, withIds: boolean): WorkflowDefinition {
  return definition(
    `seq-${n}`,
    Array.from({ length: n }, (_, i) => ({ kind: 'call' as const, call: 'noop', path: `/steps/${i}`, ...(withIds ? { id: `s${i}` } : {}) })),
  );
}

function forEach(concurrency: number): WorkflowDefinition {
  return definition(`forEach-${concurrency}`, [
    {
      kind: 'forEach', path: '/steps/0', forEach: '${ $input.items }', concurrency, as: 'item', indexAs: 'index',
      steps: [{ kind: 'call', id: 'work', call: 'noop', with: '${ $item }', path: '/steps/0/steps/0' }],
    },
  ]);
}

async function drive(def: WorkflowDefinition, input: unknown): Promise<{ steps: number; ms: number; cpuMs: number; state: RunState }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let decision = await decide(def, undefined, { type: 'RunStarted', runId: 'bench', input, at: 0 }, { limits });
  let state = decision.state;
  const queue: Command[] = [...decision.commands];
  let steps = 0;
  let at = 0;
  while (queue.length > 0) {
    const command = queue.shift()!;
    if (command.type !== 'ScheduleActivity') continue;
    steps += 1;
    decision = await decide(def, state, { type: 'ActivityCompleted', seq: command.seq, output: null, at: ++at }, { limits });
    state = decision.state;
    queue.push(...decision.commands);
  }
  if (state.status !== 'completed') throw new Error(`run ended ${state.status}: ${JSON.stringify(state.error)}`);
  const used = process.cpuUsage(cpu);
  return { steps, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, state };
}

async function report(label: string, def: WorkflowDefinition, input: unknown = {}): Promise<void> {
  const { steps, ms, cpuMs, state } = await drive(def, input);
  const stateBytes = JSON.stringify(state).length;
  const outputBytes = JSON.stringify(state.output).length;
  console.log(
    `${label.padEnd(40)} ${String(steps).padStart(7)} steps  ${Math.round((steps / ms) * 1000).toLocaleString('en-US').padStart(8)} steps/s  ${((ms * 1000) / steps).toFixed(1).padStart(6)} µs/step wall  ${((cpuMs * 1000) / steps).toFixed(1).padStart(6)} µs/step cpu  final state ${(stateBytes / 1024).toFixed(1)} KiB (output ${(outputBytes / 1024).toFixed(1)} KiB)`,
  );
}

const items = (n: number) => ({ items: Array.from({ length: n }, (_, i) => i) });

// Warm the JIT first, so the 1k figures measure the core rather than compilation.
for (let i = 0; i < 3; i++) await drive(sequence(10_000, true), {});
await drive(forEach(10), items(5_000));
for (const n of [1_000, 10_000, 100_000]) await report(`sequence of ${n} calls`, sequence(n, false));
for (const n of [1_000, 10_000, 100_000]) await report(`sequence of ${n} calls with ids`, sequence(n, true));
await report('forEach 10,000 items, concurrency 1', forEach(1), items(10_000));
await report('forEach 10,000 items, concurrency 100', forEach(100), items(10_000));
await report('forEach 100,000 items, concurrency 100', forEach(100), items(100_000));
