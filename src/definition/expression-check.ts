/**
 * Load-time checks of every expression (SPEC §2): each `${ … }` compiles, `$steps.<id>` names a
 * step that exists, and the YAML slips that turn an expression into a map are caught. Pure.
 */
import { checkTemplate, collectExpressions } from '../expression/index.js';
import { expressionFacts } from './expression-facts.js';
import type { RawIssue } from './issue.js';
import { childPointer, isRecord, own } from './raw-data.js';
import { walkSteps } from './step-walk.js';
import { didYouMean, preview } from './hints.js';
import { checkVariables } from './variable-check.js';
import { expressionSyntaxHint } from './expression-hints.js';

/** A value in a place where expressions are evaluated. */
export interface ExpressionSite {
  readonly pointer: string;
  readonly value: unknown;
  /** Names enclosing forEach steps bind (`item`, `index` or their `as:`/`indexAs:`). */
  readonly loopBindings: readonly string[];
}

/** Every place of a raw document where expressions may appear (SPEC §2), in document order. Pure. */
export function expressionSites(document: unknown): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  if (!isRecord(document)) return sites;
  let loopBindings: readonly string[] = [];
  const add = (pointer: string, value: unknown): void => {
    if (value !== undefined) sites.push({ pointer, value, loopBindings });
  };
  walkSteps(document, (site) => {
    const { pointer, step, resolution } = site;
    if (!isRecord(step)) return;
    loopBindings = site.loopBindings;
    add(`${pointer}/if`, own(step, 'if'));
    add(`${pointer}/assign`, own(step, 'assign'));
    switch (resolution.kind) {
      case 'call':
      case 'workflow':
        add(`${pointer}/with`, own(step, 'with'));
        break;
      case 'set':
        add(`${pointer}/set`, own(step, 'set'));
        break;
      case 'forEach':
        add(`${pointer}/forEach`, own(step, 'forEach'));
        break;
      case 'return':
        add(`${pointer}/return`, own(step, 'return'));
        break;
      case 'fail':
        add(`${pointer}/fail`, own(step, 'fail'));
        break;
      case 'continueAsNew': {
        const body = own(step, 'continueAsNew');
        if (isRecord(body)) add(`${pointer}/continueAsNew/input`, own(body, 'input'));
        break;
      }
      case 'repeat': {
        const body = own(step, 'repeat');
        if (isRecord(body)) add(`${pointer}/repeat/until`, own(body, 'until'));
        break;
      }
      case 'wait': {
        const wait = own(step, 'wait');
        if (isRecord(wait)) add(`${pointer}/wait/until`, own(wait, 'until'));
        break;
      }
      case 'switch': {
        const cases = own(step, 'switch');
        if (Array.isArray(cases)) cases.forEach((c, i) => isRecord(c) && add(`${pointer}/switch/${i}/when`, own(c, 'when')));
        break;
      }
      default:
        break;
    }
  });
  loopBindings = [];
  add('/output', own(document, 'output'));
  const queries = own(document, 'queries');
  if (isRecord(queries)) for (const name of Object.keys(queries)) add(childPointer('/queries', name), queries[name]);
  const attributes = own(document, 'searchAttributes');
  if (isRecord(attributes)) {
    for (const name of Object.keys(attributes)) {
      const attribute = attributes[name];
      if (isRecord(attribute)) add(`${childPointer('/searchAttributes', name)}/value`, own(attribute, 'value'));
    }
  }
  return sites;
}

/** Syntax errors, unknown `$steps.<id>` references and expression-shaped YAML maps. Pure. */
export function checkExpressions(document: unknown, stepIds: ReadonlySet<string>): RawIssue[] {
  const issues: RawIssue[] = [];
  const ids = [...stepIds];
  for (const site of expressionSites(document)) {
    for (const problem of checkTemplate(site.value)) {
      issues.push({
        pointer: site.pointer + problem.pointer,
        stringIndex: problem.offset,
        message: `expression error: ${problem.message}`,
        hint: problem.message.includes('not closed')
          ? 'every `${` needs its `}`; if the line has ` #`, YAML took the rest for a comment — quote the value'
          : expressionSyntaxHint(problem.code, problem.message, problem.positionInExpression),
      });
    }
    const { expressions } = collectExpressions(site.value);
    for (const expression of expressions) {
      for (const reference of expressionFacts(expression.source)?.steps ?? []) {
        if (stepIds.has(reference.id)) continue;
        issues.push({
          pointer: site.pointer + expression.pointer,
          stringIndex: expression.offset + reference.offset,
          message: `\`$steps.${preview(reference.id)}\` refers to no step: no step has the id \`${preview(reference.id)}\``,
          hint: didYouMean(reference.id, ids) ?? (ids.length ? `give that step \`id: ${preview(reference.id)}\`` : 'give the step an `id:` to use its output'),
        });
      }
      for (const problem of checkVariables(expression.source, site.loopBindings)) {
        issues.push({ pointer: site.pointer + expression.pointer, stringIndex: expression.offset + problem.offset, message: problem.message, hint: problem.hint });
      }
    }
    issues.push(...mapsThatWereExpressions(site.value, site.pointer));
  }
  return issues;
}

/**
 * `when: {$input.qty > 1}` is a YAML flow map with one key and no value: the author meant an
 * expression. Reports such keys (starting with `$`, or holding `${`) with null values.
 */
function mapsThatWereExpressions(value: unknown, pointer: string): RawIssue[] {
  const found: RawIssue[] = [];
  const visit = (node: unknown, at: string): void => {
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, `${at}/${i}`));
    else if (isRecord(node)) {
      for (const key of Object.keys(node)) {
        const child = node[key];
        if ((key.startsWith('$') || key.includes('${')) && child === null) {
          found.push({
            pointer: childPointer(at, key),
            at: 'key',
            message: `YAML read \`{ ${preview(key)} }\` as a map, not as an expression`,
            hint: `write an expression as '\${ ${preview(key.replace(/^\$\{\s*|\s*\}$/g, ''))} }' (in quotes when inside \`{ … }\`)`,
          });
        } else visit(child, childPointer(at, key));
      }
    }
  };
  visit(value, pointer);
  return found;
}
