/** `flowline serve` refusing to start, through the CLI's main() in this process (serving itself: serve-process.test.ts). */
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../workflows/cli-in-process.js';

describe('flowline serve', () => {
  it('refuses to listen beyond loopback without tokens, and says why (exit 2)', async () => {
    const outcome = await runInProcess(['serve', '--embedded', 'examples/http', '--host', '0.0.0.0', '--port', '0'], { env: { FLOWLINE_TOKENS: '' } });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/without tokens/);
    expect(outcome.stdout).toBe('');
  });

  it('refuses to start without exactly one of --redis and --embedded (exit 2)', async () => {
    const neither = await runInProcess(['serve', '--port', '0'], { env: { FLOWLINE_REDIS_URL: undefined } });
    const both = await runInProcess(['serve', '--port', '0', '--embedded', 'examples/http', '--redis', 'redis://127.0.0.1:1']);
    for (const outcome of [neither, both]) {
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain('give exactly one of --redis URL (or FLOWLINE_REDIS_URL) and --embedded DIR');
    }
  });
});
