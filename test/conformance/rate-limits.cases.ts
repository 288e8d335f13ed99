/** Conformance: rate limits in the flow document (issue 17, docs/decisions/0016-rate-limits.md). */
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './harness.js';

const LIMITED = `
  dsl: flowline/v1
  name: limited-fan-out
  version: 1
  rateLimits:
    partner.ping: { max: 3, per: 300ms }
  steps:
    - forEach: '\${ $input.items }'
      concurrency: 7
      steps:
        - call: partner.ping
          with: { item: '\${ $item }' }
`;

export function rateLimitCases(ctx: SuiteContext): void {
  describe('rate limits (issue 17)', () => {
    it('calls over the limit wait and then run once: no failure, no retry, at most max starts in any window', async () => {
      const h = await ctx.setup({ 'partner.ping': (input) => input });
      const result = await h.run(LIMITED, { input: { items: [1, 2, 3, 4, 5, 6, 7] } });
      expect(result.status).toBe('completed');
      expect(h.calls.map((c) => c.attempt)).toEqual([1, 1, 1, 1, 1, 1, 1]);
      const history = await h.engine.history(result.runId);
      expect(history.filter((e) => ['ActivityFailed', 'StepRetried', 'StepFailed', 'TimerStarted'].includes(e.type))).toEqual([]);
      // When each attempt really started (engine time: virtual with skipTimers, the wall clock otherwise).
      const starts = history.filter((e) => e.type === 'ActivityStarted').map((e) => e.at).sort((a, b) => a - b);
      expect(starts).toHaveLength(7);
      expect(starts[6]! - starts[0]!).toBeGreaterThanOrEqual(550);
      // Redis counts on its own clock: allow a few ms of difference at the window's edge.
      for (let i = 3; i < starts.length; i++) expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(280);
    });
  });
}
