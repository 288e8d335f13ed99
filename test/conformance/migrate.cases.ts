/** Conformance: moving running runs to a new version (issue 17, docs/decisions/0015). */
import { describe, expect, it } from 'vitest';
import type { ActivityMap } from '../../src/activities/types.js';
import { rejection, waitForHistory, type Harness, type SuiteContext } from './harness.js';

/** v1 has a typo in the thank-you message; every version keeps `reserve` (with a compensation) and `approval`. */
const V1 = `
  dsl: flowline/v1
  name: renewal-move
  version: 1
  signals: { approve: {} }
  steps:
    - id: reserve
      call: inventory.reserve
      compensate:
        call: inventory.release
        with: { by: v1 }
    - id: approval
      waitSignal: approve
    - id: thank
      call: mail.send
      with: { text: Thnaks for your order }
`;

/** The fixed message, a new step before the one the run waits in, and v2's own compensation. */
const V2 = `
  dsl: flowline/v1
  name: renewal-move
  version: 2
  migrateFrom: [1]
  signals: { approve: {} }
  steps:
    - set: { fixed: true }
    - id: reserve
      call: inventory.reserve
      compensate:
        call: inventory.release
        with: { by: v2 }
    - id: approval
      waitSignal: approve
    - id: thank
      call: mail.send
      with: { text: Thanks for your order }
`;

/** `approval` renamed: a run waiting in it cannot move. */
const V3_RENAMED = `
  dsl: flowline/v1
  name: renewal-move
  version: 3
  signals: { approve: {} }
  steps:
    - id: reserve
      call: inventory.reserve
      compensate: { call: inventory.release }
    - id: approve_order
      waitSignal: approve
`;

/** Declares it is safe only from v2. */
const V4_FROM_2 = `
  dsl: flowline/v1
  name: renewal-move
  version: 4
  migrateFrom: [2]
  signals: { approve: {} }
  steps:
    - id: reserve
      call: inventory.reserve
      compensate: { call: inventory.release }
    - id: approval
      waitSignal: approve
`;

function activities(): ActivityMap {
  return {
    'inventory.reserve': async () => ({ id: 'r1' }),
    'inventory.release': async (input) => input,
    'mail.send': async (input) => input,
  };
}

/** Deploys v1 (and the given later versions), starts a v1 run and waits until it waits for approval. */
async function waitingRun(h: Harness, ...later: string[]): Promise<string> {
  const v1 = await h.deploy(V1);
  for (const text of later) await h.deploy(text);
  const { runId } = await h.engine.start(v1.name, { version: 1 });
  await waitForHistory(h.engine, runId, (e) => e.type === 'StepCompleted' && e.stepId === 'reserve', 'reserve completed');
  return runId;
}

