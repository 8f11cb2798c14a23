// Checking one target within a budget: the one path of every command that runs the check — `check`
// and `demo` (a target each, side by side: session.ts) and the exporter's probe (exporter/probe.ts).
// It owns, for that target: the HTTP client (its settings: http-settings.ts), the deadline, `--wait`'s
// polls before the check, and why the steps stopped when they did (steps/types.ts StopCause).
import type { Settings } from '../config/resolve.js';
import type { Factory } from '../factory.js';
import type { HttpOptions } from '../http/client.js';
import type { Exchange, Http } from '../http/types.js';
import { checkTarget } from '../steps/check-target.js';
import type { CheckResult, CheckState, Progress, StepId, Target } from '../steps/types.js';
import { targetHttpOptions } from './http-settings.js';
import { credentialOf, type KeyInfo } from './keys.js';
import { waitUntilReady } from './wait.js';

export interface TargetCheck {
  target: Target;
  key: KeyInfo;
  /** The check's options; `deadlineMs` is the budget of the steps (`--deadline`, a scrape's). */
  check: Settings['check'];
  /** Steps the user chose not to run (steps/selection.ts). */
  skipped: Map<StepId, string>;
  /** Ends the steps now, cleanup still runs: Ctrl-C or another signal, the exporter shutting down. */
  stop: AbortSignal;
  /** Ends cleanup too: a second Ctrl-C at a terminal, the end of a scrape's whole budget. */
  hard: AbortSignal;
  /** When `hard` fires by its own clock (performance.now() ms), if it has one: cleanup fits in it. */
  hardEndsAt?: number;
  progress: Progress;
  /** Makes the target's HTTP clients (Factory.http: tests inject theirs). */
  http: (options: HttpOptions) => Http;
  f: Pick<Factory, 'env' | 'version' | 'clock'>;
  /** The extra CA certificates, read once for every target (--ca-file). */
  ca?: Buffer;
  /** Each exchange as it finishes (--verbose). */
  onExchange?: (x: Exchange) => void;
  /** The check's state as soon as it exists: what it creates is known while it runs. */
  onState?: (state: CheckState) => void;
  /** Where `--wait` says what it sees. */
  waitLog?: (line: string) => void;
}

/** Runs `--wait` (when asked) and the check of one target, within `check.deadlineMs` from now. */
export async function checkOneTarget(run: TargetCheck): Promise<CheckResult> {
  const { target, key, check } = run;
  // A plain timer, not AbortSignal.timeout(): on Node 20 a timeout signal held only by
  // AbortSignal.any() is weakly referenced, gets garbage-collected, and the deadline never fires.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException('deadline exceeded', 'TimeoutError')), check.deadlineMs);
  const signal = AbortSignal.any([run.stop, deadline.signal]);
  // The check's own client settings (--ca-file, proxies, User-Agent, its timeouts). The budget ends a
  // request through `signal`: a request timeout cut to the budget would race it (NET_TIMEOUT one time
  // in three instead of DEADLINE_EXCEEDED).
  const options: HttpOptions = {
    ...targetHttpOptions(target, credentialOf(key), check, run.f, signal, run.ca),
    ...(run.onExchange ? { onExchange: run.onExchange } : {}),
  };
  try {
    // The wait phase's polls are not evidence of the check: they go through their own client.
    if (check.waitMs > 0) {
      const waitHttp = run.http({ ...options, retries: 0, onExchange: undefined });
      try {
        await waitUntilReady(target, waitHttp, check.waitMs, signal, run.waitLog ?? (() => undefined), run.f.clock);
      } finally {
        await waitHttp.close();
      }
    }
    const http = run.http(options);
    try {
      return await checkTarget({
        target,
        http,
        options: check,
        progress: run.progress,
        skipped: run.skipped,
        signal,
        hardSignal: run.hard,
        ...(run.hardEndsAt === undefined ? {} : { hardEndsAt: run.hardEndsAt }),
        // Whatever is not a stop is the deadline (steps/types.ts StopCause).
        abortReason: () => (run.stop.aborted ? 'interrupted' : 'deadline'),
        ...(key.key ? { keyMasked: key.key.masked() } : {}),
        keyHadWhitespace: key.hadWhitespace,
        ...(key.sent ? { credentials: key.sent } : {}),
        insecure: check.insecure,
        ...(run.onState ? { onState: run.onState } : {}),
      });
    } finally {
      await http.close();
    }
  } finally {
    clearTimeout(timer);
  }
}
