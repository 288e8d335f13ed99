/**
 * The replay check as a report (replayHistory): a recorded history against the flow it was
 * recorded with replays clean; against an edited flow (a step renamed, steps reordered) it names
 * the first differing decision's step with what history holds and what the flow now gives.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { loadDefinition, loadDefinitionFile } from '../../src/definition/load.js';
import { replayHistory } from '../../src/interpreter/index.js';
import { readFixture } from '../fixtures/replay/fixture.js';

const FIXTURE = 'order-fulfilment/approved-order-ships.json';

async function edited(edit: (steps: YAMLSeq<YAMLMap>) => void) {
  const document = parseDocument(await readFile('workflows/order-fulfilment.yaml', 'utf8'));
  edit(document.get('steps') as YAMLSeq<YAMLMap>);
  return loadDefinition(document.toString(), { file: 'order-fulfilment.edited.yaml' });
}

function withId(steps: YAMLSeq<YAMLMap>, id: string): YAMLMap {
  return steps.items.find((s) => s.get('id') === id)!;
}

describe('replayHistory', () => {
  it('a history recorded by the current definition replays clean', async () => {
    const run = (await readFixture(FIXTURE)).runs[0]!;
    const report = await replayHistory(await loadDefinitionFile(run.flow), run.history);
    expect(report).toMatchObject({ runId: run.runId, deterministic: true, divergence: null, entries: run.history.length });
    expect(report.decisions).toBe(run.history.filter((e) => e.event).length);
  });

  it("a step's activity renamed: the report names the step, expected and got", async () => {
    const run = (await readFixture(FIXTURE)).runs[0]!;
    const report = await replayHistory(await edited((steps) => withId(steps, 'ship').set('call', 'shipping.dispatch')), run.history);
    expect(report.deterministic).toBe(false);
    expect(report.divergence).toMatchObject({
      stepId: 'ship',
      path: '/steps/5',
      field: 'details.activity',
      expected: 'StepScheduled seq 6 attempt 1 activity "shipping.create"',
      got: 'StepScheduled seq 6 attempt 1 activity "shipping.dispatch"',
    });
    expect(report.entries).toBe(report.divergence!.entryIndex + 1);
    expect(report.entries).toBeLessThan(run.history.length);
  });

  it('steps reordered: the report names the recorded step and what the flow now schedules there', async () => {
    const run = (await readFixture(FIXTURE)).runs[0]!;
    const definition = await edited((steps) => {
      const pay = withId(steps, 'pay');
      steps.delete(steps.items.indexOf(pay));
      steps.items.splice(1, 0, pay);
    });
    const report = await replayHistory(definition, run.history);
    expect(report.divergence).toMatchObject({ stepId: 'reserve', eventType: 'RunStarted', expected: expect.stringContaining('inventory.reserve'), got: expect.stringContaining('payments.charge') });
    expect(report.decisions).toBe(1);
  });

  it('refuses something that is not a run history', async () => {
    const run = (await readFixture(FIXTURE)).runs[0]!;
    await expect(replayHistory(await loadDefinitionFile(run.flow), run.history.slice(1))).rejects.toMatchObject({ type: 'CoreMisuse' });
  });
});