export function migrateCases(ctx: SuiteContext): void {
  describe('moving running runs to a new version (issue 17)', () => {
    it('a waiting run moves to v2 in one recorded transition and continues there with the fixed message', async () => {
      const h = await ctx.setup(activities());
      const runId = await waitingRun(h, V2);
      const report = await h.engine.migrate(runId, { toVersion: 2 });
      expect(report).toMatchObject({ runId, outcome: 'migrated', fromVersion: 1, toVersion: 2, allowed: true, blockers: [] });
      expect(report.moves).toContainEqual({ step: 'approval', kind: 'waitSignal', from: '/steps/1', to: '/steps/2' });
      expect((await h.engine.describe(runId)).version).toBe(2);
      const moved = (await h.engine.history(runId)).filter((e) => e.type === 'RunMigrated');
      expect(moved).toHaveLength(1);
      expect(moved[0]!.details).toEqual({ from: 1, to: 2 });
      await h.engine.signal(runId, 'approve', {});
      const result = await h.engine.result(runId, { wait: true, timeoutMs: 10_000 });
      expect(result).toMatchObject({ status: 'completed', output: { text: 'Thanks for your order' } });
      // v2's new first step lies behind the run's position: it never runs.
      expect(h.names()).toEqual(['inventory.reserve', 'mail.send']);
    });

    it('a blocked migration names the step that blocks it and changes nothing', async () => {
      const h = await ctx.setup(activities());
      const runId = await waitingRun(h, V3_RENAMED);
      const before = await h.engine.history(runId);
      const refused = (await rejection(h.engine.migrate(runId, { toVersion: 3 }))) as { type?: string; message: string; details?: { blockers: { step: string | null; reason: string }[] } };
      expect(refused.type).toBe('MigrationBlocked');
      expect(refused.message).toContain('approval');
      expect(refused.details?.blockers).toContainEqual({ step: 'approval', reason: 'the run is in this step but v3 has no step with id approval' });
      const dry = await h.engine.migrate(runId, { toVersion: 3, dryRun: true });
      expect(dry).toMatchObject({ outcome: 'blocked', allowed: false });
      expect(dry.blockers.map((b) => b.step)).toEqual(['approval']);
      expect(await h.engine.history(runId)).toEqual(before);
      expect((await h.engine.describe(runId)).version).toBe(1);
      await h.engine.terminate(runId);
    });

    it('a version that declares migrateFrom without the run\'s version refuses it; one without migrateFrom warns', async () => {
      const h = await ctx.setup(activities());
      const runId = await waitingRun(h, V2, V4_FROM_2);
      const refused = (await rejection(h.engine.migrate(runId, { toVersion: 4 }))) as { type?: string; message: string };
      expect(refused.type).toBe('MigrationBlocked');
      expect(refused.message).toContain('migrateFrom: [2]');
      const h2 = await ctx.setup(activities());
      const other = await waitingRun(h2, V2.replace('  migrateFrom: [1]\n', ''));
      const plan = await h2.engine.migrate(other, { toVersion: 2, dryRun: true });
      expect(plan.warnings).toEqual(['v2 does not declare migrateFrom; the move relies on the step check alone']);
      await h.engine.terminate(runId);
      await h2.engine.terminate(other);
    });

    it('a dry run reports the plan and changes nothing', async () => {
      const h = await ctx.setup(activities());
      const runId = await waitingRun(h, V2);
      const before = await h.engine.history(runId);
      const plan = await h.engine.migrate(runId, { toVersion: 2, dryRun: true });
      expect(plan).toMatchObject({ outcome: 'planned', allowed: true, fromVersion: 1, toVersion: 2 });
      expect(plan.moves.map((m) => m.step)).toEqual(expect.arrayContaining(['approval', 'reserve']));
      expect(await h.engine.history(runId)).toEqual(before);
      expect((await h.engine.describe(runId)).version).toBe(1);
      await h.engine.terminate(runId);
    });

    it('compensation after the move runs the target version\'s compensation', async () => {
      const h = await ctx.setup(activities());
      const runId = await waitingRun(h, V2);
      await h.engine.migrate(runId, { toVersion: 2 });
      await h.engine.cancel(runId);
      const result = await h.engine.result(runId, { wait: true, timeoutMs: 10_000 });
      expect(result.status).toBe('cancelled');
      const release = h.calls.filter((c) => c.activity === 'inventory.release');
      expect(release.map((c) => c.input)).toEqual([{ by: 'v2' }]);
    });

    it('migrateMany moves every running run of a version and reports each', async () => {
      const h = await ctx.setup(activities());
      const first = await waitingRun(h, V2);
      const { runId: second } = await h.engine.start((await h.deploy(V1)).name, { version: 1 });
      await waitForHistory(h.engine, second, (e) => e.type === 'StepCompleted' && e.stepId === 'reserve', 'reserve completed');
      const reports = await h.engine.migrateMany({ name: (await h.deploy(V1)).name, fromVersion: 1, toVersion: 2 });
      expect(reports.map((r) => [r.runId, r.outcome]).sort()).toEqual([[first, 'migrated'], [second, 'migrated']].sort());
      expect((await h.engine.describe(first)).version).toBe(2);
      expect((await h.engine.describe(second)).version).toBe(2);
      await h.engine.terminate(first);
      await h.engine.terminate(second);
    });
  });
}
