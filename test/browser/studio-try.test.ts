/**
 * The studio's "Try it" (issue 14, SPEC §13) in a real Chromium against a real server on the
 * embedded runtime: a flow with compensations tried with a mocked failure (the undone steps shown
 * on the graph), then its flow tests run (one passes, one fails with what differed). Screenshots go
 * to docs/guides/studio/.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { FlowTrier } from '../../src/flowtest/try-run.js';
import { createEmbeddedEngine } from '../../src/runtime/memory/index.js';
import { EXPENSE, openStudio, type Studio } from './studio-harness.js';

const SHOTS = 'docs/guides/studio';

/** An order saga: what was reserved and charged is undone, newest first, when shipping fails. */
const ORDER = `dsl: flowline/v1
name: order
version: 1
input:
  schema:
    type: object
    required: [orderId]
    properties:
      orderId: { type: string, title: Order number }
      qty: { type: integer, minimum: 1, default: 1, description: how many items }
      express: { type: boolean }
      tags: { type: array, items: { type: string } }
      speed: { enum: [standard, express], default: standard }
      deliverTo:
        type: object
        required: [city]
        properties:
          street: { type: string }
          city: { type: string }
steps:
  - id: reserve
    call: inventory.reserve
    with:
      qty: \${ $input.qty }
    compensate:
      call: inventory.release
  - id: pay
    call: payments.charge
    compensate:
      call: payments.refund
  - id: cool_off
    wait: 2d
  - id: ship
    call: shipping.create
    retry: { maxAttempts: 2, initialInterval: 1m }
output: '\${ { "order": $input.orderId, "tracking": $steps.ship.tracking } }'
`;

const TESTS = `flow: ./order.yaml
cases:
  - name: a shipping failure refunds and releases
    input: { orderId: o-1 }
    mocks:
      inventory.reserve: { output: { id: r1 } }
      payments.charge: { output: { id: c1 } }
      shipping.create: { error: { type: CarrierDown, message: no trucks } }
      payments.refund: { output: {} }
      inventory.release: { output: {} }
    expect:
      status: compensated
      calls: [inventory.reserve, payments.charge, shipping.create, shipping.create, payments.refund, inventory.release]
  - name: a shipped order has its tracking number
    input: { orderId: o-2 }
    mocks:
      inventory.reserve: { output: { id: r1 } }
      payments.charge: { output: { id: c1 } }
      shipping.create: { output: { tracking: T-1 } }
    expect:
      output: { order: o-2, tracking: T-2 }
`;

let studio: Studio;
let page: Page;
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'flowline-studio-try-'));
  await writeFile(join(folder, 'order.yaml'), ORDER);
  await writeFile(join(folder, 'order.test.yaml'), TESTS);
  const engine = createEmbeddedEngine({ activities: {} });
  studio = await openStudio(engine, engine.limits.payloadBytes, [ORDER, EXPENSE], [], { trier: new FlowTrier({ flowsDir: folder, payloadBytes: engine.limits.payloadBytes }) });
  page = await studio.page();
}, 60_000);

