/** Self time of a `.cpuprofile` by function (top 25) and the garbage collector's share. Usage: tsx bench/cpuprofile-summary.ts FILE */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const frame = byId.get(id)!.callFrame;
  const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(src|node_modules|bench)\//, '$1/')}:${frame.lineNumber + 1}`;
  const delta = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + delta);
  total += delta;
});
const share = (us: number): string => `${((us / total) * 100).toFixed(1)}%`;
const gc = [...self].filter(([key]) => key.startsWith('(garbage collector)')).reduce((sum, [, us]) => sum + us, 0);
const idle = [...self].filter(([key]) => key.startsWith('(idle)')).reduce((sum, [, us]) => sum + us, 0);
console.log(`total ${(total / 1e6).toFixed(2)} s, GC ${share(gc)} (${(gc / 1e6).toFixed(2)} s), idle ${share(idle)}, GC of non-idle ${((gc / (total - idle)) * 100).toFixed(1)}%`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${share(us).padStart(6)}  ${key}`);
