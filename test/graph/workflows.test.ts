/** Every example flow in workflows/ draws as a well-formed flowchart that shows each of its steps. */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../../src/definition/load.js';
import type { Step } from '../../src/definition/types.js';
import { END_ID, START_ID, toMermaid } from '../../src/graph/index.js';
import { parseFlowchart, reachable } from './mermaid-check.js';

const WORKFLOWS = resolve(import.meta.dirname, '../../workflows');
const flows = readdirSync(WORKFLOWS).filter((f) => /\.(ya?ml|json)$/.test(f) && !/\.test\.(ya?ml|json)$/.test(f)).sort();

function activitiesOf(steps: readonly Step[], into: Set<string> = new Set()): Set<string> {
  for (const step of steps) {
    if (step.kind === 'call') into.add(step.call);
    if ('steps' in step && Array.isArray(step.steps)) activitiesOf(step.steps, into);
    if (step.kind === 'parallel') activitiesOf(step.branches, into);
    if (step.kind === 'switch') for (const c of step.cases) activitiesOf(c.steps, into);
    for (const clause of step.catch ?? []) activitiesOf(clause.steps, into);
    if (step.compensate) activitiesOf([step.compensate], into);
  }
  return into;
}

describe('graphs of the example flows', () => {
  it('covers the examples', () => {
    expect(flows).toEqual(expect.arrayContaining(['hello-world.yaml', 'order-fulfilment.yaml', 'human-approval.yaml']));
  });

  it.each(flows)('%s draws as a flowchart from start to end naming every activity', async (file) => {
    const definition = await loadDefinitionFile(join(WORKFLOWS, file));
    const text = toMermaid(definition);
    expect(text.length).toBeGreaterThan(0);
    const chart = parseFlowchart(text);
    expect(reachable(chart, START_ID, END_ID)).toBe(true);
    const labels = [...chart.nodes.values()].map((n) => n.label).join('\n');
    for (const activity of activitiesOf(definition.steps)) expect(labels).toContain(activity);
  });

  it('draws the order saga with its two compensations distinctly', async () => {
    const chart = parseFlowchart(toMermaid(await loadDefinitionFile(join(WORKFLOWS, 'order-fulfilment.yaml'))));
    const compensations = chart.classes.get('compensation') ?? [];
    expect(compensations.map((id) => chart.nodes.get(id)?.label)).toEqual([
      '↩ undo reserve stock\ninventory.release',
      '↩ undo charge the card\npayments.refund',
    ]);
    expect(chart.edges.filter((e) => e.label === 'compensate')).toHaveLength(2);
    expect(chart.edges.some((e) => e.label === 'catch SignalTimeout' && e.arrow === '-.->')).toBe(true);
  });
});
