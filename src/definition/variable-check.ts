/**
 * Catches misspelt variables in expressions (`$inptu.sku`), which JSONata would silently read as
 * "no value". Conservative by design: only a name close to a binding that exists where the
 * expression runs, or `$item`/`$index` outside a forEach, is reported. Pure.
 */
import { expressionFacts } from './expression-facts.js';
import { nearest } from './hints.js';

/** JSONata's built-in functions (checked against jsonata by test/definition/variable-check.test.ts). */
export const JSONATA_FUNCTIONS = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter',
  'lowercase', 'uppercase', 'length', 'trim', 'pad', 'contains', 'split', 'join', 'match', 'replace',
  'now', 'millis', 'fromMillis', 'toMillis', 'formatNumber', 'formatBase', 'formatInteger', 'parseInteger',
  'number', 'abs', 'floor', 'ceil', 'round', 'power', 'sqrt', 'random', 'boolean', 'not', 'exists',
  'append', 'sort', 'reverse', 'shuffle', 'distinct', 'zip', 'keys', 'lookup', 'spread', 'merge', 'each',
  'error', 'assert', 'type', 'sift', 'map', 'filter', 'single', 'reduce', 'base64encode', 'base64decode',
  'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'eval', 'clone',
] as const;

/** Bindings Flowline gives every expression (SPEC §2); `$item`/`$index` come from forEach. */
export const FLOWLINE_BINDINGS = ['input', 'vars', 'steps', 'output', 'error', 'workflow', 'now', 'millis', 'uuid'] as const;

const KNOWN: ReadonlySet<string> = new Set<string>([...JSONATA_FUNCTIONS, ...FLOWLINE_BINDINGS, '', '$']);

/** A suspicious variable: where in the source, what to say. */
export interface VariableProblem {
  readonly offset: number;
  readonly message: string;
  readonly hint?: string;
}

/**
 * Problems with the variables of one expression source. `loopBindings` are the names enclosing
 * forEach steps define (`item`, `index`, or their `as:`/`indexAs:`). Pure.
 */
export function checkVariables(source: string, loopBindings: readonly string[]): VariableProblem[] {
  const usage = expressionFacts(source);
  if (!usage) return [];
  const problems: VariableProblem[] = [];
  const inScope = [...FLOWLINE_BINDINGS, ...loopBindings];
  const reported = new Set<string>();
  for (const { name, offset } of usage.used) {
    if (KNOWN.has(name) || usage.bound.has(name) || loopBindings.includes(name) || reported.has(name)) continue;
    if (name === 'item' || name === 'index') {
      reported.add(name);
      problems.push(
        loopBindings.length
          ? { offset, message: `\`$${name}\` is not defined here`, hint: `the enclosing forEach names are ${loopBindings.map((b) => `\`$${b}\``).join(', ')}` }
          : { offset, message: `\`$${name}\` is only defined inside a \`forEach\``, hint: 'use it in the steps of a forEach' },
      );
      continue;
    }
    const match = nearest(name, inScope);
    if (match === undefined) continue; // may be a function this check does not know: stay quiet
    reported.add(name);
    problems.push({ offset, message: `unknown variable \`$${name}\``, hint: `did you mean \`$${match}\`?` });
  }
  return problems;
}
