/**
 * A persistent (copy-on-write) string-keyed map that is plain JSON, so run state can hold large
 * collections (active nodes, step outputs, forEach results) and still be updated in time that does
 * not grow with the collection: a small map is one record; past 16 entries it becomes a two-level
 * hashed trie (32 × 32 buckets), so an update copies two 32-slot arrays and one small bucket.
 *
 * Pure: every update returns a new map and never changes the one it was given — unless the caller
 * passes an `owned` set holding objects it created itself during the current decision (not yet
 * visible to anyone else), which may then be updated in place.
 */

/** The map. `f` (flat) and `t` (trie) are exclusive; `n` is the number of entries. */
export interface PMap<V> {
  readonly n: number;
  readonly f?: Readonly<Record<string, V>>;
  readonly t?: ReadonlyArray<ReadonlyArray<Readonly<Record<string, V>> | null> | null>;
}

/** Objects created during the current decision: safe to update in place. */
export type Owned = WeakSet<object>;

const FLAT_MAX = 16;
const FLAT_BACK = 8;
const WIDTH = 32;

/** The empty map. */
export const EMPTY_PMAP: PMap<never> = Object.freeze({ n: 0, f: Object.freeze(Object.create(null) as Record<string, never>) });

function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function own<T extends object>(value: T, owned: Owned | undefined): T {
  owned?.add(value);
  return value;
}

/** The value under `key`, or undefined. */
export function pmGet<V>(map: PMap<V>, key: string): V | undefined {
  if (map.f) return Object.prototype.hasOwnProperty.call(map.f, key) ? map.f[key] : undefined;
  const h = hash(key);
  const bucket = map.t?.[h & 31]?.[(h >>> 5) & 31];
  return bucket && Object.prototype.hasOwnProperty.call(bucket, key) ? bucket[key] : undefined;
}

/** True when `key` is present. */
export function pmHas<V>(map: PMap<V>, key: string): boolean {
  if (map.f) return Object.prototype.hasOwnProperty.call(map.f, key);
  const h = hash(key);
  const bucket = map.t?.[h & 31]?.[(h >>> 5) & 31];
  return !!bucket && Object.prototype.hasOwnProperty.call(bucket, key);
}

function setKey<V>(record: Record<string, V>, key: string, value: V): void {
  // Records have no prototype, so even `__proto__` is a plain data key.
  record[key] = value;
}

/**
 * A new record for map entries. Null-prototype objects live in V8's dictionary mode, which is
 * what a hash map with ever-new keys (node ids, seqs) needs: fast-mode objects would create a
 * new hidden class for every key ever used.
 */
function record<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

function copy<V>(source: Readonly<Record<string, V>>, owned: Owned | undefined, skip?: string): Record<string, V> {
  const out = own(record<V>(), owned);
  for (const k in source) if (k !== skip) out[k] = source[k] as V;
  return out;
}

/** A map with `key` set to `value`. */
export function pmSet<V>(map: PMap<V>, key: string, value: V, owned?: Owned): PMap<V> {
  const present = pmHas(map, key);
  const n = present ? map.n : map.n + 1;
  if (map.f && n <= FLAT_MAX) {
    const f = owned?.has(map.f) ? (map.f as Record<string, V>) : copy(map.f, owned);
    setKey(f, key, value);
    if (owned?.has(map)) {
      Object.assign(map, { n, f });
      return map;
    }
    return own({ n, f }, owned);
  }
  const base = map.f ? toTrie(map.f, owned) : (map.t as Array<Array<Record<string, V> | null> | null>);
  const h = hash(key);
  const i = h & 31;
  const j = (h >>> 5) & 31;
  const top = owned?.has(base) ? base : own(base.slice(), owned);
  const mid = top[i] ? (owned?.has(top[i]!) ? top[i]! : own(top[i]!.slice(), owned)) : own(new Array(WIDTH).fill(null), owned);
  top[i] = mid;
  const leaf = mid[j] ? (owned?.has(mid[j]!) ? mid[j]! : copy(mid[j]!, owned)) : own(record<V>(), owned);
  mid[j] = leaf;
  setKey(leaf, key, value);
  return own({ n, t: top }, owned);
}

function toTrie<V>(flat: Readonly<Record<string, V>>, owned: Owned | undefined): Array<Array<Record<string, V> | null> | null> {
  const top: Array<Array<Record<string, V> | null> | null> = own(new Array(WIDTH).fill(null), owned);
  for (const key of Object.keys(flat)) {
    const h = hash(key);
    const mid = (top[h & 31] ??= own(new Array(WIDTH).fill(null), owned));
    const leaf = (mid[(h >>> 5) & 31] ??= own(record<V>(), owned));
    setKey(leaf, key, flat[key] as V);
  }
  return top;
}

/** A map without `key`. */
export function pmDelete<V>(map: PMap<V>, key: string, owned?: Owned): PMap<V> {
  if (!pmHas(map, key)) return map;
  const n = map.n - 1;
  if (map.f) {
    const f = copy(map.f, owned, key);
    if (owned?.has(map)) {
      Object.assign(map, { n, f });
      return map;
    }
    return own({ n, f }, owned);
  }
  if (n <= FLAT_BACK) {
    const f = own(record<V>(), owned);
    for (const [k, v] of pmEntries(map)) if (k !== key) f[k] = v;
    return own({ n, f }, owned);
  }
  const h = hash(key);
  const i = h & 31;
  const j = (h >>> 5) & 31;
  const base = map.t as Array<Array<Record<string, V> | null> | null>;
  const top = owned?.has(base) ? base : own(base.slice(), owned);
  const mid = owned?.has(top[i]!) ? top[i]! : own(top[i]!.slice(), owned);
  top[i] = mid;
  const leaf = copy(mid[j]!, owned, key);
  mid[j] = Object.keys(leaf).length === 0 ? null : leaf;
  return own({ n, t: top }, owned);
}

/** Every entry. Order is deterministic for a given history of updates, but not sorted. */
export function* pmEntries<V>(map: PMap<V>): Generator<[string, V]> {
  if (map.f) {
    for (const key of Object.keys(map.f)) yield [key, map.f[key] as V];
    return;
  }
  for (const mid of map.t ?? []) {
    if (!mid) continue;
    for (const leaf of mid) {
      if (!leaf) continue;
      for (const key of Object.keys(leaf)) yield [key, leaf[key] as V];
    }
  }
}

/** Every key, as an array (cheaper than iterating entries when only keys are needed). */
export function pmKeys<V>(map: PMap<V>): string[] {
  if (map.n === 0) return [];
  if (map.f) return Object.keys(map.f);
  const keys: string[] = [];
  for (const [k] of pmEntries(map)) keys.push(k);
  return keys;
}

/** A plain record of the whole map (O(n); for final outputs and queries). */
export function pmToRecord<V>(map: PMap<V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of pmEntries(map)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
