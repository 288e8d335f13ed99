/** Where flow tests find real handlers, and how a module's exports become an activity map. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activitiesFor, findConventionalModule } from '../../src/flowtest/index.js';
import { flattenActivities as flattenActivityMap } from '../../src/activities/module.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('activity modules of flow tests', () => {
  it('prefers <flow>.activities.ts, then activities/index.ts next to the flow', async () => {
    expect(await findConventionalModule(resolve(ROOT, 'test/flowtest/fixtures/shop/shop.yaml'))).toBe(
      resolve(ROOT, 'test/flowtest/fixtures/shop/shop.activities.ts'),
    );
    expect(await findConventionalModule(resolve(ROOT, 'workflows/order-fulfilment.yaml'))).toBe(resolve(ROOT, 'workflows/activities/index.ts'));
    expect(await findConventionalModule(resolve(ROOT, 'test/flowtest/fixtures/broken/bad-flow.yaml'))).toBeNull();
  });

  it('calls createActivities() once per case so every case starts from fresh state', async () => {
    const source = await activitiesFor(resolve(ROOT, 'test/flowtest/fixtures/shop/shop.yaml'));
    const first = source.fresh();
    const second = source.fresh();
    expect(first['stock.reserve']).not.toBe(second['stock.reserve']);
    expect(await first['stock.reserve']?.({}, {} as never)).toEqual({ id: 'r1' });
    expect(await first['stock.reserve']?.({}, {} as never)).toEqual({ id: 'r2' });
    expect(await second['stock.reserve']?.({}, {} as never)).toEqual({ id: 'r1' });
  });

  it('uses --activities instead of the convention when given', async () => {
    const source = await activitiesFor(resolve(ROOT, 'test/flowtest/fixtures/shop/shop.yaml'), ['workflows/activities/index.ts']);
    expect(Object.keys(source.fresh())).toContain('inventory.reserve');
  });

  it('flattens nested maps to dotted names and refuses non-functions', () => {
    const handler = (): null => null;
    const map = flattenActivityMap({ inventory: { reserve: handler, release: handler }, 'mail.send': handler }, 'm.ts');
    expect(Object.keys(map).sort()).toEqual(['inventory.release', 'inventory.reserve', 'mail.send']);
    expect(Object.getPrototypeOf(map)).toBeNull();
    expect(() => flattenActivityMap({ a: { b: 42 } }, 'm.ts')).toThrow('activity "a.b" in m.ts is not a function');
  });
});
