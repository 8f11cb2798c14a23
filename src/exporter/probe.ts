// One probe: the check of one environment, as `hokus-check --env NAME` runs it — the same path
// (commands/check-one.ts: HTTP client settings, steps, diagnosis) and the same report v1 — within
// the scrape's budget (budget.ts).
import type { Settings } from '../config/resolve.js';
import { checkOneTarget } from '../commands/check-one.js';
import type { KeyInfo } from '../commands/keys.js';
import { systemClock } from '../factory.js';
import { createHttp } from '../http/client.js';
import { buildReport } from '../report/build.js';
import { exitCodeFor } from '../report/exit-code.js';
import type { Report } from '../report/schema.js';
import { skippedSteps } from '../steps/selection.js';
import type { Progress } from '../steps/types.js';
import type { ProbeBudget } from './budget.js';

/** What a probe needs of one environment, resolved once at start-up. */
export interface ProbeEnvironment {
  settings: Settings;
  key: KeyInfo;
}

export interface ProbeOptions {
  version: string;
  env: Record<string, string | undefined>;
  budget: ProbeBudget;
  /** Shutdown: end the steps now (cleanup still runs, within the budget). */
  stop: AbortSignal;
}

const SILENT: Progress = { start: () => undefined, update: () => undefined, end: () => undefined };

export async function runProbe(environment: ProbeEnvironment, opts: ProbeOptions): Promise<Report> {
  const { settings, key } = environment;
  const target = settings.targets[0];
  if (!target) throw new Error('probe: the environment resolved to no target');
  const started = new Date();
  const t0 = performance.now();
  // The scrape's budget: the steps get stepsMs (the check's deadline), cleanup the rest of totalMs.
  // A plain timer, not AbortSignal.timeout(): see commands/check-one.ts (Node 20 may collect it unfired).
  const hard = new AbortController();
  const timer = setTimeout(() => hard.abort(new DOMException('scrape deadline', 'TimeoutError')), opts.budget.totalMs);
  try {
    const result = await checkOneTarget({
      target,
      key,
      check: { ...settings.check, deadlineMs: opts.budget.stepsMs, waitMs: 0 },
      skipped: skippedSteps(settings.only, settings.skip),
      stop: opts.stop,
      hard: hard.signal,
      hardEndsAt: t0 + opts.budget.totalMs,
      progress: SILENT,
      http: createHttp,
      f: { env: opts.env, version: opts.version, clock: systemClock },
    });
    return buildReport([result], {
      version: opts.version,
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      exitCode: exitCodeFor([result], false),
      interrupted: false,
    });
  } finally {
    clearTimeout(timer);
  }
}
