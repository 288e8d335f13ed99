/**
 * What the studio's browser tests share: the built studio, a real Flowline server (in-process, port 0)
 * over a given engine, and Debian's Chromium driven by playwright-core (never `playwright install`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { loadDefinition } from '../../src/definition/load.js';
import type { Engine } from '../../src/runtime/engine.js';
import { createServer, type ServerOptions } from '../../src/server/app.js';
import type { ApiToken } from '../../src/server/auth.js';
import { findStudio } from '../../src/cli/serve-command.js';

export const CHROMIUM = '/usr/bin/chromium';

/** The flow of the journeys: waits for an approval, then records who approved. */
export const EXPENSE = `dsl: flowline/v1
name: expense
version: 1
signals:
  approve:
    schema:
      type: object
      required: [approved, by]
      properties:
        approved: { type: boolean }
        by: { type: string }
steps:
  - id: ask
    waitSignal: approve
  - id: record
    set:
      approvedBy: \${ $steps.ask.by }
`;

/** The built studio (built here when missing, as `npm run build` does). */
export function studioDir(): string {
  if (!findStudio()) execFileSync('npx', ['vite', 'build', '--config', 'studio/vite.config.ts'], { stdio: 'inherit' });
  const dir = findStudio();
  if (!dir) throw new Error('the studio could not be built');
  return dir;
}

export interface Studio {
  readonly base: string;
  readonly browser: Browser;
  readonly app: FastifyInstance;
  page(): Promise<Page>;
  close(): Promise<void>;
}

export async function openStudio(engine: Engine, payloadLimitBytes: number, flows: readonly string[] = [EXPENSE], tokens: readonly ApiToken[] = [], more: Partial<ServerOptions> = {}): Promise<Studio> {
  for (const text of flows) await engine.deploy(loadDefinition(text), { source: text });
  const app = await createServer({ engine, payloadLimitBytes, tokens, studioDir: studioDir(), heartbeatMs: 1000, ...more });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  return {
    base: `http://127.0.0.1:${address.port}`,
    browser,
    app,
    page: () => context.newPage(),
    close: async () => {
      await browser.close();
      await app.close();
    },
  };
}

/** Replaces the editor's whole text as a person would (select all, then type/paste). */
export async function replaceText(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}
