/**
 * One studio journey on the Redis runtime (real Redis, own key prefix, an in-process worker), with
 * tokens: the studio asks for a token on 401, an operator approves a waiting run from its signal
 * form and sees it complete, and no deploy button is shown to an operator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createRedisEngine, startWorker } from '../../src/runtime/redis/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from '../redis/helpers.js';
import { EXPENSE, openStudio, type Studio } from './studio-harness.js';

const prefix = uniquePrefix('fltest-studio');
const OPERATOR = 'operator-token-0123456789';
let studio: Studio;
let page: Page;
let close: () => Promise<void>;

beforeAll(async () => {
  const engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  const worker = await startWorker({ url: TEST_REDIS_URL, prefix, activities: {}, concurrency: 5, maintenanceIntervalMs: 0 });
  close = async () => {
    await worker.close({ force: true });
    await engine.close();
  };
  studio = await openStudio(engine, engine.runtime.limits.payloadBytes, [EXPENSE], [{ token: OPERATOR, role: 'operator', name: 'Otto' }]);
  page = await studio.page();
}, 60_000);

afterAll(async () => {
  await studio?.close();
  await close?.();
  const client = rawClient();
  await deletePrefix(client, prefix);
  await client.quit();
});

describe('the studio on Redis, with tokens', () => {
  it('asks for a token, hides deploy from an operator, and approves a waiting run from its signal form', async () => {
    await page.goto(`${studio.base}/#/flow/expense/1`);
    await page.locator('#token-input').fill(OPERATOR);
    await page.locator('#token-dialog button[type=submit]').click();
    await page.waitForSelector('body[data-editor-ready="true"]');
    expect(await page.locator('#who').innerText()).toBe('Otto (operator)');
    expect(await page.locator('#deploy').count()).toBe(0);
    await page.waitForSelector('svg.graph .node');
    await page.locator('#start-run').click();
    await page.locator('#run-id').fill('exp-redis');
    await page.locator('#start-confirm').click();
    await page.waitForSelector('svg.graph .node.state-waiting[aria-label*="ask"]');
    const form = page.locator('form.signal[data-signal="approve"]');
    await form.getByLabel('approved').check();
    await form.getByLabel('by').fill('otto');
    await form.getByRole('button', { name: 'Send approve' }).click();
    await expect.poll(() => page.locator('#run-status').innerText(), { timeout: 15_000 }).toBe('completed');
    await page.waitForSelector('svg.graph .node.state-done[aria-label*="record"]');
  });
});
