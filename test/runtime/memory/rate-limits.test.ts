/**
 * Rate limits on the embedded runtime (docs/decisions/0016-rate-limits.md): calls over a limit wait
 * — in virtual time with skipTimers, on the wall clock otherwise — and never fail, never retry,
 * never count as an attempt. The flow's limit and the engine option's combine (the strictest wins).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefinition } from '../../../src/definition/load.js';
import { DefinitionInvalidError, RateLimitInvalidError } from '../../../src/errors.js';
import type { HistoryEntry } from '../../../src/interpreter/types.js';
import { addRateLimitFlag, InProcessWindows, waitInWindow } from '../../../src/runtime/common/rate-limits.js';
import { SkippingClock } from '../../../src/runtime/memory/clock.js';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../../src/runtime/memory/index.js';

const limited = (limit: string): ReturnType<typeof loadDefinition> =>
  loadDefinition(`
dsl: flowline/v1
name: fan-out
version: 1
${limit}
steps:
  - id: charges
    forEach: \${ $input.customers }
    concurrency: 30
    steps:
      - call: partner.charge
        with: { customer: '\${ $item }' }
`);

const WITH_LIMIT = limited('rateLimits:\n  partner.charge: { max: 10, per: 1s }');
const WITHOUT_LIMIT = limited('');
const customers = Array.from({ length: 30 }, (_, i) => `c${i}`);

/** Start times (engine clock) of each call, by customer. */
function recorder(now: () => number): { calls: Map<string, number[]>; handler: (input: unknown) => string } {
  const calls = new Map<string, number[]>();
  return {
    calls,
    handler: (input) => {
      const customer = (input as { customer: string }).customer;
      calls.set(customer, [...(calls.get(customer) ?? []), now()]);
      return customer;
    },
  };
}

/** The most calls any window of `perMs` holds. */
function busiestWindow(starts: readonly number[], perMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  return Math.max(...sorted.map((start, i) => sorted.filter((other, j) => j >= i && other < start + perMs).length));
}

function expectNoRetryOrFailure(history: readonly HistoryEntry[]): void {
  expect(history.filter((e) => ['ActivityFailed', 'StepRetried', 'StepFailed', 'TimerStarted'].includes(e.type))).toEqual([]);
  const started = history.filter((e) => e.type === 'ActivityStarted');
  expect(started).toHaveLength(30);
  expect(started.every((e) => e.attempt === 1)).toBe(true);
  expect(history.filter((e) => e.type === 'ActivityCompleted')).toHaveLength(30);
}

