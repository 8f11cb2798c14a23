import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/build.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: two workers. Most e2e cases run the CLI in-process, so a worker keeps its modules
    // between files (isolate: false) instead of importing src/ again for every file.
    pool: 'forks',
    maxWorkers: 2,
    isolate: false,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
