import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build.ts'],
    // A hang guard, not a speed limit: generous, so a loaded machine never turns slowness into red.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: two workers. Most e2e cases run the CLI in-process, so a worker keeps its modules
    // between files (isolate: false) instead of importing src/ again for every file.
    pool: 'forks',
    maxWorkers: 3,
    isolate: false,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
