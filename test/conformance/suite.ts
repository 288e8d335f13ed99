/**
 * The conformance suite: the behaviour of SPEC §3–§7 written against the Engine port only, so
 * every runtime runs the very same cases (embedded.test.ts, redis.test.ts).
 */
import { describe } from 'vitest';
import { childCases } from './children.cases.js';
import { continueAsNewCases } from './continue-as-new.cases.js';
import { driftCases } from './drift.cases.js';
import { expressionCases } from './expressions.cases.js';
import { heartbeatCases } from './heartbeats.cases.js';
import { suiteContext, type MakeEngine, type SuiteOptions } from './harness.js';
import { lifecycleCases } from './lifecycle.cases.js';
import { migrateCases } from './migrate.cases.js';
import { searchCases } from './search.cases.js';
import { rateLimitCases } from './rate-limits.cases.js';
import { retryCases } from './retries.cases.js';
import { sagaCases } from './saga.cases.js';
import { signalCases } from './signals.cases.js';
import { stepCases } from './steps.cases.js';
import { watchCases } from './watch.cases.js';

export type { MakeEngine, SuiteOptions } from './harness.js';

/**
 * Defines the whole suite under `describe(name)`. `makeEngine(activities)` is called once per test
 * and must return a fresh engine serving those handlers, with short timers really firing
 * (durations in the suite are at most 300 ms). Engines are closed after each test.
 */
export function defineConformanceSuite(name: string, makeEngine: MakeEngine, options: SuiteOptions = {}): void {
  describe(name, () => {
    const ctx = suiteContext(makeEngine, options);
    stepCases(ctx);
    sagaCases(ctx);
    signalCases(ctx);
    retryCases(ctx);
    heartbeatCases(ctx);
    expressionCases(ctx);
    childCases(ctx);
    lifecycleCases(ctx);
    watchCases(ctx);
    driftCases(ctx);
    migrateCases(ctx);
    searchCases(ctx);
    rateLimitCases(ctx);
    continueAsNewCases(ctx);
  });
}
