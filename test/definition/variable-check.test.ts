/** Misspelt variables in expressions are caught at load; legitimate ones never are. */
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { checkVariables, JSONATA_FUNCTIONS } from '../../src/definition/variable-check.js';
import { validateDefinition } from '../../src/definition/load.js';
import { expressionFacts } from '../../src/definition/expression-facts.js';
import { referencedStepIds } from '../../src/expression/index.js';

describe('checkVariables', () => {
  it('knows only real JSONata built-ins', async () => {
    for (const name of JSONATA_FUNCTIONS) {
      expect(await jsonata(`$type($${name})`).evaluate({}), name).toBe('function');
    }
  });

  it('reports a name close to a binding, at the `$`', () => {
    expect(checkVariables(' $inptu.sku + 1', [])).toEqual([{ offset: 1, message: 'unknown variable `$inptu`', hint: 'did you mean `$input`?' }]);
    expect(checkVariables('$stpes.a', [])[0].hint).toBe('did you mean `$steps`?');
    expect(checkVariables('$lien', ['line', 'index'])[0].hint).toBe('did you mean `$line`?');
  });

  it('reports $item and $index outside a forEach, or where the loop renamed them', () => {
    expect(checkVariables('$item', [])[0].message).toBe('`$item` is only defined inside a `forEach`');
    expect(checkVariables('$index', ['line', 'i'])[0]).toMatchObject({ message: '`$index` is not defined here', hint: 'the enclosing forEach names are `$line`, `$i`' });
    expect(checkVariables('$item + $index', ['item', 'index'])).toEqual([]);
  });

  it('stays quiet about everything legitimate or unknowable', () => {
    const fine = [
      '$sum($vars.totals) + $count($input.items)',
      '$now() & $millis() & $uuid() & $workflow.id & $error.message & $output.id',
      '($x := 1; $x + 1)',
      '$map($input.items, function($v, $k) { $v + $k })',
      'items#$i.($i)',
      'items@$o.($o.name)',
      '$$.a + $.b',
      '$someCustomFunction(1)', // not near any binding: unknowable, not reported
    ];
    for (const source of fine) expect(checkVariables(source, []), source).toEqual([]);
  });

  it('reports at the expression position in the file', () => {
    const text = 'dsl: flowline/v1\nname: t\nversion: 1\nsteps:\n  - forEach: ${ $input.items }\n    as: line\n    steps:\n      - call: a.b\n        with: ${ $lien }\n';
    expect(validateDefinition(text).issues.map((i) => `${i.line}:${i.column} ${i.message} (${i.hint})`)).toEqual([
      '9:18 unknown variable `$lien` (did you mean `$line`?)',
    ]);
  });
});

describe('expressionFacts', () => {
  it('finds the same $steps references as the expression module', () => {
    const sources = ['$steps.a.b + $steps.c', '$map($steps.items.list, function($v) { $v + $steps.k })', '{ "x": $steps.ship }', '$input.a', '$steps.a[0].id & $string($steps.b)'];
    for (const source of sources) {
      expect(expressionFacts(source)?.steps, source).toEqual(referencedStepIds(source));
    }
  });

  it('is null for a source that does not compile', () => {
    expect(expressionFacts('$input.a +')).toBeNull();
  });
});
