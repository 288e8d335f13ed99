/**
 * Expressions cannot freeze or kill a worker: regex literals run on RE2 (linear time), patterns RE2
 * refuses are load-time errors, and every value an expression builds is size-checked step by step.
 */
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/definition/load.js';
import { checkTemplate, evaluateExpression, ExpressionFailure } from '../../src/expression/index.js';

const limits = { timeoutMs: 1_000, maxDepth: 500, maxResultBytes: 512 * 1024 };

async function failureOf(source: string, bindings = {}, evaluationLimits = limits): Promise<ExpressionFailure> {
  const outcome = await evaluateExpression(source, bindings, evaluationLimits).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(ExpressionFailure);
  return outcome.error as ExpressionFailure;
}

describe('regex literals run in linear time (RE2)', () => {
  it('answers a catastrophic-backtracking pattern instead of holding the worker', async () => {
    // On JavaScript's RegExp the first call takes ~40 s on this machine (vitest's 5 s timeout would fail it).
    expect(await evaluateExpression(`$contains("${'a'.repeat(30)}!", /^(a+)+$/)`, {}, limits)).toBe(false);
    expect(await evaluateExpression(`$contains("${'a'.repeat(30)}", /^(a+)+$/)`, {}, limits)).toBe(true);
  });

  it('keeps what JSONata does with regexes: matches with indexes and groups, $1 in $replace, $split, flags', async () => {
    expect(await evaluateExpression('$match("ab12cd345", /([a-z])([0-9]+)/)', {}, limits)).toEqual([
      { match: 'b12', index: 1, groups: ['b', '12'] },
      { match: 'd345', index: 5, groups: ['d', '345'] },
    ]);
    expect(await evaluateExpression('$replace("hello world", /(o)/, "[$1]")', {}, limits)).toBe('hell[o] w[o]rld');
    expect(await evaluateExpression('$split("a1b22c", /[0-9]+/)', {}, limits)).toEqual(['a', 'b', 'c']);
    expect(await evaluateExpression('$contains("HeLLo", /hello/i)', {}, limits)).toBe(true);
    expect(await evaluateExpression('$match("a\\nb", /^b$/m).index', {}, limits)).toBe(2);
    expect(await evaluateExpression('$match("x(?)", /[?]/).index', {}, limits)).toBe(2);
    // Indexes count UTF-16 units, as JavaScript strings do.
    expect(await evaluateExpression('$match("😀ab", /b/).index', {}, limits)).toBe(3);
    expect(await evaluateExpression('$input.emails[$contains($, /^[^@]+@example\\.com$/)]', { input: { emails: ['a@example.com', 'b@other.org'] } }, limits)).toBe(
      'a@example.com',
    );
  });

  it('reports a pattern RE2 cannot run when the expression is checked, at the literal', () => {
    const [backreference] = checkTemplate('${ $contains($input.s, /(a)\\1/) }');
    expect(backreference.message).toMatch(/regular expression \/\(a\)\\1\/ cannot be used.*RE2.*backreferences/);
    expect(backreference.offset).toBe('${ $contains($input.s, '.length);
    expect(checkTemplate('${ $match($input.s, /a(?=b)/) }')[0].message).toMatch(/lookahead/);
  });

  it('gives the line and column of an unsupported pattern in a document, before any run', () => {
    const yaml = 'dsl: flowline/v1\nname: re\nversion: 1\nsteps:\n  - set:\n      ok: ${ $contains($input.s, /(?<=a)b/) }\n';
    const issues = validateDefinition(yaml).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 6, column: 11 + '${ $contains($input.s, '.length, pointer: '/steps/0/set/ok' });
    expect(issues[0].message).toMatch(/RE2/);
  });

  it('fails at run time, never on the backtracking engine, if an unchecked pattern reaches evaluation', async () => {
    const failure = await failureOf('$contains("aab", /(a)\\1/)');
    expect(failure.type).toBe('ExpressionError');
    expect(failure.message).toMatch(/RE2/);
  });
});

