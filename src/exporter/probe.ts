// One probe: the check of one environment, as `hokus-check --env NAME` runs it (same HTTP client
// settings, same steps, same diagnosis, same report v1), within the scrape's budget (budget.ts).
import type { Settings } from '../config/resolve.js';
import { targetHttpOptions } from '../commands/http-settings.js';
import { credentialOf, type KeyInfo } from '../commands/keys.js';
import { createHttp } from '../http/client.js';
import { buildReport } from '../report/build.js';
import { exitCodeFor } from '../report/exit-code.js';
import type { Report } from '../report/schema.js';
import { checkTarget } from '../steps/check-target.js';
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
  const check = { ...settings.check, deadlineMs: opts.budget.stepsMs };
  const started = new Date();
  const t0 = performance.now();

  // Plain timers, not AbortSignal.timeout(): see commands/session.ts (Node 20 may collect it unfired).
  const deadline = new AbortController();
  const hard = new AbortController();
  const timers = [
    setTimeout(() => deadline.abort(new DOMException('scrape deadline', 'TimeoutError')), opts.budget.stepsMs),
    setTimeout(() => hard.abort(new DOMException('scrape deadline', 'TimeoutError')), opts.budget.totalMs),
  ];
  const signal = AbortSignal.any([deadline.signal, opts.stop]);
  // The check's own client settings (--ca-file, proxies, User-Agent), within the scrape's budget.
  const http = createHttp({
    ...targetHttpOptions(target, credentialOf(key), check, opts, signal),
    timeoutMs: Math.min(check.timeoutMs, opts.budget.stepsMs),
    connectTimeoutMs: Math.min(check.connectTimeoutMs, opts.budget.stepsMs),
  });
  try {
    const result = await checkTarget({
      target,
      http,
      options: check,
      progress: SILENT,
      skipped: skippedSteps(settings.only, settings.skip),
      signal,
      hardSignal: hard.signal,
      hardEndsAt: t0 + opts.budget.totalMs,
      // The scrape's budget is the check's deadline; a shutdown interrupts it (steps/types.ts StopCause).
      abortReason: () => (opts.stop.aborted ? 'interrupted' : 'deadline'),
      ...(key.key ? { keyMasked: key.key.masked() } : {}),
      keyHadWhitespace: key.hadWhitespace,
      ...(key.sent ? { credentials: key.sent } : {}),
      insecure: check.insecure,
    });
    return buildReport([result], {
      version: opts.version,
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      exitCode: exitCodeFor([result], false),
      interrupted: false,
    });
  } finally {
    for (const t of timers) clearTimeout(t);
    await http.close();
  }
}