describe('rate limits on the embedded runtime', () => {
  let engine: EmbeddedEngine | undefined;
  afterEach(async () => engine?.close());

  it('30 calls at max 10 per 1s take at least 2 s of virtual time with skipTimers; none fails, each runs once', async () => {
    const clock = new SkippingClock();
    const { calls, handler } = recorder(() => clock.now());
    engine = createEmbeddedEngine({ skipTimers: true, clock, activities: { 'partner.charge': handler } });
    const started = clock.now();
    const result = await engine.run(WITH_LIMIT, { input: { customers } });
    expect(result.status).toBe('completed');
    expect([...calls.values()].every((starts) => starts.length === 1)).toBe(true);
    expect(calls.size).toBe(30);
    const starts = [...calls.values()].flat();
    expect(Math.max(...starts) - started).toBeGreaterThanOrEqual(2_000);
    expect(busiestWindow(starts, 1_000)).toBeLessThanOrEqual(10);
    expectNoRetryOrFailure(await engine.history(result.runId));
  });

  it('without a limit the same calls all start at once (the limit is what made them wait)', async () => {
    const clock = new SkippingClock();
    const { calls, handler } = recorder(() => clock.now());
    engine = createEmbeddedEngine({ skipTimers: true, clock, activities: { 'partner.charge': handler } });
    const started = clock.now();
    expect((await engine.run(WITHOUT_LIMIT, { input: { customers } })).status).toBe('completed');
    expect(Math.max(...[...calls.values()].flat()) - started).toBeLessThan(1_000);
  });

  it('waits on the wall clock without skipTimers; the engine option applies to flows that declare nothing', async () => {
    const { calls, handler } = recorder(() => Date.now());
    engine = createEmbeddedEngine({ activities: { 'partner.charge': handler }, rateLimits: { 'partner.charge': { max: 10, per: '1s' } } });
    const started = Date.now();
    const result = await engine.run(WITHOUT_LIMIT, { input: { customers } });
    expect(result.status).toBe('completed');
    const starts = [...calls.values()].flat();
    expect(starts).toHaveLength(30);
    expect(Math.max(...starts) - started).toBeGreaterThanOrEqual(2_000);
    expect(busiestWindow(starts, 1_000)).toBeLessThanOrEqual(10);
    expectNoRetryOrFailure(await engine.history(result.runId));
  });

  it('the strictest of the flow limit and the option limit wins', async () => {
    const clock = new SkippingClock();
    const { calls, handler } = recorder(() => clock.now());
    engine = createEmbeddedEngine({ skipTimers: true, clock, activities: { 'partner.charge': handler }, rateLimits: { 'partner.charge': { max: 5, per: 1_000 } } });
    const started = clock.now();
    expect((await engine.run(WITH_LIMIT, { input: { customers } })).status).toBe('completed');
    const starts = [...calls.values()].flat();
    expect(busiestWindow(starts, 1_000)).toBeLessThanOrEqual(5);
    expect(Math.max(...starts) - started).toBeGreaterThanOrEqual(5_000);
  });

  it('refuses a malformed option and a malformed document limit with a clear message', () => {
    expect(() => createEmbeddedEngine({ rateLimits: { 'partner.charge': { max: 0, per: '1s' } } })).toThrow(RateLimitInvalidError);
    expect(() => createEmbeddedEngine({ rateLimits: { 'partner.charge': { max: 1, per: '1 second' } } })).toThrow(/rateLimits\['partner.charge'\]\.per/);
    expect(() => limited('rateLimits:\n  partner.charge: { max: 10, per: 2d }')).toThrow(DefinitionInvalidError);
    expect(() => limited('rateLimits:\n  partner.charge: { max: 10 }')).toThrow(/per/);
  });
});

describe('the in-process sliding window', () => {
  it('admits max calls per window and says when the oldest leaves', () => {
    const windows = new InProcessWindows();
    const window = [{ key: 'activity:a', limits: [{ max: 2, perMs: 1_000 }] }];
    expect(windows.admit(window, 0)).toBe(0);
    expect(windows.admit(window, 400)).toBe(0);
    expect(windows.admit(window, 500)).toBe(500);
    expect(windows.admit(window, 1_000)).toBe(0);
    expect(windows.admit(window, 1_100)).toBe(300);
    expect(waitInWindow([0, 400, 900], { max: 2, perMs: 1_000 }, 999)).toBe(401);
    expect(waitInWindow([0, 400, 900], { max: 3, perMs: 1_000 }, 1_000)).toBe(0);
  });
});

describe('the --rate-limit flag of flowline worker', () => {
  it('reads NAME=MAX/PER for activities and task queues, and refuses anything else', () => {
    expect(addRateLimitFlag('queue:mail=5/500ms', addRateLimitFlag('partner.charge=10/1s', {}))).toEqual({
      'partner.charge': { max: 10, per: '1s' },
      'queue:mail': { max: 5, per: '500ms' },
    });
    expect(() => addRateLimitFlag('partner.charge=10', {})).toThrow(/NAME=MAX\/PER/);
    expect(() => addRateLimitFlag('partner.charge=0/1s', {})).toThrow(RateLimitInvalidError);
    expect(() => addRateLimitFlag('partner.charge=10/soon', {})).toThrow(/per/);
  });
});
