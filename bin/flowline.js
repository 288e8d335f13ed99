#!/usr/bin/env node
// Entry point for `npx flowline`: runs the TypeScript CLI through tsx, which also lets
// `--activities` load TypeScript modules without a build step.
import { register } from 'tsx/esm/api';

// A reader that closes the pipe early (`flowline --help | head`) is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
