/**
 * The studio's editor help in a real Chromium against a real Flowline server (embedded runtime):
 * completion and hover from the published schema, the step palette and its forms, and the page
 * at 200% zoom (reflowed, every control reachable with Tab). Screenshots go to docs/guides/studio/.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createEmbeddedEngine } from '../../src/runtime/memory/index.js';
import { EXPENSE, openStudio, type Studio } from './studio-harness.js';

const SHOTS = 'docs/guides/studio';
/** The journeys' flow with comments an author wrote: they must survive the palette. */
const COMMENTED = EXPENSE.replace('name: expense', 'name: expense-notes   # owned by finance').replace('steps:\n', 'steps:\n  # a manager decides first\n');
let studio: Studio;
let page: Page;

beforeAll(async () => {
  const engine = createEmbeddedEngine({ activities: {} });
  studio = await openStudio(engine, engine.limits.payloadBytes, [EXPENSE, COMMENTED, readFileSync('workflows/human-approval.yaml', 'utf8')]);
  page = await studio.page();
}, 60_000);

afterAll(async () => {
  await studio?.close();
});

async function openFlow(name: string): Promise<void> {
  await page.goto(`${studio.base}/#/flow/${name}/1`);
  await page.waitForSelector('body[data-editor-ready="true"]');
  await page.waitForSelector('svg.graph .node');
}

async function editorText(): Promise<string> {
  return page.evaluate(() => [...document.querySelectorAll('.cm-content .cm-line')].map((line) => line.textContent ?? '').join('\n'));
}

/** Puts the cursor at the end of the editor line holding `text`. */
async function cursorAtEndOf(text: string): Promise<void> {
  await page.locator('.cm-line', { hasText: text }).first().click();
  await page.keyboard.press('End');
}

/** Moves the pointer over the first occurrence of `word` in the editor. */
async function hoverWord(word: string): Promise<void> {
  const box = await page.evaluate((w) => {
    for (const line of document.querySelectorAll('.cm-content .cm-line')) {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent?.indexOf(w) ?? -1;
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at + 1);
        range.setEnd(node, at + 3);
        const rect = range.getBoundingClientRect();
        return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
      }
    }
    return null;
  }, word);
  if (!box) throw new Error(`no ${word} in the editor`);
  await page.mouse.move(box.x, box.y);
}

