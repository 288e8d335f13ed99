import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/definition/load.js';

describe('YAML slips that would otherwise be silent or noisy', () => {
  it('reports an expression cut off by ` #` (YAML read it as a comment)', () => {
    const text = ['dsl: flowline/v1', 'name: cut', 'version: 1', 'steps:', '  - set:', '      note: Order #${ $input.id }', ''].join('\n');
    const result = validateDefinition(text, { file: 'cut.yaml' });
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ line: 6, column: 18 });
    expect(result.issues[0].message).toMatch(/start of a comment/);
    expect(result.issues[0].hint).toMatch(/quotes/);
  });

  it('reports one problem for an unquoted expression in a flow map, not echoes on later valid lines', () => {
    const text = [
      'dsl: flowline/v1',
      'name: flow-map',
      'version: 1',
      'steps:',
      '  - call: a.b',
      '    with: { amount: ${ $input.qty * 10 } }',
      '  - set:',
      '      x: ${ $input.qty }',
      'output: ${ $vars.x }',
      '',
    ].join('\n');
    const result = validateDefinition(text, { file: 'flow-map.yaml' });
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ line: 6 });
    expect(result.issues[0].message).toMatch(/must be quoted/);
  });
});
