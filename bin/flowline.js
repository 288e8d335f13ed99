#!/usr/bin/env node
// Entry point for `npx flowline`: runs the TypeScript CLI through tsx, which also lets
// `--activities` load TypeScript modules without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
