/** Every example flow validates and its flow tests (workflows/*.test.yaml) pass. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../../src/definition/load.js';
import { runFlowTestFile } from '../../src/flowtest/index.js';
import { WORKFLOWS } from './helpers.js';

const files = readdirSync(WORKFLOWS).sort();
const flows = files.filter((f) => /\.ya?ml$/.test(f) && !f.includes('.test.'));
const tests = files.filter((f) => /\.test\.ya?ml$/.test(f));

describe('example flows', () => {
  it('every flow has flow tests and the modeline', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const flow of flows) {
      expect(tests, `${flow} has a .test.yaml`).toContain(flow.replace(/\.ya?ml$/, '.test.yaml'));
      const text = await readFile(join(WORKFLOWS, flow), 'utf8');
      expect(text.startsWith('# yaml-language-server: $schema=../schema/workflow.schema.json\n'), `${flow} starts with the modeline`).toBe(true);
    }
    expect(flows.length).toBeGreaterThanOrEqual(7);
  });

  it.each(flows)('%s validates', async (flow) => {
    const definition = await loadDefinitionFile(join(WORKFLOWS, flow));
    expect(`${definition.name}.yaml`).toBe(flow);
  });

  it.each(tests)('%s: every case passes', async (test) => {
    const result = await runFlowTestFile(join('workflows', test));
    expect(result.invalid).toBeUndefined();
    expect(result.cases.length).toBeGreaterThan(0);
    expect(result.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.reasons.join('; ')}`)).toEqual([]);
  });
});
