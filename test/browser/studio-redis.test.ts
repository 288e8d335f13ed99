/**
 * The studio's journeys on the Redis runtime (real Redis, own key prefix, an in-process worker
 * with real activity handlers), with tokens: the studio asks for a token on 401; an operator
 * approves a waiting run from its signal form and sees it complete, and is shown no deploy button;
 * an operator cancels a run that booked two things and sees both undone (compensations) on the
 * run's page; an author deploys v2 after its diff and is told in plain words why a changed v1 is
 * refused. Screenshots go to docs/guides/studio/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ActivityMap } from '../../src/activities/types.js';
import { createRedisEngine, startWorker } from '../../src/runtime/redis/index.js';
import { TEST_REDIS_URL, deletePrefix, rawClient, uniquePrefix } from '../redis/helpers.js';
import { EXPENSE, openStudio, replaceText, type Studio } from './studio-harness.js';

const SHOTS = 'docs/guides/studio';
const prefix = uniquePrefix('fltest-studio');
const OPERATOR = 'operator-token-0123456789';
const AUTHOR = 'author-token-0123456789ab';

/** Books a hotel and a flight, each with its undo, then waits for the traveller's go-ahead. */
const TRIP = `dsl: flowline/v1
name: trip
version: 1
signals:
  go:
    schema: { type: object }
steps:
  - id: hotel
    call: hotel.book
    compensate:
      call: hotel.release
  - id: flight
    call: flight.book
    compensate:
      call: flight.release
  - id: go_ahead
    waitSignal: go
`;

/** What the worker's handlers were asked to do, in order (the undo must really run). */
const calls: string[] = [];
const record = (name: string, answer: unknown) => async (): Promise<unknown> => {
  calls.push(name);
  return answer;
};
const ACTIVITIES: ActivityMap = {
  'hotel.book': record('hotel.book', { booking: 'H-1' }),
  'hotel.release': record('hotel.release', { released: 'H-1' }),
  'flight.book': record('flight.book', { booking: 'F-1' }),
  'flight.release': record('flight.release', { released: 'F-1' }),
};

let studio: Studio;
let page: Page;
let close: () => Promise<void>;

beforeAll(async () => {
  const engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
  const worker = await startWorker({ url: TEST_REDIS_URL, prefix, activities: ACTIVITIES, concurrency: 5, maintenanceIntervalMs: 0 });
  close = async () => {
    await worker.close({ force: true });
    await engine.close();
  };
  studio = await openStudio(engine, engine.runtime.limits.payloadBytes, [EXPENSE, TRIP], [
    { token: OPERATOR, role: 'operator', name: 'Otto' },
    { token: AUTHOR, role: 'author', name: 'Ada' },
  ]);
  page = await studio.page();
}, 60_000);

afterAll(async () => {
  await studio?.close();
  await close?.();
  const client = rawClient();
  await deletePrefix(client, prefix);
  await client.quit();
});

