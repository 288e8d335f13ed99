import { describe, expect, it } from 'vitest';
import {
  checkTemplate,
  collectExpressions,
  evaluateTemplate,
  ExpressionFailure,
  isTruthy,
  parseTemplateString,
  referencedStepIds,
} from '../../src/expression/index.js';

const limits = { timeoutMs: 100, maxDepth: 200, maxResultBytes: 10_000 };

describe('parseTemplateString', () => {
  it('finds the closing brace past braces inside object constructors and strings', () => {
    const parts = parseTemplateString('${ {"a": "}", "b": $x} }');
    expect(parts).toEqual([{ kind: 'expression', source: ' {"a": "}", "b": $x} ', offset: 2 }]);
  });
  it('splits templates into text and expressions', () => {
    expect(parseTemplateString('Hello ${ $input.name }!')).toEqual([
      { kind: 'text', text: 'Hello ' },
      { kind: 'expression', source: ' $input.name ', offset: 8 },
      { kind: 'text', text: '!' },
    ]);
  });
  it('returns null for plain strings', () => {
    expect(parseTemplateString('just text')).toBeNull();
  });
});

describe('evaluateTemplate', () => {
  it('keeps the type of a whole expression and stringifies templates', async () => {
    const value = { n: '${ $input.qty * 10 }', s: 'qty=${ $input.qty }', list: ['${ $vars.a }', 3] };
    expect(await evaluateTemplate(value, { input: { qty: 2 }, vars: { a: { b: 1 } } }, limits)).toEqual({
      n: 20,
      s: 'qty=2',
      list: [{ b: 1 }, 3],
    });
  });
  it('uses the caller-supplied clock, never the real one', async () => {
    const out = await evaluateTemplate('${ $now() & "|" & $string($millis()) }', { now: () => '2020-01-01T00:00:00.000Z', millis: () => 42 }, limits);
    expect(out).toBe('2020-01-01T00:00:00.000Z|42');
  });
  it('turns a missing value into null', async () => {
    expect(await evaluateTemplate('${ $input.nothing }', { input: {} }, limits)).toBeNull();
  });
  it('keeps __proto__ keys as plain data', async () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
    const out = (await evaluateTemplate(value, {}, limits)) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('fails a runaway recursion with ExpressionTimeout or ExpressionError, quickly', async () => {
    const failure = await evaluateTemplate('${ ($f := function($n){ $f($n + 1) }; $f(0)) }', {}, limits).catch((e) => e);
    expect(failure).toBeInstanceOf(ExpressionFailure);
    expect(['ExpressionTimeout', 'ExpressionError']).toContain((failure as ExpressionFailure).type);
  });
  it('fails an infinite loop with ExpressionTimeout', async () => {
    const failure = await evaluateTemplate('${ ($f := function($n){ $n < 0 ? 0 : $f($n + 1) + 0 }; $f(0)) }', {}, { ...limits, maxDepth: 1_000_000 }).catch((e) => e);
    expect((failure as ExpressionFailure).type).toBe('ExpressionTimeout');
  });
  it('refuses results above the size limit, including a huge $pad', async () => {
    const pad = await evaluateTemplate('${ $pad("", 20000000, "x") }', {}, limits).catch((e) => e);
    expect((pad as ExpressionFailure).type).toBe('ExpressionError');
    expect((pad as Error).message).toMatch(/limit/);
    const big = await evaluateTemplate('${ [1..5000] }', {}, limits).catch((e) => e);
    expect((big as ExpressionFailure).type).toBe('ExpressionError');
  });
  it('refuses $eval', async () => {
    const failure = await evaluateTemplate('${ $eval("1+1") }', {}, limits).catch((e) => e);
    expect((failure as Error).message).toMatch(/\$eval is not available/);
  });
});

describe('load-time checks', () => {
  it('reports syntax errors with their offset in the string', () => {
    const problems = checkTemplate({ a: 'x ${ $input.( }' });
    expect(problems).toHaveLength(1);
    expect(problems[0].pointer).toBe('/a');
    expect(problems[0].offset).toBeGreaterThanOrEqual(4);
  });
  it('reports an unclosed ${', () => {
    expect(checkTemplate(['${ $input'])[0]).toMatchObject({ pointer: '/0', offset: 0 });
  });
  it('collects every expression with its pointer', () => {
    expect(collectExpressions({ a: ['${1}', 'x ${2}'] }).expressions.map((e) => e.pointer)).toEqual(['/a/0', '/a/1']);
  });
  it('lists $steps references', () => {
    expect(referencedStepIds('$steps.ship.id & $string($steps.pay)').map((r) => r.id)).toEqual(['ship', 'pay']);
  });
});

describe('isTruthy', () => {
  it.each([
    [true, true],
    [false, false],
    [0, false],
    [1, true],
    ['', false],
    ['x', true],
    [null, false],
    [[], false],
    [[0], false],
    [[1], true],
    [{}, false],
    [{ a: 1 }, true],
  ])('%j → %s', (value, expected) => {
    expect(isTruthy(value)).toBe(expected);
  });
});
