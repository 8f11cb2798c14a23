// `sweep` refuses an --older-than below what a check can take: the built-in deadline plus the cleanup
// budget. Sweep, the check and the exporter read both from their one owner (config/defaults.ts
// DEFAULTS.deadline, steps/types.ts CLEANUP_BUDGET_MS); this holds each of them to it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { parseDuration } from '../../src/config/durations.js';
import { resolveSettings } from '../../src/config/resolve.js';

const source = (file: string) => readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');

describe("sweep's in-flight bound", () => {
  it("uses the check's built-in deadline", () => {
    const settings = resolveSettings({ flags: { registryUrl: 'http://127.0.0.1:1' }, env: {}, cwd: '/nonexistent-hokus-check-cwd' });
    expect(settings.check.deadlineMs).toBe(parseDuration(DEFAULTS.deadline));
    expect(source('commands/sweep.ts')).toMatch(/parseDuration\(DEFAULTS\.deadline\)/);
  });

  it("uses the check's cleanup budget, as the check and the exporter's scrape budget do", () => {
    expect(source('steps/check-target.ts')).toMatch(/cleanupBudgetMs:\s*CLEANUP_BUDGET_MS\b/);
    for (const file of ['commands/sweep.ts', 'exporter/budget.ts'])
      expect(source(file), file).toMatch(/import \{[^}]*\bCLEANUP_BUDGET_MS\b[^}]*\} from '\.\.\/steps\/types\.js'/);
  });
});