describe('values an expression builds are bounded', () => {
  it('stops a string doubling in a recursive function with a typed error (V8 would abort the process)', async () => {
    const failure = await failureOf('( $f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $f("ab", 40) )');
    expect(failure.type).toBe('ExpressionError');
    expect(failure.message).toMatch(/built a text of about \d+ characters, above the limit of 4194304/);
  });

  it('stops an object that doubles by sharing its halves, measured as the JSON it would be', async () => {
    const failure = await failureOf('( $f := function($a, $n) { $n = 0 ? $a : $f({"l": $a, "r": $a}, $n - 1) }; $f({"x": 1}, 40) )');
    expect(failure.type).toBe('ExpressionError');
    expect(failure.message).toMatch(/built a value of about \d+ characters/);
  });

  it('stops an array doubled with $append in a recursion, by size or by time', async () => {
    const failure = await failureOf('( $f := function($a, $n) { $n = 0 ? $a : $f($append($a, $a), $n - 1) }; $count($f([1], 40)) )', {}, { ...limits, timeoutMs: 100 });
    expect(['ExpressionError', 'ExpressionTimeout']).toContain(failure.type);
  });

  it('refuses a huge $pad and $join before building them', async () => {
    const pad = await failureOf('$pad("", 20000000, "x")');
    expect(pad.type).toBe('ExpressionError');
    expect(pad.message).toMatch(/\$pad was asked for a text of about 20000000 characters/);
    const join = await failureOf('$join($map([1..100], function($i) { $string($i) }), $pad("", 100000, ","))');
    expect(join.message).toMatch(/\$join would build a text of about \d+ characters/);
  });

  it('refuses a huge range before allocating it', async () => {
    const failure = await failureOf('$count([1..9999999])');
    expect(failure.type).toBe('ExpressionError');
    expect(failure.message).toMatch(/built a list longer than 524288 items/);
  });

  it('turns a single built-in call past V8 string limits into ExpressionError, not "recursed too deeply"', async () => {
    const failure = await failureOf('$replace($pad("", 400000, "a"), "a", $pad("", 400000, "b"))');
    expect(failure.type).toBe('ExpressionError');
    expect(failure.message).toMatch(/too large for memory/);
  });

  it('takes the bound from the limits and keeps ordinary use of $pad, $join and $string working', async () => {
    const small = { ...limits, maxIntermediateBytes: 1_000 };
    expect((await failureOf('$pad("", 2000, "x")', {}, small)).message).toMatch(/limit of 1000/);
    expect((await failureOf('$string($input)', { input: { text: 'x'.repeat(1_500) } }, small)).message).toMatch(/built a text/);
    expect(await evaluateExpression('$pad("x", 5, "-") & $pad("y", -3) & $input.s.$pad(3, "+")', { input: { s: 'z' } }, small)).toBe('x----  yz++');
    expect(await evaluateExpression('$join(["a", "b"], ", ") & $join(["c"])', {}, small)).toBe('a, bc');
    expect(await evaluateExpression('$input.items.$string()', { input: { items: [1, 2] } }, small)).toEqual(['1', '2']);
  });

  it('bounds values built on the way at 8 × maxResultBytes when no bound of their own is given', async () => {
    const small = { ...limits, maxResultBytes: 1_000 };
    expect((await failureOf('$pad("", 9000, "x")', {}, small)).message).toMatch(/above the limit of 8000 for any value/);
    expect((await failureOf('$pad("", 7000, "x")', {}, small)).message).toMatch(/expression result is 7000 bytes, above the limit of 1000/);
  });

  it('still holds the result to maxResultBytes when every step stayed under the per-step bound', async () => {
    const failure = await failureOf('( $a := $pad("", 3000, "x"); [1..10].{"v": $a} )', {}, { ...limits, maxResultBytes: 10_000 });
    expect(failure.message).toMatch(/expression result is \d+ bytes, above the limit of 10000/);
  });
});
