/** docs/guides/operations.md tells the truth about the metrics, environment variables and endpoints. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.js';

const ROOT = resolve(import.meta.dirname, '../..');
const guide = readFileSync(join(ROOT, 'docs/guides/operations.md'), 'utf8');

describe('the operations guide', () => {
  it('describes every metric Flowline exports, and no metric that does not exist', async () => {
    const exported = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name).sort();
    const documented = [...new Set([...guide.matchAll(/^\| `(flowline_[a-z_]+)` \|/gm)].map((m) => m[1]))].sort();
    expect(documented).toEqual(exported);
  });

  it('names every environment variable the observability code reads', () => {
    const sources = ['observability/logger.ts', 'observability/run-redactor.ts', 'codec/payload-codec.ts', 'observability/setup.ts']
      .map((f) => readFileSync(join(ROOT, 'src', f), 'utf8'))
      .concat(readFileSync(join(ROOT, 'src/cli/dashboard.ts'), 'utf8'))
      .join('\n');
    const variables = new Set([...sources.matchAll(/\b(FLOWLINE_[A-Z_]+)\b/g)].map((m) => m[1]));
    expect(variables.size).toBeGreaterThanOrEqual(7);
    for (const variable of variables) expect(guide, variable).toContain(variable);
  });

  it('documents the health endpoints the deployment files probe', () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) expect(guide).toContain(`\`GET ${path}\``);
  });
});
