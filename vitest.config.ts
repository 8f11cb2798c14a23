import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build.ts'],
    // A hang guard, not a speed limit: generous, so a loaded machine never turns slowness into red.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores, three workers: many files mostly wait on loopback timers (slow servers, deadlines,
    // signals), so a third worker fills the cores; measured with scripts/load-test.sh (162 s under
    // load with three, 188 s with two). Most e2e cases run the CLI in-process, so a worker keeps its modules
    // between files (isolate: false) instead of importing src/ again for every file.
    pool: 'forks',
    maxWorkers: 3,
    isolate: false,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
