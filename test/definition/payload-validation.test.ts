/** Run inputs and signal payloads against the schemas a definition declares. */
import { describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import { checkInput, checkSignalPayload } from '../../src/definition/payload-validation.js';

const def = loadDefinition(`dsl: flowline/v1
name: payloads
version: 1
input:
  schema:
    type: object
    required: [sku, qty]
    additionalProperties: false
    properties: { sku: { type: string }, qty: { type: integer, minimum: 1 }, email: { type: string, format: email } }
signals:
  approve: { schema: { type: object, required: [by], properties: { by: { type: string } } } }
  poke: {}
steps:
  - waitSignal: approve
`);

describe('checkInput', () => {
  it('accepts a matching input', () => {
    expect(checkInput(def, { sku: 'A1', qty: 2, email: 'ann@example.com' })).toEqual([]);
  });

  it('reports every problem with its pointer, without echoing values', () => {
    const issues = checkInput(def, { qty: 0, extra: 'secret-value', email: 'nope' });
    expect(issues.map((i) => i.pointer).sort()).toEqual(['', '/email', '/extra', '/qty']);
    expect(issues.find((i) => i.pointer === '')?.message).toMatch(/missing `sku`/);
    expect(JSON.stringify(issues)).not.toContain('secret-value');
  });

  it('accepts anything when the definition declares no input schema', () => {
    const open = loadDefinition('dsl: flowline/v1\nname: open\nversion: 1\nsteps:\n  - set: { a: 1 }\n');
    expect(checkInput(open, 42)).toEqual([]);
  });

  it('uses the cached validator on later calls (same answers)', () => {
    expect(checkInput(def, { sku: 'A1', qty: 1 })).toEqual([]);
    expect(checkInput(def, { sku: 1, qty: 1 })).toHaveLength(1);
  });
});

describe('checkSignalPayload', () => {
  it('checks the payload against the signal schema', () => {
    expect(checkSignalPayload(def, 'approve', { by: 'ann' })).toEqual([]);
    expect(checkSignalPayload(def, 'approve', {})[0].message).toMatch(/missing `by`/);
    expect(checkSignalPayload(def, 'poke', 'anything')).toEqual([]);
  });

  it('refuses an undeclared signal and suggests the declared one', () => {
    const [issue] = checkSignalPayload(def, 'aprove', {});
    expect(issue.message).toMatch(/not declared/);
    expect(issue.hint).toBe('did you mean `approve`?');
    expect(checkSignalPayload(def, 'toString', {})[0].message).toMatch(/not declared/);
  });
});
