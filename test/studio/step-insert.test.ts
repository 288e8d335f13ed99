/** Adding a step from the palette: one text change; every byte outside the new step stays as written. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/definition/load.js';
import type { JsonSchema } from '../../studio/src/schema-help.js';
import { applyEdit, insertStep, replaceStep, stepAt } from '../../studio/src/step-insert.js';

const schema = JSON.parse(readFileSync('schema/workflow.schema.json', 'utf8')) as JsonSchema;

const COMMENTED = `# Refund policy, owned by operations.
dsl: flowline/v1
name: refund   # do not rename: dashboards use it
version: 3
signals:
  approve: { schema: { type: object } }   # flow map kept as written
steps:
  # first we look the order up
  - id: lookup
    call: orders.get
    with:
      order: "\${ $input.orderId }"   # quoted on purpose

  # then a person decides
  - id: decide
    waitSignal: approve
    timeout: 48h
  - id: checks
    parallel:
      - id: fraud
        call: fraud.check
      - id: stock   # the second branch
        call: stock.check
output: \${ $steps.decide }
`;

/** The text outside the inserted lines, before and after. */
function outside(text: string, edit: { from: number; insert: string }): string {
  return text.slice(0, edit.from) + text.slice(edit.from + edit.insert.length);
}

describe('insertStep', () => {
  it('appends at the end of the flow’s steps, keeping every other byte (comments, quotes, flow maps)', () => {
    const edit = insertStep(schema, COMMENTED, { id: 'pause', wait: '48h' });
    expect(edit.from).toBe(edit.to);
    const next = applyEdit(COMMENTED, edit);
    expect(outside(next, edit)).toBe(COMMENTED);
    expect(edit.insert).toBe('  - id: pause\n    wait: 48h\n');
    expect(next).toContain('        call: stock.check\n  - id: pause\n    wait: 48h\noutput:');
    expect(validateDefinition(next).issues).toEqual([]);
  });

  it('inserts after the step the cursor is in, at that step’s indentation', () => {
    const edit = insertStep(schema, COMMENTED, { id: 'notify', call: 'email.send', with: { to: '${ $input.email }', subject: 'Refund: decided' } }, COMMENTED.indexOf('call: orders.get'));
    const next = applyEdit(COMMENTED, edit);
    expect(outside(next, edit)).toBe(COMMENTED);
    expect(next).toContain('# quoted on purpose\n  - id: notify\n    call: email.send\n    with:\n');
    expect(next).toContain('\n\n  # then a person decides\n  - id: decide');
    const data = validateDefinition(next);
    expect(data.issues).toEqual([]);
    expect(data.definition?.steps.map((s) => s.id)).toEqual(['lookup', 'notify', 'decide', 'checks']);
  });

  it('inside a parallel branch, the new step becomes the next branch', () => {
    const edit = insertStep(schema, COMMENTED, { id: 'limits', call: 'limits.check' }, COMMENTED.indexOf('call: fraud.check'));
    const next = applyEdit(COMMENTED, edit);
    expect(outside(next, edit)).toBe(COMMENTED);
    expect(edit.insert).toBe('      - id: limits\n        call: limits.check\n');
    expect(next).toContain('call: fraud.check\n      - id: limits\n        call: limits.check\n      - id: stock   # the second branch');
  });

  it('a document without a trailing newline gets the step on a line of its own', () => {
    const text = 'dsl: flowline/v1\nname: a\nversion: 1\nsteps:\n  - id: one\n    wait: 1s';
    const next = applyEdit(text, insertStep(schema, text, { id: 'two', wait: '2s' }));
    expect(next).toBe(`${text}\n  - id: two\n    wait: 2s\n`);
  });

  it('an empty flow list is written by the Document (the only case that rewrites the text)', () => {
    const text = 'dsl: flowline/v1\nname: a\nversion: 1\nsteps: []\n';
    const edit = insertStep(schema, text, { id: 'one', wait: '1s' });
    expect(edit).toMatchObject({ from: 0, to: text.length });
    expect(validateDefinition(applyEdit(text, edit)).definition?.steps.map((s) => s.id)).toEqual(['one']);
  });
});

describe('stepAt and replaceStep', () => {
  it('finds the innermost step under the cursor, with its path', () => {
    expect(stepAt(schema, COMMENTED, COMMENTED.indexOf('stock.check'))?.path).toEqual(['steps', 2, 'parallel', 1]);
    expect(stepAt(schema, COMMENTED, COMMENTED.indexOf('timeout: 48h'))?.value).toEqual({ id: 'decide', waitSignal: 'approve', timeout: '48h' });
    expect(stepAt(schema, COMMENTED, COMMENTED.indexOf('version: 3'))).toBeUndefined();
  });

  it('rewrites one step in place; the rest keeps every byte', () => {
    const edit = replaceStep(COMMENTED, ['steps', 1], { id: 'decide', waitSignal: 'approve', timeout: '72h' });
    expect(edit).toBeDefined();
    if (!edit) return;
    const next = applyEdit(COMMENTED, edit);
    expect(next.slice(0, edit.from)).toBe(COMMENTED.slice(0, edit.from));
    expect(next.slice(edit.from + edit.insert.length)).toBe(COMMENTED.slice(edit.to));
    expect(next).toContain('  # then a person decides\n  - id: decide\n    waitSignal: approve\n    timeout: 72h\n  - id: checks');
  });
});
