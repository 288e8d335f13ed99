/**
 * `list --where`: conditions on search attributes (docs/decisions/0015), parsed and matched the
 * same way on both runtimes. A run matches when every condition holds on its stored attributes.
 * Pure.
 */
import { WhereInvalidError } from '../../errors.js';
import type { RunState, SearchAttributeValue } from '../../interpreter/types.js';

import type { WhereCondition, WhereOperator } from '../engine.js';

export type { WhereCondition, WhereOperator };
export const WHERE_OPERATORS: readonly WhereOperator[] = ['>=', '<=', '!=', '=', '>', '<'];

const CONDITION = /^([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|=|>|<)\s*(.*)$/s;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Parses `name<op>value`. Throws WhereInvalidError saying how to write it. Pure. */
export function parseWhere(text: string): WhereCondition {
  const match = CONDITION.exec(text.trim());
  if (!match || match[3]!.trim() === '') {
    throw new WhereInvalidError(text, `write it as <attribute><op><value> with op one of ${WHERE_OPERATORS.join(' ')}, e.g. customer=ann or 'total>100'`);
  }
  return { attribute: match[1]!, op: match[2] as WhereOperator, value: match[3]!.trim() };
}

/** Parses every condition of a filter (none when absent). Throws WhereInvalidError. Pure. */
export function parseWhereList(where: readonly string[] | undefined): WhereCondition[] {
  return (where ?? []).map(parseWhere);
}

/** The condition's value as a number, or undefined when it is not one. Pure. */
export function numberOf(condition: WhereCondition): number | undefined {
  const n = Number(condition.value);
  return condition.value !== '' && Number.isFinite(n) ? n : undefined;
}

/** The condition's value as epoch ms, or undefined when it is not an instant (ISO-8601 date or date-time). Pure. */
export function timeOf(condition: WhereCondition): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}/.test(condition.value)) return undefined;
  const ms = Date.parse(condition.value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Whether one stored value satisfies a condition. Numbers compare by value, times (stored as
 * ISO instants) in time order, keywords only by `=` / `!=`; an unset attribute matches nothing. Pure.
 */
export function satisfies(value: SearchAttributeValue | undefined, condition: WhereCondition): boolean {
  if (value === null || value === undefined) return false;
  let order: number;
  if (typeof value === 'number') {
    const n = numberOf(condition);
    if (n === undefined) return condition.op === '!=';
    order = value - n;
  } else if (ISO_INSTANT.test(value) && timeOf(condition) !== undefined) {
    order = Date.parse(value) - timeOf(condition)!;
  } else {
    if (condition.op === '=') return value === condition.value;
    if (condition.op === '!=') return value !== condition.value;
    return false;
  }
  switch (condition.op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
  }
}

/** Whether a run's search attributes satisfy every condition. Pure. */
export function matchesWhere(state: Pick<RunState, 'searchAttributes'>, where: readonly WhereCondition[] | undefined): boolean {
  if (!where || where.length === 0) return true;
  return where.every((condition) => satisfies(state.searchAttributes?.[condition.attribute], condition));
}
