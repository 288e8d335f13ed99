/**
 * The studio's journeys (issue 14) in a real Chromium against a real Flowline server on the
 * embedded runtime: the mistakes authors make shown at their lines, the live graph, deploy with
 * a diff, a run approved from its signal form, another cancelled. Screenshots go to docs/guides/studio/.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createEmbeddedEngine } from '../../src/runtime/memory/index.js';
import { EXPENSE, openStudio, replaceText, type Studio } from './studio-harness.js';

const SHOTS = 'docs/guides/studio';
let studio: Studio;
let page: Page;

beforeAll(async () => {
  const engine = createEmbeddedEngine({ activities: {} });
  const largest = readFileSync('workflows/human-approval.yaml', 'utf8');
  studio = await openStudio(engine, engine.limits.payloadBytes, [EXPENSE, largest]);
  page = await studio.page();
}, 60_000);

afterAll(async () => {
  await studio?.close();
});

async function openFlow(name: string, version: number): Promise<number> {
  await page.goto(`${studio.base}/#/flow/${name}/${version}`);
  await page.waitForSelector('body[data-editor-ready="true"]');
  await page.waitForSelector('svg.graph .node');
  return page.evaluate(() => (globalThis as unknown as { __studio: { editorReadyAt: number } }).__studio.editorReadyAt);
}

/**
 * The twelve typical mistakes of an author who is not a developer. Messages mark code with
 * backticks; the studio shows those spans as <code>, so the text read here has no backticks.
 */
const MISTAKES: readonly { what: string; text: string; line: number; says: RegExp }[] = [
  { what: 'a misspelt key', text: EXPENSE.replace('waitSignal: approve', 'waitSignl: approve'), line: 14, says: /did you mean waitSignal/ },
  { what: 'a tab', text: EXPENSE.replace('      approvedBy', '\t  approvedBy'), line: 17, says: /tab character/ },
  { what: '`wait: 5 minutes`', text: `${EXPENSE}  - id: pause\n    wait: 5 minutes\n`, line: 19, says: /not a duration/ },
  { what: 'an unknown $steps reference', text: EXPENSE.replace('steps.ask.by', 'steps.aks.by'), line: 17, says: /refers to no step.*did you mean ask/s },
  { what: 'a duplicate id', text: EXPENSE.replace('id: record', 'id: ask'), line: 15, says: /used twice/ },
  { what: 'an unquoted `: ` in an expression', text: EXPENSE.replace('${ $steps.ask.by }', '${ "by: " & $steps.ask.by }'), line: 17, says: /which YAML reads as the start of a new key.*put the expression in quotes/s },
  { what: 'an undeclared signal', text: EXPENSE.replace('waitSignal: approve', 'waitSignal: approval'), line: 14, says: /signal approval is not declared under signals:.*did you mean approve/s },
  { what: 'a missing required key (`version:`)', text: EXPENSE.replace('version: 1\n', ''), line: 1, says: /a workflow needs version:.*add a line version: 1/s },
  { what: 'a number written in words', text: EXPENSE.replace('version: 1', 'version: one'), line: 3, says: /version must be a whole number, but is the text one.*write it in digits/s },
  { what: 'a step kind from another tool (`sleep:`)', text: `${EXPENSE}  - id: pause\n    sleep: 5m\n`, line: 19, says: /unknown key sleep in a step.*to pause, write wait: 5m/s },
  { what: 'a key indented one space short', text: EXPENSE.replace('  - id: record\n    set:', '  - id: record\n   set:'), line: 16, says: /not indented like the lines around it/ },
  { what: 'a step that forgets its `call:`', text: `${EXPENSE}  - id: notify\n    with:\n      to: boss\n`, line: 18, says: /cannot tell what it does.*needs call: <activity>/s },
];

