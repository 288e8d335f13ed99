/**
 * Throughput of the embedded runtime end to end: `createEmbeddedEngine` + `engine.run` on long
 * sequences of no-op calls and a 10,000-item forEach, loaded with the real loader. Prints steps/s
 * (wall and CPU), µs per step and the heap a finished run holds; cold load time is printed apart.
 *
 * Run: npx tsx bench/embedded-throughput.ts        (add `--quick` to skip the 100k run)
 * It re-runs itself under `node --expose-gc` so the heap a finished run holds can be measured
 * (in one extra, untimed run per flow).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadDefinition } from '../src/definition/load.js';
import type { WorkflowDefinition } from '../src/definition/types.js';
import { createEmbeddedEngine } from '../src/runtime/memory/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx/esm', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
const quick = process.argv.includes('--quick');
// Large forEach inputs and outputs are above the default 512 KiB payload and expression caps.
const limits = { payloadBytes: 64 * 1024 * 1024, expression: { maxResultBytes: 64 * 1024 * 1024 } };
const activities = { 'bench.noop': () => null };

function sequenceYaml(n: number): string {
  const lines = ['dsl: flowline/v1', `name: seq-${n}`, 'version: 1', 'steps:'];
  for (let i = 0; i < n; i++) lines.push('  - call: bench.noop');
  return lines.join('\n') + '\n';
}

function forEachYaml(concurrency: number): string {
  return [
    'dsl: flowline/v1',
    `name: foreach-${concurrency}`,
    'version: 1',
    'steps:',
    '  - forEach: ${ $input.items }',
    `    concurrency: ${concurrency}`,
    '    steps:',
    '      - id: work',
    '        call: bench.noop',
    '        with: ${ $item }',
    '',
  ].join('\n');
}

/**
 * A 100,000-call document is above the loader's 1 MiB document cap (and aliases are capped too),
 * so the largest sequence is the loader's own one-call definition with its step repeated, each
 * copy at its own path (the shape the loader gives a long sequence).
 */
function repeatedSequence(n: number): WorkflowDefinition {
  const one = loadDefinition(sequenceYaml(1));
  const step = one.steps[0]!;
  return { ...one, name: `seq-${n}`, digest: `${one.digest}-x${n}`, steps: Array.from({ length: n }, (_, i) => ({ ...step, path: `/steps/${i}` })) };
}

function load(text: string): { definition: WorkflowDefinition; loadMs: number } {
  const started = performance.now();
  const definition = loadDefinition(text);
  return { definition, loadMs: performance.now() - started };
}

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

interface Measured {
  readonly steps: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly heldBytes: number | undefined;
  readonly historyEntries: number;
}

/**
 * One run. With `heap`, the heap is collected before and after it to find what the finished run
 * holds — and that run is not timed for throughput: a forced full GC right before a run makes it
 * up to 2-3x slower (measured), which would be an artefact of the bench, not of the runtime.
 */
async function measure(definition: WorkflowDefinition, steps: number, input: unknown, heap = false): Promise<Measured> {
  const engine = createEmbeddedEngine({ activities, limits });
  await engine.deploy(definition);
  const before = gc && heap ? heapUsed() : undefined;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await engine.run(definition, { input });
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  if (result.status !== 'completed') throw new Error(`run ended ${result.status}: ${JSON.stringify(result.error)}`);
  const heldBytes = before === undefined ? undefined : heapUsed() - before;
  const { history } = engine.inspect(result.runId);
  await engine.close();
  return { steps, wallMs, cpuMs: (used.user + used.system) / 1000, heldBytes, historyEntries: history.length };
}

function row(label: string, loadMs: number, m: Measured): string {
  const perSec = (m.steps / m.wallMs) * 1000;
  const cpuPerSec = (m.steps / m.cpuMs) * 1000;
  const held = m.heldBytes === undefined ? 'n/a (no --expose-gc)' : `${(m.heldBytes / 1024 / 1024).toFixed(1)} MiB (${Math.round(m.heldBytes / m.steps)} B/step)`;
  return `| ${label} | ${m.steps.toLocaleString('en-US')} | ${Math.round(perSec).toLocaleString('en-US')} | ${Math.round(cpuPerSec).toLocaleString('en-US')} | ${((m.wallMs * 1000) / m.steps).toFixed(1)} | ${((m.cpuMs * 1000) / m.steps).toFixed(1)} | ${held} | ${m.historyEntries.toLocaleString('en-US')} | ${Number.isNaN(loadMs) ? "n/a" : loadMs.toFixed(0)} |`;
}

const items = (n: number): { items: number[] } => ({ items: Array.from({ length: n }, (_, i) => i) });

const cases: Array<{ label: string; yaml?: string; steps: number; input: unknown }> = [
  { label: 'sequence, 1,000 calls', yaml: sequenceYaml(1_000), steps: 1_000, input: {} },
  { label: 'sequence, 10,000 calls', yaml: sequenceYaml(10_000), steps: 10_000, input: {} },
  ...(quick ? [] : [{ label: 'sequence, 100,000 calls (loader cap: one loaded call repeated)', steps: 100_000, input: {} }]),
  { label: 'forEach 10,000 items, concurrency 1', yaml: forEachYaml(1), steps: 10_000, input: items(10_000) },
  { label: 'forEach 10,000 items, concurrency 100', yaml: forEachYaml(100), steps: 10_000, input: items(10_000) },
];

// Warm the JIT so the 1k figure measures the runtime, not compilation.
const warm = load(sequenceYaml(2_000)).definition;
for (let i = 0; i < 3; i++) await measure(warm, 2_000, {});
await measure(load(forEachYaml(10)).definition, 2_000, items(2_000));

console.log('| flow | steps | steps/s (wall) | steps/s (CPU) | µs/step wall | µs/step CPU | heap held by the finished run | history entries | cold load ms |');
console.log('|---|---:|---:|---:|---:|---:|---|---:|---:|');
// Best of `--reps N` (default 3) by CPU time: on a shared machine the best run is the steadiest.
const repsArg = process.argv.indexOf('--reps');
const reps = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 3;
// `--only forEach` measures the flows whose label contains that text.
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;
for (const c of cases) {
  if (only !== undefined && !c.label.includes(only)) continue;
  const { definition, loadMs } = c.yaml === undefined ? { definition: repeatedSequence(c.steps), loadMs: Number.NaN } : load(c.yaml);
  let best: Measured | undefined;
  for (let i = 0; i < reps; i++) {
    const m = await measure(definition, c.steps, c.input);
    if (!best || m.cpuMs < best.cpuMs) best = m;
  }
  const { heldBytes } = await measure(definition, c.steps, c.input, true);
  console.log(row(c.label, loadMs, { ...(best as Measured), heldBytes }));
}
