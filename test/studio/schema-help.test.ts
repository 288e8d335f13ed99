/** Completion and hover help from the published schema, at the cursor of a half-typed document. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completionAt, helpAt, stepKinds, type JsonSchema } from '../../studio/src/schema-help.js';

const schema = JSON.parse(readFileSync('schema/workflow.schema.json', 'utf8')) as JsonSchema;

/** Completion where `|` stands in the text. */
function at(marked: string): ReturnType<typeof completionAt> {
  return completionAt(schema, marked.replace('|', ''), marked.indexOf('|'));
}
const labels = (marked: string): string[] => at(marked)?.options.map((o) => o.label) ?? [];

const HEAD = 'dsl: flowline/v1\nname: refund\nversion: 1\n';

describe('completion', () => {
  it('in a step without a kind yet: the step kinds first, described, then the keys every step has', () => {
    const found = at(`${HEAD}steps:\n  - id: a\n    w|\n`);
    expect(found).toMatchObject({ kind: 'key', keyColumn: 4 });
    const names = found?.options.map((o) => o.label) ?? [];
    for (const kind of ['call', 'parallel', 'forEach', 'switch', 'wait', 'waitSignal', 'set', 'try', 'fail', 'return']) expect(names).toContain(kind);
    expect(names.indexOf('call')).toBeLessThan(names.indexOf('timeout'));
    expect(names).not.toContain('id');
    expect(names).not.toContain('completion');
    const call = found?.options.find((o) => o.label === 'call');
    expect(call).toMatchObject({ detail: 'call step' });
    expect(call?.info).toMatch(/registered activity/);
  });

  it('in a call step: the fields of a call, not those of other kinds; the word typed starts the replacement', () => {
    const marked = `${HEAD}steps:\n  - id: a\n    call: pay.charge\n    heart|\n`;
    const found = at(marked);
    expect(found?.from).toBe(marked.indexOf('heart'));
    const names = found?.options.map((o) => o.label);
    expect(names).toEqual(expect.arrayContaining(['with', 'heartbeatTimeout', 'taskQueue', 'retry', 'timeout']));
    expect(names).not.toContain('completion');
    expect(names).not.toContain('call');
    expect(found?.options.find((o) => o.label === 'heartbeatTimeout')?.detail).toBe('duration');
  });

  it('under retry: the retry fields; on an empty line under a new list item too', () => {
    expect(labels(`${HEAD}steps:\n  - id: a\n    call: x\n    retry:\n      |\n`)).toEqual(['maxAttempts', 'initialInterval', 'backoffCoefficient', 'maxInterval', 'jitter', 'nonRetryable']);
    expect(labels(`${HEAD}steps:\n  - id: a\n    call: x\n    retry:\n      maxAttempts: 3\n      |\n`)).not.toContain('maxAttempts');
    expect(labels(`${HEAD}steps:\n  - id: a\n    wait: 1s\n  - |\n`)).toContain('waitSignal');
  });

  it('values: enum values, durations, the signals the flow declares', () => {
    expect(labels(`${HEAD}steps:\n  - id: a\n    parallel: []\n    completion: |\n`)).toEqual(['all', 'any']);
    expect(labels(`${HEAD}steps:\n  - id: a\n    wait: |\n`)).toEqual(expect.arrayContaining(['30s', '5m', '48h']));
    expect(labels(`${HEAD}signals:\n  approve: {}\n  reject: {}\nsteps:\n  - id: a\n    waitSignal: |\n`)).toEqual(['approve', 'reject']);
  });

  it('top-level keys not yet written', () => {
    const names = labels(`dsl: flowline/v1\n|\nsteps: []\n`);
    expect(names).toEqual(expect.arrayContaining(['name', 'version', 'signals', 'input', 'defaults', 'timeout']));
    expect(names).not.toContain('dsl');
    expect(names).not.toContain('steps');
  });
});

describe('hover', () => {
  const text = `${HEAD}steps:\n  - id: a\n    call: pay.charge\n    retry:\n      maxAttempts: 3\n`;
  it('a field: its description and what it takes', () => {
    const help = helpAt(schema, text, text.indexOf('maxAttempts') + 3);
    expect(help).toMatchObject({ key: 'maxAttempts', title: 'maxAttempts (whole number)', from: text.indexOf('maxAttempts') });
    expect(help?.text).toMatch(/Total attempts including the first/);
  });
  it('a kind key: what the step does, then the key itself', () => {
    const help = helpAt(schema, text, text.indexOf('call:') + 1);
    expect(help?.title).toBe('call — call step');
    expect(help?.text).toMatch(/^Runs a registered activity[\s\S]*Name of the registered activity/);
  });
  it('nothing on a value', () => {
    expect(helpAt(schema, text, text.indexOf('pay.charge') + 2)).toBeUndefined();
  });
});

it('step kinds come from the schema, each with words', () => {
  const kinds = stepKinds(schema);
  expect(kinds.map((k) => k.key)).toEqual(['call', 'steps', 'parallel', 'forEach', 'switch', 'repeat', 'wait', 'waitSignal', 'set', 'workflow', 'try', 'compensate', 'fail', 'return', 'continueAsNew']);
  expect(kinds.every((k) => k.description.length > 20)).toBe(true);
});
