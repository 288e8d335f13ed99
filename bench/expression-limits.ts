/**
 * What bounded expressions cost and buy (docs/decisions/0007-bounded-expressions.md):
 * CPU time of ordinary expressions as compiled before (JSONata with timeout and stack
 * only) and now (plus the per-step size hook, the sequence bound and RE2 for regex literals),
 * and how long the two runaway cases take to answer.
 *
 *   npx tsx bench/expression-limits.ts
 */
import jsonata from 'jsonata';
import { compileExpression, DEFAULT_LIMITS, evaluateExpression } from '../src/expression/index.js';

const items = Array.from({ length: 100 }, (_, i) => ({ name: `item-${i}`, price: i % 17, qty: (i % 5) + 1 }));
const bindings = { input: { qty: 3, email: 'ada.lovelace@example.com', items } };

const ORDINARY: Record<string, string> = {
  'field arithmetic': '$input.qty * 10',
  'sum over 100 items': '$sum($input.items.(price * qty))',
  'map 100 items to text': '$map($input.items, function($i) { $i.name & "-" & $string($i.qty) })',
  'filter + object': '$input.items[price > 10].{"n": name, "total": price * qty}',
  'regex literal': '$match($input.email, /^([^@]+)@([^@]+)$/).groups[1]',
};

type Evaluate = () => Promise<unknown>;

/** CPU µs per evaluation in one round (CPU time, not wall time: the machine is shared). */
async function cpuMicros(evaluate: Evaluate, count: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) await evaluate();
  const spent = process.cpuUsage(start);
  return (spent.user + spent.system) / count;
}

/** Best of 15 interleaved rounds for each variant: load from other processes only ever adds. */
async function bestOf(variants: Evaluate[], count: number): Promise<number[]> {
  const best = variants.map(() => Infinity);
  for (const v of variants) await cpuMicros(v, count);
  for (let round = 0; round < 15; round++) {
    for (let i = 0; i < variants.length; i++) best[i] = Math.min(best[i], await cpuMicros(variants[i], count));
  }
  return best;
}

async function timeMs(run: () => Promise<unknown>): Promise<{ ms: number; outcome: string }> {
  const start = performance.now();
  let outcome: string;
  try {
    outcome = JSON.stringify(await run());
  } catch (error) {
    const e = error as { type?: string; message?: string };
    outcome = `${e.type ?? 'Error'}: ${(e.message ?? '').slice(0, 70)}`;
  }
  return { ms: performance.now() - start, outcome };
}

console.log('ordinary expressions, CPU µs per evaluation (best of 15 interleaved rounds):');
console.log('| expression | before (timeout+stack) | now (size hook, sequence bound, RE2) | change |');
console.log('| --- | --- | --- | --- |');
for (const [label, source] of Object.entries(ORDINARY)) {
  // A long timeout: a loaded machine must not turn a scheduling pause into a failed sample.
  const before = jsonata(source, { timeout: 10_000, stack: DEFAULT_LIMITS.maxDepth });
  const now = compileExpression(source, { ...DEFAULT_LIMITS, timeoutMs: 10_000 });
  const [a, b] = await bestOf([() => before.evaluate(undefined, bindings), () => now.evaluate(undefined, bindings)], source.length < 20 ? 2000 : 200);
  console.log(`| ${label} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${b - a >= 0 ? '+' : ''}${(((b - a) / a) * 100).toFixed(0)} % |`);
}

console.log('\nrunaway cases with the default limits (first call, then warm):');
const catastrophic = `$contains("${'a'.repeat(30)}!", /^(a+)+$/)`;
const doubling = '( $f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $f("ab", 40) )';
for (const [label, source] of [
  ['catastrophic regex, 31 characters', catastrophic],
  ['string doubling in a recursion', doubling],
  ['$pad("", 20000000, "x")', '$pad("", 20000000, "x")'],
  ['$count([1..9999999])', '$count([1..9999999])'],
] as const) {
  const first = await timeMs(() => evaluateExpression(source, {}));
  const warm = await timeMs(() => evaluateExpression(source, {}));
  console.log(`${label}: ${first.ms.toFixed(1)} ms / ${warm.ms.toFixed(1)} ms → ${warm.outcome}`);
}
const before = await timeMs(() => jsonata(`$contains("${'a'.repeat(24)}!", /^(a+)+$/)`).evaluate(undefined));
console.log(`catastrophic regex on RegExp, 25 characters (each extra character doubles it): ${before.ms.toFixed(0)} ms`);
