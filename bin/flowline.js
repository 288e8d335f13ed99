#!/usr/bin/env node
// Entry point for `npx flowline`. Runs the compiled CLI from dist/ when `npm install` built it
// and no source file is newer (a fresh checkout, an installed package), else the TypeScript
// sources through tsx (while developing). The compiled CLI registers tsx only when it meets a
// TypeScript activity module (src/activities/module.ts): tsx's hooks on every import cost half a
// second of start-up.
import { existsSync, readdirSync, statSync } from 'node:fs';

// A reader that closes the pipe early (`flowline --help | head`) is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/** Newest modification time (ms) of the .ts files under `dir`; 0 when there is none. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.lua')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const root = new URL('..', import.meta.url);
const compiled = new URL('dist/cli/main.js', root);
const sources = new URL('src', root);
// Compiling ~200 TypeScript files on a first run costs seconds; the build's output costs none.
const useCompiled =
  process.env.FLOWLINE_FROM_SOURCE === undefined &&
  existsSync(compiled) &&
  (!existsSync(sources) || statSync(compiled).mtimeMs >= newestSource(sources.pathname));

if (!useCompiled) (await import('tsx/esm/api')).register();
const { main } = await import(useCompiled ? compiled.href : new URL('src/cli/main.ts', root).href);
process.exitCode = await main(process.argv.slice(2));
