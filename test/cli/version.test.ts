/**
 * `flowline --version` prints the package's version, and a verb's own `--version N` belongs to the
 * verb: `flowline start NAME --version 1` used to print `0.1.0` and start nothing.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDefinition } from '../../src/definition/load.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createRedisEngine } from '../../src/runtime/redis/index.js';
import { runInProcess } from '../workflows/cli-in-process.js';
import { deletePrefix, rawClient, TEST_REDIS_URL, uniquePrefix } from '../redis/helpers.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;
const prefix = uniquePrefix('flversion');

const flow = (version: number): string => `
dsl: flowline/v1
name: versioned
version: ${version}
steps:
  - set: { v: ${version} }
output: '\${ $vars.v }'
`;

afterAll(async () => {
  const client = rawClient();
  await deletePrefix(client, prefix);
  await client.quit();
});

describe('versions on the command line', () => {
  it('flowline --version prints the package version', async () => {
    const { code, stdout } = await runInProcess(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(PACKAGE_VERSION);
  });

  it('flowline start --version N starts that version, not the latest', async () => {
    const engine = createRedisEngine({ url: TEST_REDIS_URL, prefix });
    try {
      await engine.deploy(loadDefinition(flow(1)));
      await engine.deploy(loadDefinition(flow(2)));
      const started = await runInProcess(['start', 'versioned', '--version', '1', '--id', 'v-one', '--redis', TEST_REDIS_URL, '--prefix', prefix, '--json']);
      expect(started.stderr).toBe('');
      expect(started.code).toBe(0);
      expect(JSON.parse(started.stdout)).toEqual({ runId: 'v-one' });
      expect((await engine.describe('v-one')).version).toBe(1);
      const latest = await runInProcess(['start', 'versioned', '--id', 'v-latest', '--redis', TEST_REDIS_URL, '--prefix', prefix]);
      expect(latest.code).toBe(0);
      expect((await engine.describe('v-latest')).version).toBe(2);
    } finally {
      await engine.close();
    }
  });

  it('flowline_build_info carries the package version', async () => {
    const metrics = createMetrics();
    expect(await metrics.registry.metrics()).toContain(`flowline_build_info{version="${PACKAGE_VERSION}"} 1`);
  });
});