afterAll(async () => {
  await studio?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('Try it in the studio', () => {
  it('tries a flow with a mocked failure and shows its compensated steps on the graph', async () => {
    await page.goto(`${studio.base}/#/flow/order/1`);
    await page.waitForSelector('body[data-editor-ready="true"]');
    // Keyboard: the toolbar's "Try it" moves the focus to the panel, Enter prepares the try.
    await page.locator('#go-try').focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('try-prepare');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#try-run');

    // The input form: labels in plain words, required marked, default filled in, a list as JSON.
    const setup = page.locator('#try-setup');
    expect(await setup.getByLabel('Order number').getAttribute('required')).not.toBeNull();
    expect(await setup.locator('label', { hasText: 'Order number' }).innerText()).toContain('(required)');
    expect(await setup.getByLabel('Qty').inputValue()).toBe('1');
    expect(await setup.innerText()).toContain('Tags is a list: type it as JSON');
    expect(await setup.getByLabel('Speed').inputValue()).toBe('0');
    expect(await setup.locator('fieldset.try-group legend').innerText()).toBe('Deliver to');
    await setup.getByLabel('Speed').selectOption({ label: 'express' });
    await setup.getByLabel('City').fill('Lyon');
    await setup.getByLabel('Order number').fill('o-7');
    await setup.getByLabel('Tags (JSON)').fill('["gift"]');

    // Every activity is listed; shipping fails (every try), the others answer.
    const activities = await page.locator('fieldset.try-activity').evaluateAll((sets) => sets.map((s) => s.getAttribute('data-activity')));
    expect(activities.sort()).toEqual(['inventory.release', 'inventory.reserve', 'payments.charge', 'payments.refund', 'shipping.create']);
    const shipping = page.locator('fieldset.try-activity[data-activity="shipping.create"]');
    await shipping.getByLabel('Fail', { exact: true }).check();
    await shipping.getByLabel('Error type').fill('CarrierDown');
    await shipping.getByLabel('Message').fill('no trucks today');
    await page.locator('fieldset.try-activity[data-activity="payments.charge"]').getByLabel('Answer (JSON)').fill('{ "id": "c-9" }');

    await page.locator('#try-run').click();
    await expect.poll(() => page.locator('#try-status').innerText(), { timeout: 15_000 }).toBe('compensated');
    expect(await page.locator('#try-outcome').innerText()).toContain('CarrierDown: no trucks today');
    const graph = page.locator('#try-graph');
    await graph.locator('.node.state-compensated[aria-label*="reserve"]').waitFor();
    await graph.locator('.node.state-compensated[aria-label*="pay"]').waitFor();
    expect(await graph.locator('.node.state-failed[aria-label*="ship"]').count()).toBe(1);
    expect(await graph.locator('.node.state-done[aria-label*="undo reserve"]').count()).toBe(1);
    expect(await graph.locator('.node.state-done[aria-label*="wait 48h"]').count()).toBe(1);
    expect(await page.locator('#try .state-legend').innerText()).toContain('undone (its compensation ran)');
    // The timeline tells it in words, with the data: the retry of shipping and the two undos.
    const timeline = await page.locator('#try-timeline').innerText();
    expect(timeline).toContain('Step will be tried again');
    expect(timeline.match(/Undone/g)?.length).toBe(2);
    await page.locator('#try-timeline li[data-type="StepCompleted"]', { hasText: 'Step done pay' }).locator('summary').click();
    expect(await page.locator('#try-timeline').innerText()).toContain('"id": "c-9"');
    // The input went in as typed, nested group and choice included.
    const started = page.locator('#try-timeline li[data-type="RunStarted"]');
    await started.locator('summary', { hasText: 'input' }).click();
    expect(JSON.parse(await started.locator('pre').innerText())).toEqual({ input: { orderId: 'o-7', qty: 1, express: false, tags: ['gift'], speed: 'express', deliverTo: { city: 'Lyon' } } });
  });

  it('runs the flow\'s tests and shows each case passing or failing, with the difference', async () => {
    await page.locator('#try-tests').click();
    await expect.poll(() => page.locator('#try-tests-summary').innerText(), { timeout: 15_000 }).toBe('1 of 2 test cases passed.');
    const passed = page.locator('.try-cases li[data-case="a shipping failure refunds and releases"]');
    expect(await passed.innerText()).toContain('✓ passed');
    const failed = page.locator('.try-cases li[data-case="a shipped order has its tracking number"]');
    expect(await failed.innerText()).toContain('✗ failed');
    expect(await failed.innerText()).toContain('output.tracking: expected "T-2", got "T-1"');
    await failed.locator('summary', { hasText: 'Expected and got' }).click();
    await page.locator('#try').screenshot({ path: `${SHOTS}/try.png` });
  });

  it('comes back waiting for a signal, and sending it from its form tries the flow again to the end', async () => {
    await page.goto(`${studio.base}/#/flow/expense/1`);
    await page.waitForSelector('body[data-editor-ready="true"]');
    await page.locator('#try-prepare').click();
    await page.waitForSelector('#try-run');
    expect(await page.locator('#try-setup').innerText()).toContain('This flow calls no activities.');
    await page.locator('#try-run').click();
    await expect.poll(() => page.locator('#try-status').innerText(), { timeout: 15_000 }).toBe('waiting');
    await page.locator('#try-graph .node.state-waiting[aria-label*="ask"]').waitFor();
    const form = page.locator('form.try-signal[data-signal="approve"]');
    expect(await form.innerText()).toContain('Waiting for “approve” at step ask');
    await form.getByLabel('Approved').check();
    await form.getByLabel('By').fill('ann');
    await form.getByRole('button', { name: 'Send “approve” and try again' }).click();
    await expect.poll(() => page.locator('#try-status').innerText(), { timeout: 15_000 }).toBe('completed');
    expect(await page.locator('#try-graph .node.state-done[aria-label*="record"]').count()).toBe(1);
    expect(await page.locator('#try-outcome').innerText()).toContain('Signals sent in this try: approve.');
  });

  it('sends a signal ticked before the run as the run starts', async () => {
    await page.locator('#try-prepare').click();
    await page.waitForSelector('#try-send-approve');
    const upfront = page.locator('.try-signal-upfront[data-signal="approve"]');
    await upfront.getByLabel('Send “approve” as the run starts').check();
    await upfront.getByLabel('Approved').check();
    await upfront.getByLabel('By').fill('bo');
    await page.locator('#try-run').click();
    await expect.poll(() => page.locator('#try-status').innerText(), { timeout: 15_000 }).toBe('completed');
    expect(await page.locator('#try-outcome').innerText()).toContain('Signals sent in this try: approve.');
    const received = page.locator('#try-timeline li[data-type="SignalReceived"]');
    await received.locator('summary').click();
    expect(JSON.parse(await received.locator('pre').innerText())).toEqual({ data: { approved: true, by: 'bo' } });
  });
});
