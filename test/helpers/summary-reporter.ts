// Ends the run with one plain line, `N passed, N failed, N skipped`, that any CI log reader understands.
// In CI every test runs: a skipped one fails the run (a test that cannot run is a test that cannot fail).
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
    const ci = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
    if (ci && counts.skipped > 0) {
      process.stdout.write(`CI runs every test: ${counts.skipped} skipped (it.skip, skipIf, or a filter) fail the run\n`);
      process.exitCode = 1;
    }
  }
}
