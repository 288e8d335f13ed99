import { describe, expect, it } from 'vitest';
import { EMPTY_PMAP, pmDelete, pmEntries, pmGet, pmHas, pmKeys, pmSet, pmToRecord, type PMap } from '../../src/interpreter/pmap.js';

function lcg(seed: number) {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

describe('persistent map', () => {
  it('agrees with a Map over random sets and deletes across the flat/trie boundary', () => {
    const rand = lcg(7);
    let map: PMap<number> = EMPTY_PMAP;
    const model = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const key = `k${Math.floor(rand() * (i < 10_000 ? 3000 : 60))}`;
      if (rand() < 0.6) {
        map = pmSet(map, key, i);
        model.set(key, i);
      } else {
        map = pmDelete(map, key);
        model.delete(key);
      }
      expect(map.n).toBe(model.size);
    }
    for (const [k, v] of model) expect(pmGet(map, k)).toBe(v);
    expect(new Map(pmEntries(map))).toEqual(model);
    expect(new Set(pmKeys(map))).toEqual(new Set(model.keys()));
  });

  it('never changes a map it was given (without an owned set)', () => {
    let map: PMap<number> = EMPTY_PMAP;
    for (let i = 0; i < 200; i++) map = pmSet(map, String(i), i);
    const snapshot = JSON.stringify(map);
    const next = pmDelete(pmSet(map, '5', 99), '6');
    expect(JSON.stringify(map)).toBe(snapshot);
    expect(pmGet(next, '5')).toBe(99);
    expect(pmHas(next, '6')).toBe(false);
    expect(pmGet(map, '5')).toBe(5);
  });

  it('updates objects in the owned set in place, and only those', () => {
    const base = pmSet(EMPTY_PMAP as PMap<number>, 'a', 1);
    const snapshot = JSON.stringify(base);
    const owned = new Set<object>();
    const first = pmSet(base, 'b', 2, owned);
    const second = pmSet(first, 'c', 3, owned);
    expect(second).toBe(first);
    expect(JSON.stringify(base)).toBe(snapshot);
    expect(pmToRecord(second)).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('survives a JSON round trip', () => {
    let map: PMap<{ v: number }> = EMPTY_PMAP;
    for (let i = 0; i < 500; i++) map = pmSet(map, `id-${i}`, { v: i });
    const back = JSON.parse(JSON.stringify(map)) as PMap<{ v: number }>;
    expect(pmGet(back, 'id-321')).toEqual({ v: 321 });
    expect(pmToRecord(pmSet(back, '__proto__', { v: -1 }))['__proto__']).toEqual({ v: -1 });
  });
});
