/** The `continueAsNew` step in the loader (schema, normaliser, expression check) and the diagram. */
import { describe, expect, it } from 'vitest';
import { loadDefinition, validateDefinition } from '../../src/definition/load.js';
import { buildGraph, START_ID } from '../../src/graph/index.js';

const FLOW = `dsl: flowline/v1
name: cas
version: 1
steps:
  - id: page
    call: feed.fetch
  - id: again
    if: \${ $steps.page.more }
    continueAsNew:
      input:
        cursor: \${ $steps.page.next }
`;

describe('continueAsNew in a document', () => {
  it('loads as its own kind with the input as written', () => {
    const step = loadDefinition(FLOW).steps[1]!;
    expect(step).toMatchObject({ kind: 'continueAsNew', id: 'again', path: '/steps/1', input: { cursor: '${ $steps.page.next }' } });
  });

  it('without input, the next input is null', () => {
    const step = loadDefinition(FLOW.replace(/continueAsNew:\n.*\n.*\n/, 'continueAsNew: {}\n')).steps[1]!;
    expect(step).toMatchObject({ kind: 'continueAsNew', input: null });
  });

  it('refuses an unknown key in the body and a broken expression in the input, at their lines', () => {
    const unknown = validateDefinition(FLOW.replace('      input:', '      inputs:'));
    expect(unknown.definition).toBeUndefined();
    expect(unknown.issues.map((i) => i.pointer)).toContain('/steps/1/continueAsNew/inputs');
    const broken = validateDefinition(FLOW.replace('$steps.page.next', '$steps.page.next +'));
    expect(broken.issues[0]).toMatchObject({ pointer: '/steps/1/continueAsNew/input/cursor', line: 11 });
  });

  it('is drawn as a node with a loop edge back to the start', () => {
    const graph = buildGraph(loadDefinition(FLOW));
    const node = [...graph.nodes.values()].find((n) => n.path === '/steps/1' && n.label.includes('continue as new'));
    expect(node?.label).toContain('continue as new');
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: node!.id, to: START_ID, kind: 'loop' }));
  });
});
