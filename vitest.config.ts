import { defineConfig } from 'vitest/config';

/**
 * Three projects (`npm test` runs all; `npx vitest run --project unit` while working):
 * - process: tests that spawn real processes (the CLI, workers, a second Redis) — about the process itself;
 * - redis: in-process tests against the real Redis on 127.0.0.1:6379 (each file its own key prefix);
 * - unit: everything else, in-process without Redis, in seconds.
 * A file belongs to exactly one project: unit excludes the other two lists, so a new test file
 * runs somewhere even before it is listed.
 */
const PROCESS = [
  'test/cli/bin.test.ts',
  'test/cli/run-real-time.test.ts',
  'test/cli/runaway-expression.test.ts',
  'test/cli/redis-quickstart.test.ts',
  'test/cli/redis-unavailable.test.ts',
  'test/package/exports.test.ts',
  'test/redis/faults.test.ts',
  'test/redis/redis-restart.test.ts',
  'test/redis/redis-full.test.ts',
  'test/redis/poison-run.test.ts',
  'test/redis/tls.test.ts',
  'test/cli/serve-process.test.ts',
];

const REDIS = [
  'test/redis/**/*.test.ts',
  'test/conformance/redis.test.ts',
  'test/cli/redis-verbs.test.ts',
  'test/cli/result-wait.test.ts',
  'test/cli/version.test.ts',
  'test/codec/payload-codec-redis.test.ts',
  'test/observability/dashboard.test.ts',
  'test/observability/redis-e2e.test.ts',
  'test/workflows/redis.test.ts',
  'test/server/api-redis.test.ts',
  'test/server/try-redis.test.ts',
];

/** Browser journeys of the studio: Debian's Chromium through playwright-core (`.ci/run` installs it). */
const BROWSER = ['test/browser/**/*.test.ts'];

const ALL = ['test/**/*.test.ts', 'src/**/*.test.ts'];

const shared = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  // Redis-backed suites each use their own key prefix, so files may run in parallel.
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      // Not isolated: one module graph for all unit files in a worker. A fresh graph per file cost
      // four fifths of this project's time (2 cores: one worker; measured 342 s → 74 s under load).
      // Unit files must leave no global state behind (spies restored, env and cwd put back).
      { test: { ...shared, name: 'unit', include: ALL, exclude: [...PROCESS, ...REDIS, ...BROWSER], isolate: false } },
      { test: { ...shared, name: 'redis', include: REDIS, exclude: [...PROCESS, ...BROWSER] } },
      { test: { ...shared, name: 'process', include: PROCESS } },
      // One browser at a time: two cores are shared with the other projects.
      { test: { ...shared, name: 'browser', include: BROWSER, fileParallelism: false } },
    ],
  },
});
