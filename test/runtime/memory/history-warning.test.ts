/** `describe` reports the history size and warns above `limits.historyWarningEntries`, suggesting continueAsNew. */
import { describe, expect, it } from 'vitest';
import { loadDefinition } from '../../../src/definition/load.js';
import { createEmbeddedEngine } from '../../../src/runtime/memory/index.js';

const LOOP = `dsl: flowline/v1
name: warn-loop
version: 1
steps:
  - set: { n: 0 }
  - repeat:
      steps:
        - call: work.noop
          assign:
            n: \${ $vars.n + 1 }
      until: \${ $vars.n >= $input.passes }
`;

describe('history size in describe', () => {
  it('counts the entries and warns once they are above the limit', async () => {
    const engine = createEmbeddedEngine({ activities: { 'work.noop': async () => null }, limits: { historyWarningEntries: 40 } });
    try {
      const definition = loadDefinition(LOOP);
      const small = await engine.run(definition, { input: { passes: 2 } });
      const smallView = await engine.describe(small.runId);
      expect(smallView.historyLength).toBe((await engine.history(small.runId)).length);
      expect(smallView.historyLength).toBeLessThanOrEqual(40);
      expect(smallView.warnings).toEqual([]);
      const large = await engine.run(definition, { input: { passes: 20 } });
      const largeView = await engine.describe(large.runId);
      expect(largeView.historyLength).toBeGreaterThan(40);
      expect(largeView.warnings).toEqual([{ type: 'HistoryLarge', message: expect.stringContaining('continueAsNew') }]);
      expect(largeView.warnings[0]!.message).toContain(`${largeView.historyLength} entries (more than 40)`);
      expect(largeView).toMatchObject({ generation: 1, continuedFrom: [] });
    } finally {
      await engine.close();
    }
  });
});
