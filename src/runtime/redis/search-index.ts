/**
 * What a commit writes to the search attribute indexes (docs/decisions/0015): only the attributes
 * whose value changed. The indexes only propose candidates; `list` checks every candidate's stored
 * values, so an entry left behind (a run replaced under the same id, an expired run) is harmless
 * and dropped when met. Pure.
 */
import type { WorkflowDefinition } from '../../definition/types.js';
import type { RunState, SearchAttributeValue } from '../../interpreter/types.js';
import type { KeyLayout } from './keys.js';

/** One index write for the commit script: command, key, score ('' for sets); the member is the run id. */
export type SearchIndexOp = readonly ['SADD' | 'SREM' | 'ZADD' | 'ZREM', string, string];

/** The index writes that take a run from `previous`'s attributes to `next`'s. Pure. */
export function searchIndexOps(keys: KeyLayout, definition: WorkflowDefinition, previous: RunState | null, next: RunState): SearchIndexOp[] {
  const before = previous?.searchAttributes ?? {};
  const after = next.searchAttributes ?? {};
  if (before === after) return [];
  const ops: SearchIndexOp[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old: SearchAttributeValue | undefined = before[name];
    const now: SearchAttributeValue | undefined = after[name];
    if (old === now) continue;
    if (old !== null && old !== undefined) ops.push(...removal(keys, name, old));
    const type = definition.searchAttributes?.[name]?.type;
    if (now === null || now === undefined || type === undefined) continue;
    if (type === 'keyword') ops.push(['SADD', keys.searchKeyword(name, String(now)), '']);
    else if (type === 'number' && typeof now === 'number') ops.push(['ZADD', keys.searchNumber(name), String(now)]);
    else if (type === 'time' && typeof now === 'string') ops.push(['ZADD', keys.searchTime(name), String(Date.parse(now))]);
  }
  return ops;
}

/** Removes an old value from wherever its shape says it was indexed (the definition that wrote it may be another version). */
function removal(keys: KeyLayout, name: string, old: string | number): SearchIndexOp[] {
  if (typeof old === 'number') return [['ZREM', keys.searchNumber(name), '']];
  return [
    ['SREM', keys.searchKeyword(name, old), ''],
    ['ZREM', keys.searchTime(name), ''],
  ];
}
