/** Conformance: search attributes and `list` by them (issue 17, docs/decisions/0015). */
import { describe, expect, it } from 'vitest';
import { waitUntil, type SuiteContext } from './harness.js';

const ORDER = `
  dsl: flowline/v1
  name: searchable
  version: 1
  signals: { priced: { schema: { type: object, required: [total], properties: { total: { type: number } } } } }
  searchAttributes:
    customer: { type: keyword, value: '\${ $input.customer }' }
    total: { type: number, value: '\${ $vars.total }' }
    renewsAt: { type: time, value: '\${ $input.renewsAt }' }
  steps:
    - id: price
      waitSignal: priced
      assign: { total: '\${ $output.total }' }
    - id: hold
      waitSignal: priced
`;

const where = (...conditions: string[]) => conditions;

export function searchCases(ctx: SuiteContext): void {
  describe('search attributes (issue 17)', () => {
    it('are evaluated at the start and when their inputs change; list filters by keyword, number and time', async () => {
      const h = await ctx.setup({});
      const definition = await h.deploy(ORDER);
      const start = async (customer: string, renewsAt: string) => (await h.engine.start(definition.name, { input: { customer, renewsAt } })).runId;
      const ann150 = await start('ann', '2027-01-15T00:00:00Z');
      const ann50 = await start('ann', '2027-03-01T00:00:00Z');
      const bob200 = await start('bob', '2026-12-01T00:00:00Z');
      const ids = async (...conditions: string[]) => (await h.engine.list({ name: definition.name, where: where(...conditions) })).map((r) => r.runId).sort();
      expect(await ids('customer=ann')).toEqual([ann150, ann50].sort());
      // No total yet: the attribute is unset and matches no comparison.
      expect(await ids('total>0')).toEqual([]);
      expect((await h.engine.describe(ann150)).searchAttributes).toEqual({ customer: 'ann', total: null, renewsAt: '2027-01-15T00:00:00.000Z' });
      await h.engine.signal(ann150, 'priced', { total: 150 });
      await h.engine.signal(ann50, 'priced', { total: 50 });
      await h.engine.signal(bob200, 'priced', { total: 200 });
      await waitUntil(async () => (await ids('total>0')).length === 3, 'every total is set');
      expect(await ids('customer=ann', 'total>100')).toEqual([ann150]);
      expect(await ids('total>=150')).toEqual([ann150, bob200].sort());
      expect(await ids('total<=50')).toEqual([ann50]);
      expect(await ids('total=200')).toEqual([bob200]);
      expect(await ids('customer!=ann')).toEqual([bob200]);
      expect(await ids('renewsAt<2027-02-01')).toEqual([ann150, bob200].sort());
      expect(await ids('renewsAt>=2027-01-15T00:00:00Z', 'customer=ann')).toEqual([ann150, ann50].sort());
      expect(await ids('customer=cy')).toEqual([]);
      const listed = await h.engine.list({ where: where('customer=bob') });
      expect(listed).toEqual([expect.objectContaining({ runId: bob200, searchAttributes: { customer: 'bob', total: 200, renewsAt: '2026-12-01T00:00:00.000Z' } })]);
      for (const id of [ann150, ann50, bob200]) await h.engine.terminate(id);
      // Ended runs keep their attributes and are still found.
      expect(await ids('customer=ann', 'total<100')).toEqual([ann50]);
    });

    it('follow a run that continues as new: each generation’s values are indexed, the old ones are gone', async () => {
      const h = await ctx.setup({});
      const definition = await h.deploy(`
        dsl: flowline/v1
        name: searchable-loop
        version: 1
        signals: { stop: {} }
        searchAttributes:
          pass: { type: number, value: '\${ $exists($input.pass) ? $input.pass : 0 }' }
          phase: { type: keyword, value: '\${ $exists($input.pass) and $input.pass >= 2 ? "last" : "looping" }' }
        steps:
          - id: again
            if: '\${ ($exists($input.pass) ? $input.pass : 0) < 2 }'
            continueAsNew:
              input: { pass: '\${ ($exists($input.pass) ? $input.pass : 0) + 1 }' }
          - id: hold
            waitSignal: stop
      `);
      const { runId } = await h.engine.start(definition.name, { input: {} });
      await waitUntil(async () => (await h.engine.describe(runId)).generation === 3, 'the run is in its third generation');
      const ids = async (...conditions: string[]) => (await h.engine.list({ name: definition.name, where: conditions })).map((r) => r.runId);
      expect(await ids('pass=2', 'phase=last')).toEqual([runId]);
      expect(await ids('pass<2')).toEqual([]);
      expect(await ids('phase=looping')).toEqual([]);
      expect((await h.engine.describe(runId)).searchAttributes).toEqual({ pass: 2, phase: 'last' });
      await h.engine.signal(runId, 'stop');
      expect(await h.engine.result(runId, { wait: true, timeoutMs: 10_000 })).toMatchObject({ status: 'completed' });
    });

    it('a value of the wrong type leaves the attribute unset and never fails the run', async () => {
      const h = await ctx.setup({});
      const definition = await h.deploy(ORDER.replace('name: searchable', 'name: searchable-odd'));
      const { runId } = await h.engine.start(definition.name, { input: { customer: { not: 'text' }, renewsAt: 'soon' } });
      await h.engine.signal(runId, 'priced', { total: 5 });
      await waitUntil(async () => (await h.engine.describe(runId)).searchAttributes?.total === 5, 'the total is set');
      expect((await h.engine.describe(runId))).toMatchObject({ status: 'running', searchAttributes: { customer: null, total: 5, renewsAt: null } });
      await h.engine.terminate(runId);
    });
  });
}
