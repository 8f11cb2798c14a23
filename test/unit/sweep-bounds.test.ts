// `sweep` refuses an --older-than below what a check can take (issue 20): the built-in deadline plus
// the cleanup budget. Both numbers are the check's own (config/resolve.ts, steps/check-target.ts);
// sweep keeps copies, and this holds them equal.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECK_CLEANUP_BUDGET_MS, DEFAULT_CHECK_DEADLINE_MS } from '../../src/commands/sweep.js';
import { resolveSettings } from '../../src/config/resolve.js';

describe("sweep's in-flight bound", () => {
  it("uses the check's built-in deadline", () => {
    const settings = resolveSettings({ flags: { registryUrl: 'http://127.0.0.1:1' }, env: {}, cwd: '/nonexistent-hokus-check-cwd' });
    expect(settings.check.deadlineMs).toBe(DEFAULT_CHECK_DEADLINE_MS);
  });

  it("uses the check's cleanup budget", () => {
    const source = readFileSync(new URL('../../src/steps/check-target.ts', import.meta.url), 'utf8');
    const budget = /cleanupBudgetMs:\s*([\d_]+)/.exec(source)?.[1];
    expect(Number(budget?.replaceAll('_', ''))).toBe(CHECK_CLEANUP_BUDGET_MS);
  });
});