/** Opens a flow in a fresh tab, answering the token dialog (the token is kept for the tab only). */
async function signIn(token: string, hash: string): Promise<Page> {
  const tab = await studio.page();
  await tab.goto(`${studio.base}/${hash}`);
  await tab.locator('#token-input').fill(token);
  await tab.locator('#token-dialog button[type=submit]').click();
  return tab;
}

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

  it('starts a run, sees it wait, cancels it after a confirmation and sees its compensations run', async () => {
    await page.goto(`${studio.base}/#/flow/trip/1`);
    await page.waitForSelector('body[data-editor-ready="true"]');
    await page.waitForSelector('svg.graph .node');
    await page.locator('#start-run').click();
    await page.locator('#run-id').fill('trip-cancel');
    await page.locator('#start-confirm').click();
    await page.waitForURL(/#\/run\/trip-cancel$/);
    // Both bookings done by the worker's handlers, then the run waits for the go-ahead.
    await page.waitForSelector('svg.graph .node.state-done[aria-label*="hotel"]');
    await page.waitForSelector('svg.graph .node.state-done[aria-label*="flight"]');
    await page.waitForSelector('svg.graph .node.state-waiting[aria-label*="go_ahead"]');
    expect(await page.locator('#run-status').innerText()).toBe('running');
    expect(calls).toEqual(['hotel.book', 'flight.book']);

    await page.locator('#cancel-run').click();
    const dialog = page.locator('dialog.modal');
    expect(await dialog.locator('#confirm-title').innerText()).toBe('Cancel run trip-cancel?');
    expect(await dialog.innerText()).toContain('undoes what it registered to undo');
    await dialog.getByLabel('Reason (optional)').fill('trip called off');
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => page.locator('#run-status').innerText(), { timeout: 15_000 }).toBe('cancelled');
    // The "asked" line gives way to what happened once the run has ended.
    await expect.poll(() => page.locator('.outcome').innerText(), { timeout: 15_000 }).toBe('Cancel: done. The run is cancelled.');

    // On the graph: both bookings undone (state and accessible label), each undo node ran.
    const graph = page.locator('.graph-pane svg.graph');
    for (const step of ['hotel', 'flight']) {
      const node = graph.locator(`.node.state-compensated[aria-label^="${step}"]`);
      await node.waitFor();
      expect(await node.getAttribute('aria-label')).toMatch(/\(compensated\)$/);
      await graph.locator(`.node.state-done[aria-label*="undo ${step}"]`).waitFor();
    }
    expect(await graph.locator('.node.state-cancelled[aria-label*="go_ahead"]').count()).toBe(1);
    // The legend beside the graph says in words what the colour of an undone step means.
    expect(await page.locator('.graph-side .state-legend').innerText()).toContain('undone (its compensation ran)');
    // The timeline tells the undos, newest booking first, as the worker ran them.
    await expect.poll(() => page.locator('#timeline li[data-type="CompensationCompleted"]').allInnerTexts(), { timeout: 15_000 }).toEqual([
      expect.stringMatching(/Undone flight/),
      expect.stringMatching(/Undone hotel/),
    ]);
    expect(await page.locator('#timeline li[data-type="CompensationStarted"]').count()).toBe(2);
    // The steps of each undo are named after the step they undo, with the activity they call.
    expect(await page.locator('#timeline li[data-type="StepScheduled"]', { hasText: 'undo flight' }).innerText()).toContain('activity flight.release');
    expect(await page.locator('#timeline li[data-type="StepCompleted"]', { hasText: 'undo hotel' }).count()).toBe(1);
    expect(calls).toEqual(['hotel.book', 'flight.book', 'flight.release', 'hotel.release']);
    // An ended run takes no signal: its signal form is gone.
    expect(await page.locator('#signals').isVisible()).toBe(false);
    await page.screenshot({ path: `${SHOTS}/run-compensated.png`, fullPage: true });
  });

  it('deploys v2 after showing the diff; a changed v1 is refused in plain words', async () => {
    const tab = await signIn(AUTHOR, '#/flow/expense/1');
    await tab.waitForSelector('body[data-editor-ready="true"]');
    expect(await tab.locator('#who').innerText()).toBe('Ada (author)');
    await tab.waitForSelector('svg.graph .node');
    const v2 = `${EXPENSE.replace('version: 1', 'version: 2')}  - id: pause\n    wait: 48h\n`;
    await replaceText(tab, v2);
    await tab.waitForSelector('svg.graph .node[aria-label*="wait 48h"]');
    await tab.locator('#deploy').click();
    await tab.waitForSelector('#deploy-diff');
    expect(await tab.locator('#deploy-diff tr.added').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('version: 2'), expect.stringContaining('wait: 48h')]));
    expect(await tab.locator('#deploy-diff tr.removed').allInnerTexts()).toEqual([expect.stringContaining('version: 1')]);
    await tab.locator('#deploy-confirm').click();
    await expect.poll(() => tab.locator('#deploy-outcome').innerText(), { timeout: 15_000 }).toBe('Deployed expense version 2.');
    await tab.keyboard.press('Escape');
    const deployed = await fetch(`${studio.base}/v1/definitions/expense/2`, { headers: { authorization: `Bearer ${AUTHOR}` } });
    expect(deployed.status).toBe(200);

    await replaceText(tab, EXPENSE.replace('id: record', 'id: keep'));
    await tab.locator('#deploy').click();
    await tab.locator('#deploy-confirm').click();
    await expect.poll(() => tab.locator('#deploy-outcome').innerText(), { timeout: 15_000 }).toMatch(/Version 1 of this flow is already deployed with different content.*Raise "version:"/);
    await tab.keyboard.press('Escape');
    await tab.close();
  });
});
