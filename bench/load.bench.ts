/**
 * Loading and validating documents: parse + schema + semantic checks + expression compilation +
 * normalisation (`loadDefinition`). Reports the time for a generated 1,000-step document (target
 * < 100 ms) and how many typical documents (workflows/*.yaml) load per second.
 *
 * Run: npx tsx bench/load.bench.ts
 * Every expression in the generated document is made unique per iteration, so JSONata's compile
 * cache does not flatter the numbers; the "cached" line shows the cost when it does hit.
 * CPU time is printed beside wall time: on a shared, loaded machine it is the steadier figure.
 *
 * Baseline (2026-11-29, the project's 2-core machine at load average ~3, calibration loop ~90 ms;
 * wall p50): 1,000 steps / 107 KiB — 100 ms with cached expressions, of which 87 ms is the yaml
 * library's parser (Flowline's own checks and normalisation: ~15 ms); 300 ms when all ~1,250
 * expressions are new (JSONata's compile, ~150 µs per expression, makes the difference); with 143
 * problems reported in full, 126 ms; typical flows (2 KiB) 515 documents/s. The first load in a
 * process also compiles the schema (ajv, ~0.4 s). Under heavy load (other suites running) wall
 * times double or triple; CPU times move less.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { loadDefinition, validateDefinition } from '../src/definition/load.js';
import { parseSource } from '../src/definition/parse.js';
import { percentile } from './stats.js';

/** A document of exactly `count` steps mixing the common kinds, expressions referencing earlier steps. */
export function generateDocument(count: number, salt: number): string {
  const lines = ['dsl: flowline/v1', 'name: generated', 'version: 1', 'signals:', '  go: { schema: { type: object } }', 'defaults:', '  timeout: 30s', '  retry: { maxAttempts: 3, initialInterval: 1s }', 'steps:'];
  let steps = 0;
  let i = 0;
  while (steps < count) {
    const previous = i > 0 ? `$steps.s${i - 1}` : '$input';
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
        lines.push(`  - id: s${i}`, `    call: service.op${i % 7}`, '    with:', `      value: \${ ${previous}.value + ${salt} }`, `      label: 'item \${ $string(${i}) }'`, '    retry: { maxAttempts: 5, nonRetryable: [Fatal] }');
        steps += 1;
        break;
      case 5:
        lines.push(`  - id: s${i}`, '    set:', `      v${i}: '\${ ${previous} ? ${salt} : 0 }'`);
        steps += 1;
        break;
      case 6:
        if (count - steps < 2) {
          lines.push(`  - id: s${i}`, '    wait: 5m');
          steps += 1;
          break;
        }
        lines.push(`  - id: s${i}`, `    forEach: \${ $input.items[[0..${salt % 5}]] }`, '    concurrency: 4', '    steps:', `      - id: s${i}_inner`, '        call: service.each', `        with: \${ $item }`);
        steps += 2;
        break;
      case 7:
        lines.push(`  - id: s${i}`, '    waitSignal: go', '    timeout: 48h');
        steps += 1;
        break;
      case 8:
        lines.push(`  - id: s${i}`, `    if: \${ $vars.flag = ${salt} }`, `    call: service.cond`, '    compensate:', '      call: service.undo', '      with: { id: "${ $output.id }" }');
        steps += 2;
        break;
      default:
        lines.push(`  - id: s${i}`, '    wait: 5m');
        steps += 1;
    }
    i += 1;
  }
  lines.push(`output: \${ $steps.s${i - 1} }`, '');
  return lines.join('\n');
}

function countSteps(definition: ReturnType<typeof loadDefinition>): number {
  let n = 0;
  const visit = (steps: readonly { compensate?: unknown; steps?: readonly unknown[] }[]): void => {
    for (const step of steps) {
      n += 1;
      if (step.compensate) visit([step.compensate as { steps?: readonly unknown[] }]);
      if (step.steps) visit(step.steps as never);
    }
  };
  visit(definition.steps as never);
  return n;
}

function time(fn: () => void): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  fn();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

function report(label: string, samples: Array<{ wallMs: number; cpuMs: number }>): void {
  const wall = samples.map((s) => s.wallMs);
  const cpu = samples.map((s) => s.cpuMs);
  console.log(
    `${label.padEnd(44)} p50 ${percentile(wall, 50).toFixed(1)} ms  p95 ${percentile(wall, 95).toFixed(1)} ms  (cpu p50 ${percentile(cpu, 50).toFixed(1)} ms)`,
  );
}

/** A fixed amount of plain work, to compare this machine with another (about 70–100 ms on a current laptop). */
function calibrate(): number {
  const started = performance.now();
  let sum = 0;
  for (let i = 0; i < 1e8; i++) sum += i;
  if (sum < 0) console.log(sum); // keep the loop from being optimised away
  return performance.now() - started;
}
console.log(`machine: 1e8-iteration add loop takes ${calibrate().toFixed(0)} ms`);

const first = generateDocument(1000, 0);
console.log(`generated document: ${countSteps(loadDefinition(generateDocument(1000, -1)))} steps, ${(first.length / 1024).toFixed(0)} KiB`);

// The very first load includes compiling the workflow schema (once per process).
console.log(`first load in this process (compiles the schema): ${time(() => loadDefinition(first)).wallMs.toFixed(0)} ms`);

const fresh: Array<{ wallMs: number; cpuMs: number }> = [];
for (let salt = 1; salt <= 30; salt++) {
  const text = generateDocument(1000, salt);
  fresh.push(time(() => loadDefinition(text)));
}
report('1,000 steps, every expression new', fresh);

const cachedText = generateDocument(1000, 1);
report('1,000 steps, expressions cached', Array.from({ length: 30 }, () => time(() => loadDefinition(cachedText))));
report('  of which YAML parsing (the yaml library)', Array.from({ length: 30 }, () => time(() => parseSource(cachedText))));

const broken = generateDocument(1000, 99).replace(/call: service\.op3/g, 'cal: service.op3').replace(/timeout: 48h/g, 'timeout: 48');
const errors = validateDefinition(broken).issues.length;
report(`1,000 steps with ${errors} problems (full report)`, Array.from({ length: 10 }, () => time(() => validateDefinition(broken))));

const dir = new URL('../workflows/', import.meta.url);
const typical = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f))
  .map((f) => readFileSync(new URL(f, dir), 'utf8'));
// Warm up (JIT, caches), then count for two seconds of wall time.
for (const text of typical) loadDefinition(text);
let loaded = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
while (performance.now() - started < 2000) {
  for (const text of typical) {
    loadDefinition(text);
    loaded += 1;
  }
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  `typical documents (${typical.length} flows in workflows/, ${(typical.reduce((n, t) => n + t.length, 0) / typical.length / 1024).toFixed(1)} KiB on average): ` +
    `${Math.round(loaded / seconds)} documents/s wall, ${Math.round(loaded / cpuSeconds)} per CPU-second`,
);