/** Types one key and answers the time until the completion list shows, measured in the page. */
async function timedKeystroke(key: string): Promise<number> {
  await page.evaluate(() => {
    const timing: { down?: number; shown?: number } = {};
    (globalThis as unknown as { __completion: typeof timing }).__completion = timing;
    document.addEventListener('keydown', () => (timing.down = performance.now()), { capture: true, once: true });
    new MutationObserver((_m, observer) => {
      if (document.querySelector('.cm-tooltip-autocomplete li')) {
        timing.shown = performance.now();
        observer.disconnect();
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.keyboard.type(key);
  await page.waitForFunction(() => (globalThis as unknown as { __completion: { shown?: number } }).__completion.shown !== undefined);
  return page.evaluate(() => {
    const timing = (globalThis as unknown as { __completion: { down: number; shown: number } }).__completion;
    return timing.shown - timing.down;
  });
}

/**
 * CodeMirror ignores Enter for 75 ms after the list opens or changes (its `interactionDelay`, against
 * accepting by accident): wait until the list has been shown that long.
 */
async function acceptable(): Promise<void> {
  await page.evaluate(() => {
    const stamp = (globalThis as unknown as { __listAt: { at: number } }).__listAt ?? { at: performance.now() };
    (globalThis as unknown as { __listAt: typeof stamp }).__listAt = stamp;
    stamp.at = performance.now();
    new MutationObserver(() => (stamp.at = performance.now())).observe(document.querySelector('.cm-tooltip-autocomplete') as Element, { childList: true, subtree: true, attributes: true });
  });
  await page.waitForFunction(() => performance.now() - (globalThis as unknown as { __listAt: { at: number } }).__listAt.at > 120);
}

describe('completion and hover from the published schema', () => {
  it('completes the keys of the step the cursor is in, with their descriptions, and accepts one', async () => {
    await openFlow('expense');
    await cursorAtEndOf('waitSignal: approve');
    await page.keyboard.press('Enter');
    // Keystroke to completion list, measured in the page (CodeMirror waits 100 ms after typing by design).
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push(await timedKeystroke('t'));
      await page.keyboard.press('Escape');
      await page.keyboard.press('Backspace');
    }
    console.log(`studio: keystroke to completion list ${samples.map((s) => s.toFixed(0)).join(', ')} ms (CodeMirror's 100 ms typing delay included)`);
    await page.keyboard.type('ti');
    const list = page.locator('.cm-tooltip-autocomplete');
    await list.waitFor();
    const labels = await list.locator('li .cm-completionLabel').allInnerTexts();
    expect(labels).toContain('timeout');
    // A waitSignal step: its own keys and the common ones, not another kind's.
    expect(labels).not.toContain('heartbeatTimeout');
    expect(labels).not.toContain('completion');
    await expect.poll(() => page.locator('.cm-completionInfo').innerText()).toMatch(/Time bound/);
    await acceptable();
    await page.screenshot({ path: `${SHOTS}/completion.png` });
    await page.keyboard.press('Enter');
    await page.keyboard.type('72h');
    expect(await editorText()).toContain('    waitSignal: approve\n    timeout: 72h\n  - id: record');

    // Values: the signals the flow declares.
    await cursorAtEndOf('waitSignal: approve');
    for (let i = 0; i < 'approve'.length; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('ap');
    await page.locator('.cm-tooltip-autocomplete li', { hasText: 'approve' }).waitFor();
    expect(await page.locator('.cm-tooltip-autocomplete .cm-completionDetail').first().innerText()).toBe('declared signal');
    await acceptable();
    await page.keyboard.press('Enter');
    expect(await editorText()).toContain('    waitSignal: approve\n');
    await page.waitForFunction(() => document.getElementById('check-status')?.textContent === 'No mistakes found.');
  });

  it('stays quick on the largest example flow: a call step deep in the document gets its own keys', async () => {
    await openFlow('human-approval');
    // CodeMirror draws only the lines in view: go to the end first, where the last step is.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await cursorAtEndOf('call: approvals.close');
    await page.keyboard.press('Enter');
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push(await timedKeystroke('h'));
      await page.keyboard.press('Escape');
      await page.keyboard.press('Backspace');
    }
    console.log(`studio: keystroke to completion list on human-approval.yaml ${samples.map((s) => s.toFixed(0)).join(', ')} ms (100 ms typing delay included)`);
    await page.keyboard.type('heart');
    await expect.poll(() => page.locator('.cm-tooltip-autocomplete li .cm-completionLabel').allInnerTexts()).toEqual(['heartbeatTimeout']);
  });

  it('hovering a key shows its documentation in plain words, code as code', async () => {
    await openFlow('expense');
    await hoverWord('waitSignal');
    const help = page.locator('.cm-tooltip-hover .key-help');
    await help.waitFor();
    expect(await help.innerText()).toMatch(/waitSignal — waitSignal step[\s\S]*Waits/);
    expect(await help.locator('code').count()).toBeGreaterThan(0);
    expect(await help.innerText()).not.toContain('`');
    await page.screenshot({ path: `${SHOTS}/hover.png` });
    await hoverWord('signals');
    await expect.poll(() => page.locator('.cm-tooltip-hover .key-help').innerText()).toMatch(/^signals \(map\)[\s\S]*Every signal the flow may receive/);
  });
});

describe('the step palette', () => {
  it('adds a wait step after the step the cursor is in; the author’s comments stay as written', async () => {
    await openFlow('expense-notes');
    const before = await editorText();
    await cursorAtEndOf('waitSignal: approve');
    await page.locator('#add-step').click();
    const palette = page.locator('#palette');
    await palette.waitFor();
    const kinds = await palette.locator('button.kind').allInnerTexts();
    expect(kinds).toEqual(expect.arrayContaining(['call', 'parallel', 'forEach', 'switch', 'wait', 'waitSignal', 'set', 'try']));
    expect(await palette.innerText()).toContain('It goes after the step “ask”');
    await palette.locator('button.kind[data-kind="wait"]').click();
    await palette.getByLabel('How long to wait').fill('5 minutes');
    await page.screenshot({ path: `${SHOTS}/palette.png` });
    await palette.locator('#palette-submit').click();
    expect(await palette.locator('#palette-error').innerText()).toMatch(/not a duration.*48h/);
    await palette.getByLabel('How long to wait').fill('48h');
    await palette.locator('#palette-submit').click();
    await palette.waitFor({ state: 'detached' });
    const after = await editorText();
    const inserted = '  - id: wait_1\n    wait: 48h\n';
    expect(after).toContain(`    waitSignal: approve\n${inserted}  - id: record`);
    expect(after.replace(inserted, '')).toBe(before);
    expect(after).toContain('# owned by finance');
    await page.waitForSelector('svg.graph .node[aria-label*="wait 48h"]');
    expect(await page.locator('#check-status').innerText()).toBe('No mistakes found.');
  });

  it('adds a call step with its input at the end of the flow when the cursor is in no step', async () => {
    await openFlow('expense');
    await cursorAtEndOf('version: 1');
    await page.locator('#add-step').click();
    await page.locator('button.kind[data-kind="call"]').click();
    const palette = page.locator('#palette');
    await palette.getByLabel('Activity to run').fill('email.send');
    await palette.getByLabel('Input for the activity').fill('to: boss@example.com\nsubject: "Expense: approved"');
    await palette.locator('summary').click();
    await palette.getByLabel('Time limit').fill('30s');
    await palette.locator('#palette-submit').click();
    await palette.waitFor({ state: 'detached' });
    expect(await editorText()).toContain("approvedBy: ${ $steps.ask.by }\n  - id: call_1\n    call: email.send\n    with:\n      to: boss@example.com\n      subject: \"Expense: approved\"\n    timeout: 30s");
    await page.waitForSelector('svg.graph .node[aria-label*="email.send"]');
  });

  it('edits the step the cursor is in with the same form', async () => {
    await openFlow('expense');
    await cursorAtEndOf('waitSignal: approve');
    await page.locator('#edit-step').click();
    const palette = page.locator('#palette');
    expect(await palette.getByLabel('Signal to wait for').inputValue()).toBe('approve');
    await palette.locator('summary').click();
    await palette.getByLabel('Time limit').fill('72h');
    await palette.locator('#palette-submit').click();
    await palette.waitFor({ state: 'detached' });
    expect(await editorText()).toContain('  - id: ask\n    waitSignal: approve\n    timeout: 72h\n  - id: record');

    // A step chosen on the graph: its lines are selected, and the form is that step's.
    await page.locator('svg.graph .node[aria-label*="record"]').click();
    await page.locator('#edit-step').click();
    expect(await palette.locator('h2').innerText()).toBe('Edit the step set step');
    expect(await palette.getByLabel('Values to set').inputValue()).toBe('approvedBy: ${ $steps.ask.by }');
    await palette.getByLabel('Label').fill('who approved');
    await palette.locator('#palette-submit').click();
    await palette.waitFor({ state: 'detached' });
    expect(await editorText()).toContain('  - id: record\n    set:\n      approvedBy: ${ $steps.ask.by }\n    name: who approved');
  });
});

describe('the runs list', () => {
  it('filters runs by when they started: in the last hour, or between two instants', async () => {
    const started = await fetch(`${studio.base}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'expense', version: 1, id: 'timed-1', input: {} }) });
    expect(started.status).toBe(201);
    await page.goto(`${studio.base}/#/runs?started=1h`);
    const rows = page.locator('table.runs tbody');
    await expect.poll(() => rows.innerText()).toContain('timed-1');
    expect(await page.locator('#filter-started').inputValue()).toBe('1h');
    // datetime-local fields hold the reader's local time, as the browser shows it.
    const local = (ms: number): string => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await page.locator('#filter-started').selectOption('between');
    await page.locator('#filter-from').fill(local(Date.now() - 2 * 86_400_000));
    await page.locator('#filter-to').fill(local(Date.now() - 86_400_000));
    await expect.poll(() => rows.innerText()).toBe('No run matches.');
    await page.locator('#filter-to').fill(local(Date.now() + 86_400_000));
    await expect.poll(() => rows.innerText()).toContain('timed-1');
    expect(page.url()).toMatch(/started=between&from=.*&to=/);
    await fetch(`${studio.base}/v1/runs/timed-1/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  });
});

describe('readable at 200% zoom', () => {
  it('at 640×400 CSS px and 2 device pixels per px: no sideways scrolling, and Tab reaches the editor, the palette and deploy', async () => {
    const context = await studio.browser.newContext({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    const zoomed = await context.newPage();
    try {
      await zoomed.goto(`${studio.base}/#/flow/expense/1`);
      await zoomed.waitForSelector('body[data-editor-ready="true"]');
      await zoomed.waitForSelector('svg.graph .node');
      const overflow = await zoomed.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const reached: string[] = [];
      for (let i = 0; i < 40 && !reached.includes('editor'); i++) {
        await zoomed.keyboard.press('Tab');
        reached.push(
          await zoomed.evaluate(() => {
            const element = document.activeElement as HTMLElement | null;
            if (!element) return '';
            if (element.classList.contains('cm-content')) return 'editor';
            return element.id || element.textContent?.trim().slice(0, 20) || element.tagName;
          }),
        );
      }
      expect(reached).toEqual(expect.arrayContaining(['add-step', 'edit-step', 'deploy', 'start-run', 'editor']));
      expect(reached.indexOf('add-step')).toBeLessThan(reached.indexOf('editor'));
      for (const id of ['add-step', 'deploy']) {
        const box = await zoomed.locator(`#${id}`).boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= 640, `#${id} inside the page's width`).toBe(true);
      }
      await zoomed.screenshot({ path: `${SHOTS}/zoom-200.png` });
      // The palette is usable with the keyboard too: Enter opens it, the first kind has the focus.
      await zoomed.locator('#add-step').focus();
      await zoomed.keyboard.press('Enter');
      await zoomed.waitForSelector('#palette');
      expect(await zoomed.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kind)).toBe('call');
      expect(await zoomed.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      await zoomed.keyboard.press('Escape');
      // The other pages reflow too.
      for (const [hash, ready] of [['#/flows', '.flow-list li'], ['#/runs', 'table.runs tbody tr']] as const) {
        await zoomed.goto(`${studio.base}/${hash}`);
        await zoomed.waitForSelector(ready);
        expect(await zoomed.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), hash).toBeLessThanOrEqual(0);
      }
    } finally {
      await context.close();
    }
  });
});
