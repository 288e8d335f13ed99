import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Redis-backed suites each use their own key prefix, so files may run in parallel.
    pool: 'forks',
    reporters: ['default'],
  },
});
