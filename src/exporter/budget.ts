// How long one probe may take, from the scrape's X-Prometheus-Scrape-Timeout-Seconds header (or the
// config's deadline when a client sends none), split into the steps' deadline and cleanup's reserve.
//
//   total  = scrape timeout − offset          (offset: --timeout-offset, else 10 % of it, ≤ 500 ms)
//   steps  = total − reserve                  (reserve: 40 % of total, ≤ 10 s — the check's cleanup budget)
//   cleanup stops hard at `total`; what it could not delete is reported (hokus_check_leftovers).
// The answer, cleanup included, so reaches Prometheus before it gives up on the scrape.
import { CLEANUP_BUDGET_MS } from '../steps/types.js';

export interface ProbeBudget {
  /** The steps' deadline (ms from the probe's start). */
  stepsMs: number;
  /** Cleanup stops here (ms from the probe's start). */
  totalMs: number;
}

const MAX_OFFSET_MS = 500;
/** Cleanup's reserve is at most the check's own cleanup budget. */
const MAX_RESERVE_MS = CLEANUP_BUDGET_MS;

/**
 * The budget for one probe. `header` is the raw header value; `deadlineMs` the environment's check
 * deadline (config/flag), which also caps a long scrape timeout. Undefined header value: no scrape
 * timeout, the deadline alone. An unparsable header is treated as absent.
 */
export function probeBudget(header: string | undefined, deadlineMs: number, offsetMs?: number): ProbeBudget {
  const seconds = header === undefined ? NaN : Number(header.trim());
  let totalMs = deadlineMs;
  if (Number.isFinite(seconds) && seconds > 0) {
    const timeoutMs = seconds * 1000;
    const offset = Math.min(offsetMs ?? Math.min(MAX_OFFSET_MS, timeoutMs / 10), timeoutMs / 2);
    totalMs = Math.min(deadlineMs, timeoutMs - offset);
  }
  const reserve = Math.min(MAX_RESERVE_MS, totalMs * 0.4);
  return { stepsMs: Math.round(totalMs - reserve), totalMs: Math.round(totalMs) };
}
