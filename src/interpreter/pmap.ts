/**
 * A persistent (copy-on-write) string-keyed map that is plain JSON, so run state can hold large
 * collections (active nodes, step outputs, forEach results) and still be updated in time that does
 * not grow with the collection. Entries are kept as flat `[key, value, key, value, …]` arrays
 * (copying an array is a memcpy; objects used as hash maps are slow to copy in V8): up to 64
 * entries in one array, beyond that in a two-level, 64-way hashed trie whose leaves are such
 * arrays, so an update copies two 64-slot arrays and one small leaf (about 25 entries at
 * 100,000 entries).
 *
 * Pure: every update returns a new map and never changes the one it was given — unless the caller
 * passes an `owned` set holding objects it created itself during the current decision (not yet
 * visible to anyone else), which may then be updated in place.
 */

/** Alternating keys and values. */
type Pairs = unknown[];
type Level = Array<Level | Pairs | null>;

/** The map. `f` (flat pairs) and `t` (trie) are exclusive; `n` is the number of entries. */
export interface PMap<V> {
  readonly n: number;
  readonly f?: readonly unknown[];
  readonly t?: readonly unknown[];
  /** Phantom: the value type. */
  readonly __v?: V;
}

/** Objects created during the current decision: safe to update in place. */
export type Owned = Set<object>;

const FLAT_MAX = 64;
const FLAT_BACK = 32;
const WIDTH = 64;

/** The empty map. */
export const EMPTY_PMAP: PMap<never> = Object.freeze({ n: 0, f: Object.freeze([]) as readonly unknown[] });

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

function writable<T extends unknown[]>(value: T, owned: Owned | undefined): T {
  return owned?.has(value) ? value : own(value.slice() as T, owned);
}

function find(pairs: readonly unknown[], key: string): number {
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === key) return i;
  return -1;
}

function leafOf(trie: readonly unknown[], h: number): Pairs | null {
  const mid = trie[h & 63] as Level | null;
  return (mid?.[(h >>> 6) & 63] as Pairs | null | undefined) ?? null;
}

/** The value under `key`, or undefined. */
export function pmGet<V>(map: PMap<V>, key: string): V | undefined {
  const pairs = map.f ?? leafOf(map.t!, hash(key));
  if (!pairs) return undefined;
  const i = find(pairs, key);
  return i < 0 ? undefined : (pairs[i + 1] as V);
}

/** True when `key` is present. */
export function pmHas<V>(map: PMap<V>, key: string): boolean {
  const pairs = map.f ?? leafOf(map.t!, hash(key));
  return !!pairs && find(pairs, key) >= 0;
}

function emptyLevel(owned: Owned | undefined): Level {
  return own(new Array<Level | Pairs | null>(WIDTH).fill(null), owned);
}

/** Sets key in a trie (the top level is writable); returns true when the key is new. */
function trieSet(top: Level, key: string, value: unknown, owned: Owned | undefined): boolean {
  const h = hash(key);
  const i = h & 63;
  const j = (h >>> 6) & 63;
  const mid = top[i] ? writable(top[i] as Level, owned) : emptyLevel(owned);
  top[i] = mid;
  const leaf = mid[j] ? writable(mid[j] as Pairs, owned) : own([] as Pairs, owned);
  mid[j] = leaf;
  const at = find(leaf, key);
  if (at >= 0) {
    leaf[at + 1] = value;
    return false;
  }
  leaf.push(key, value);
  return true;
}

function withCount<V>(map: PMap<V>, n: number, part: { f?: unknown[]; t?: unknown[] }, owned: Owned | undefined): PMap<V> {
  // No spreads: this runs on every update. Same fields, same order as `{ n, ...part }`.
  if (owned?.has(map) && (part.f ? map.f : map.t)) {
    const target = map as { n: number; f?: unknown[]; t?: unknown[] };
    target.n = n;
    if (part.f) target.f = part.f;
    else target.t = part.t;
    return map;
  }
  return own((part.f ? { n, f: part.f } : { n, t: part.t }) as PMap<V>, owned);
}

/** A map with `key` set to `value`. */
export function pmSet<V>(map: PMap<V>, key: string, value: V, owned?: Owned): PMap<V> {
  if (map.f) {
    const at = find(map.f, key);
    if (at >= 0 || map.n < FLAT_MAX) {
      const f = writable(map.f as unknown[], owned);
      if (at >= 0) f[at + 1] = value;
      else f.push(key, value);
      return withCount(map, at >= 0 ? map.n : map.n + 1, { f }, owned);
    }
    const top = emptyLevel(owned);
    for (let i = 0; i < map.f.length; i += 2) trieSet(top, map.f[i] as string, map.f[i + 1], owned);
    trieSet(top, key, value, owned);
    return own({ n: map.n + 1, t: top } as PMap<V>, owned);
  }
  const top = writable(map.t as Level, owned);
  const added = trieSet(top, key, value, owned);
  return withCount(map, added ? map.n + 1 : map.n, { t: top }, owned);
}

/** A map without `key`. */
export function pmDelete<V>(map: PMap<V>, key: string, owned?: Owned): PMap<V> {
  if (!pmHas(map, key)) return map;
  const n = map.n - 1;
  if (map.f) {
    const f = writable(map.f as unknown[], owned);
    f.splice(find(f, key), 2);
    return withCount(map, n, { f }, owned);
  }
  if (n <= FLAT_BACK) {
    const f: unknown[] = own([], owned);
    for (const [k, v] of pmEntries(map)) if (k !== key) f.push(k, v);
    return own({ n, f } as PMap<V>, owned);
  }
  const h = hash(key);
  const top = writable(map.t as Level, owned);
  const mid = writable(top[h & 63] as Level, owned);
  top[h & 63] = mid;
  const leaf = writable(mid[(h >>> 6) & 63] as Pairs, owned);
  leaf.splice(find(leaf, key), 2);
  mid[(h >>> 6) & 63] = leaf.length === 0 ? null : leaf;
  return withCount(map, n, { t: top }, owned);
}

function* pairsOf(pairs: readonly unknown[]): Generator<[string, unknown]> {
  for (let i = 0; i < pairs.length; i += 2) yield [pairs[i] as string, pairs[i + 1]];
}

/** Every entry. Order is deterministic for a given history of updates, but not sorted. */
export function* pmEntries<V>(map: PMap<V>): Generator<[string, V]> {
  if (map.f) {
    yield* pairsOf(map.f) as Generator<[string, V]>;
    return;
  }
  for (const mid of map.t as Level) {
    if (!mid) continue;
    for (const leaf of mid as Level) if (leaf) yield* pairsOf(leaf as Pairs) as Generator<[string, V]>;
  }
}

/** Every key, as an array. */
export function pmKeys<V>(map: PMap<V>): string[] {
  if (map.n === 0) return [];
  if (map.f) {
    const keys: string[] = [];
    for (let i = 0; i < map.f.length; i += 2) keys.push(map.f[i] as string);
    return keys;
  }
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
