/** Test files are validated before anything runs, with positions and hints. */
import { describe, expect, it } from 'vitest';
import { FlowTestInvalidError, parseFlowTest } from '../../src/flowtest/index.js';

function problemsOf(text: string): readonly string[] {
  try {
    parseFlowTest(text, 'case.test.yaml');
  } catch (error) {
    if (error instanceof FlowTestInvalidError) return error.problems;
    throw error;
  }
  throw new Error('expected the test file to be invalid');
}

describe('flow test files', () => {
  it('accepts a valid file and resolves the flow next to it', () => {
    const parsed = parseFlowTest('flow: ./f.yaml\ncases:\n  - name: one\n    expect: { status: completed }\n', 'dir/case.test.yaml');
    expect(parsed.flowPath.endsWith('/dir/f.yaml')).toBe(true);
    expect(parsed.cases).toEqual([{ name: 'one', expect: { status: 'completed' } }]);
  });

  it.each([
    ['a misspelt key, with a hint', 'flow: f.yaml\ncases:\n  - name: a\n    expects: {}\n', 'case.test.yaml:4:5  unknown key `expects`  (did you mean `expect`?)'],
    ['a missing flow', 'cases:\n  - name: a\n', 'case.test.yaml:1:1  missing `flow`'],
    ['an unknown status', 'flow: f.yaml\ncases:\n  - name: a\n    expect:\n      status: ok\n', 'case.test.yaml:5:15  `status` must be one of'],
    [
      'a mock that is neither output nor error',
      'flow: f.yaml\ncases:\n  - name: a\n    mocks:\n      a.b: { result: 1 }\n',
      'case.test.yaml:5:12  a mock must be `{ output: … }`, `{ error: { type, message } }`, or a list of those',
    ],
    ['a mocked error without a type', 'flow: f.yaml\ncases:\n  - name: a\n    mocks:\n      a.b: { error: { message: x } }\n', 'a mock must be'],
    ['a misspelt expectation key', 'flow: f.yaml\ncases:\n  - name: a\n    expect:\n      ouput: 1\n', 'unknown key `ouput`  (did you mean `output`?)'],
    ['two cases with one name', 'flow: f.yaml\ncases:\n  - name: a\n  - name: a\n', 'case.test.yaml:4:11  two cases are named "a"'],
    ['duplicate keys', 'flow: f.yaml\nflow: g.yaml\ncases: []\n', 'case.test.yaml:2:1  this key appears twice'],
    ['no cases', 'flow: f.yaml\ncases: []\n', 'case.test.yaml:2:8'],
    ['not YAML at all', 'flow: [unclosed\n', 'case.test.yaml:'],
  ])('reports %s', (_name, text, fragment) => {
    const problems = problemsOf(text);
    expect(problems.some((p) => p.includes(fragment))).toBe(true);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf('flow: f.yaml\ncases:\n  - name: a\n    mock: {}\n    expect:\n      status: done\n');
    expect(problems).toHaveLength(2);
  });
});