describe('the studio on the embedded runtime', () => {
  it('opens a flow: its text in the editor and its graph beside it', async () => {
    const readyMs = await openFlow('expense', 1);
    expect(await page.locator('.cm-content').innerText()).toContain('waitSignal: approve');
    expect(await page.locator('svg.graph .node').count()).toBe(4);
    expect(await page.locator('#who').innerText()).toContain('author');
    console.log(`studio: navigation to editor ready ${readyMs.toFixed(0)} ms`);
    await page.screenshot({ path: `${SHOTS}/editor.png` });
  });

  for (const mistake of MISTAKES) {
    it(`shows ${mistake.what} at its line, with the hint`, async () => {
      await openFlow('expense', 1);
      await replaceText(page, mistake.text);
      const item = page.locator('#problems li', { hasText: `Line ${mistake.line}:` });
      await item.waitFor();
      expect(await item.innerText()).toMatch(mistake.says);
      expect(await item.innerText()).not.toContain('`');
      // The editor marks the same line.
      await page.waitForSelector('.cm-lintRange-error');
      const marked = await page.locator('.cm-line:has(.cm-lintRange-error)').first().innerText();
      expect(mistake.text.split('\n')[mistake.line - 1].trim()).toContain(marked.trim().slice(0, 6));
      if (mistake.what === 'a misspelt key') await page.screenshot({ path: `${SHOTS}/mistake.png` });
    });
  }

  it('fixed, the graph follows the text and a click on a node selects its lines', async () => {
    await openFlow('expense', 1);
    await replaceText(page, `${EXPENSE}  - id: pause\n    wait: 48h\n`);
    await page.waitForSelector('svg.graph .node[aria-label*="wait 48h"]');
    expect(await page.locator('#check-status').innerText()).toBe('No mistakes found.');
    await page.locator('svg.graph .node[aria-label*="record"]').click();
    const selected = await page.evaluate(() => getSelection()?.toString() ?? '');
    expect(selected).toContain('id: record');
    expect(selected).toContain('approvedBy');
    expect(selected).not.toContain('pause');
    await page.locator('.graph-pane').screenshot({ path: `${SHOTS}/graph.png` });
  });

  it('deploys v2 after showing the diff; a changed v1 is refused in plain words', async () => {
    await openFlow('expense', 1);
    const v2 = `${EXPENSE.replace('version: 1', 'version: 2')}  - id: pause\n    wait: 48h\n`;
    await replaceText(page, v2);
    await page.locator('#deploy').click();
    await page.waitForSelector('#deploy-diff');
    expect(await page.locator('#deploy-diff tr.added').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('version: 2'), expect.stringContaining('wait: 48h')]));
    expect(await page.locator('#deploy-diff tr.removed').allInnerTexts()).toEqual([expect.stringContaining('version: 1')]);
    await page.screenshot({ path: `${SHOTS}/deploy-diff.png` });
    await page.locator('#deploy-confirm').click();
    await expect.poll(() => page.locator('#deploy-outcome').innerText()).toBe('Deployed expense version 2.');
    await page.keyboard.press('Escape');

    await replaceText(page, EXPENSE.replace('id: record', 'id: keep'));
    await page.locator('#deploy').click();
    await page.locator('#deploy-confirm').click();
    await expect.poll(() => page.locator('#deploy-outcome').innerText()).toMatch(/Version 1 of this flow is already deployed with different content.*Raise "version:"/);
    await page.keyboard.press('Escape');
  });

  it('starts a run that waits for a signal, approves it from the signal form, sees it complete', async () => {
    await openFlow('expense', 1);
    await page.locator('#start-run').click();
    await page.locator('#run-id').fill('exp-approve');
    await page.locator('#start-confirm').click();
    await page.waitForURL(/#\/run\/exp-approve$/);
    await page.waitForSelector('svg.graph .node.state-waiting[aria-label*="ask"]');
    expect(await page.locator('#run-status').innerText()).toBe('running');
    const form = page.locator('form.signal[data-signal="approve"]');
    await form.getByLabel('approved').check();
    await form.getByLabel('by').fill('ann');
    await page.screenshot({ path: `${SHOTS}/run-waiting.png` });
    await form.getByRole('button', { name: 'Send approve' }).click();
    await expect.poll(() => page.locator('#run-status').innerText(), { timeout: 10_000 }).toBe('completed');
    await page.waitForSelector('svg.graph .node.state-done[aria-label*="record"]');
    expect(await page.locator('#timeline').innerText()).toContain('Run ended');
    await page.screenshot({ path: `${SHOTS}/run.png` });
  });

  it('shows a run that started again with fresh history (continueAsNew): its generation, the earlier ones, its searchable values', async () => {
    const looper = `dsl: flowline/v1
name: looper
version: 1
signals: { stop: {} }
searchAttributes:
  pass: { type: number, value: '\${ $exists($input.pass) ? $input.pass : 0 }' }
steps:
  - id: again
    if: '\${ ($exists($input.pass) ? $input.pass : 0) < 2 }'
    continueAsNew:
      input: { pass: '\${ ($exists($input.pass) ? $input.pass : 0) + 1 }' }
  - id: hold
    waitSignal: stop
`;
    const deployed = await fetch(`${studio.base}/v1/definitions`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: looper });
    expect(deployed.status).toBe(201);
    const started = await fetch(`${studio.base}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'looper', id: 'loop-1', input: {} }) });
    expect(started.status).toBe(201);
    await page.goto(`${studio.base}/#/run/loop-1`);
    await page.waitForSelector('#run-generation');
    expect(await page.locator('#run-generation').innerText()).toBe('Generation 3: this run started again with fresh history 2 times (continueAsNew).');
    expect(await page.locator('ul.generations li').count()).toBe(2);
    expect(await page.locator('ul.generations li').first().innerText()).toMatch(/^Generation 1: started .*, started again .*, \d+ history entries \(no longer kept\)$/);
    expect(await page.locator('#run-search-attributes').innerText()).toBe('Searchable values: pass = 2');
    await fetch(`${studio.base}/v1/runs/loop-1/signals/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await expect.poll(() => page.locator('#run-status').innerText(), { timeout: 10_000 }).toBe('completed');
  });

  it('cancels another run after a confirmation', async () => {
    const started = await fetch(`${studio.base}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'expense', version: 1, id: 'exp-cancel', input: {} }) });
    expect(started.status).toBe(201);
    await page.goto(`${studio.base}/#/run/exp-cancel`);
    await page.waitForSelector('svg.graph .node.state-waiting');
    await page.locator('#cancel-run').click();
    await page.locator('dialog.modal button.danger').click();
    await expect.poll(() => page.locator('#run-status').innerText(), { timeout: 10_000 }).toBe('cancelled');
    await page.goto(`${studio.base}/#/runs?status=cancelled`);
    await page.waitForSelector('table.runs a');
    expect(await page.locator('table.runs tbody').innerText()).toContain('exp-cancel');
  });

  it('stays responsive on the largest example flow (keystroke to messages and graph)', async () => {
    await openFlow('human-approval', 1);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = await page.evaluate(() => document.body.dataset.checked ?? '');
      await page.locator('.cm-line', { hasText: 'timeout: 30d' }).click();
      await page.keyboard.press('End');
      await page.keyboard.type(i % 2 ? 'd' : 'x');
      await page.waitForFunction((b) => (document.body.dataset.checked ?? '') !== b, before);
      samples.push(await page.evaluate(() => (globalThis as unknown as { __studio: { lastUpdateMs: number } }).__studio.lastUpdateMs));
      await page.keyboard.press('Backspace');
    }
    console.log(`studio: keystroke to update on human-approval.yaml (300 ms debounce included): ${samples.map((s) => s.toFixed(0)).join(', ')} ms`);
    expect(samples.every((s) => s > 0)).toBe(true);
  });
});
