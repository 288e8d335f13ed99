/** planMigration: which runs may move to another version, and what the move re-points (pure core). */
import { describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import { decide, planMigration, replay, type RunState } from '../../src/interpreter/index.js';
import type { WorkflowDefinition } from '../../src/definition/types.js';

const doc = (version: number, steps: string, extra = '') =>
  loadDefinition(`dsl: flowline/v1\nname: plan\nversion: ${version}\n${extra}signals: { go: {}, stop: {} }\nsteps:\n${steps}`);

/** A run of `definition` that has started (and waits wherever its first decision left it). */
async function started(definition: WorkflowDefinition): Promise<RunState> {
  return (await decide(definition, undefined, { type: 'RunStarted', at: 1, runId: 'r', input: {} })).state;
}

const V1 = `  - id: reserve
    call: a.reserve
    compensate: { call: a.release }
  - id: hold
    waitSignal: go
`;

describe('planMigration', () => {
  it('blocks when the waiting step moved into a new group, naming it', async () => {
    const v1 = doc(1, `  - id: hold\n    waitSignal: go\n`);
    const v2 = doc(2, `  - id: wrapper\n    steps:\n      - id: hold\n        waitSignal: go\n`);
    const plan = planMigration(v1, v2, await started(v1));
    expect(plan.allowed).toBe(false);
    expect(plan.blockers).toEqual([{ step: 'hold', reason: 'the run is in this step, but v2 moved it into a different enclosing step' }]);
  });

  it('blocks a kind change and a different signal', async () => {
    const v1 = doc(1, `  - id: hold\n    waitSignal: go\n`);
    expect(planMigration(v1, doc(2, `  - id: hold\n    wait: 1s\n`), await started(v1)).blockers).toEqual([
      { step: 'hold', reason: 'the run is in this step as a waitSignal step, but in v2 it is a wait step' },
    ]);
    expect(planMigration(v1, doc(3, `  - id: hold\n    waitSignal: stop\n`), await started(v1)).blockers).toEqual([
      { step: 'hold', reason: 'waits for signal go, but in v3 it waits for stop' },
    ]);
  });

  it('blocks when a registered compensation has none in the target', async () => {
    const v1 = doc(1, V1);
    let state = await started(v1);
    state = (await decide(v1, state, { type: 'ActivityCompleted', at: 2, seq: 1, output: { id: 'r1' } })).state;
    const v2 = doc(2, `  - id: reserve\n    call: a.reserve\n  - id: hold\n    waitSignal: go\n`);
    expect(planMigration(v1, v2, state).blockers).toEqual([{ step: 'reserve', reason: 'a compensation is registered for this step, but in v2 it has no compensate' }]);
  });

  it('an anonymous waiting step matches at the same place only; the move re-points it and replays', async () => {
    const v1 = doc(1, `  - waitSignal: go\n`);
    const same = doc(2, `  - waitSignal: go\n  - set: { after: true }\n`);
    const shifted = doc(3, `  - set: { before: true }\n  - waitSignal: go\n`);
    const state = await started(v1);
    expect(planMigration(v1, shifted, state).blockers[0]?.reason).toBe('the run is in this step as a waitSignal step, but in v3 it is a set step');
    const plan = planMigration(v1, same, state);
    expect(plan.allowed).toBe(true);
    const event = { type: 'RunMigrated' as const, at: 3, from: { version: 1, digest: v1.digest }, to: { version: 2, digest: same.digest }, remap: plan.remap };
    const moved = await decide(same, state, event);
    expect(moved.state.workflow.version).toBe(2);
    const ended = await decide(same, moved.state, { type: 'SignalReceived', at: 4, name: 'go', data: {} });
    expect(ended.state).toMatchObject({ status: 'completed', vars: { after: true } });
    const history = [...moved.history, ...ended.history];
    const initial = (await decide(v1, undefined, { type: 'RunStarted', at: 1, runId: 'r', input: {} })).history;
    expect(await replay(same, [...initial, ...history], { earlier: [v1] })).toEqual(ended.state);
  });

  it('refuses when migrateFrom does not list the version, and warns when it is absent', async () => {
    const v1 = doc(1, `  - id: hold\n    waitSignal: go\n`);
    const listed = doc(2, `  - id: hold\n    waitSignal: go\n`, 'migrateFrom: [5]\n');
    expect(planMigration(v1, listed, await started(v1)).blockers).toEqual([{ step: null, reason: 'v2 declares migrateFrom: [5], which does not include v1' }]);
    const open = doc(3, `  - id: hold\n    waitSignal: go\n`);
    expect(planMigration(v1, open, await started(v1))).toMatchObject({ allowed: true, warnings: ['v3 does not declare migrateFrom; the move relies on the step check alone'] });
  });
});
