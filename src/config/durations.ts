// Durations as people write them: '500ms', '10s', '5m', '1h', '1h30m', '1.5s'. A bare number is seconds
// ('30' = 30 s), like `timeout 30` and `sleep 30`, because every duration in hokus-check is a human-scale wait.
import { UsageError } from './errors.js';
import { quoteSafely } from './key-guard.js';

/**
 * The longest wait hokus-check accepts: a week. Node's timers overflow past 2^31-1 ms (~24.8 days) and
 * fire at once, and the HTTP layer doubles the per-request timeout for its whole-exchange timer.
 */
export const MAX_DURATION_MS = 7 * 24 * 3_600_000;

/**
 * Milliseconds in `s`; throws UsageError with a one-line message (no flag name: the caller adds it).
 * `max`: a duration that is not a timer (sweep's --older-than) may allow more.
 */
export function parseDuration(s: string, max = MAX_DURATION_MS): number {
  const ms = parseAny(s);
  if (!(ms <= max)) throw new UsageError(`duration ${quoteSafely(s)} is too long (at most ${Math.floor(max / 3_600_000)}h)`);
  return ms;
}

function parseAny(s: string): number {
  const text = s.trim();
  if (BARE_NUMBER.test(text)) return Math.round(Number(text) * 1000);
  if (text === '' || !WHOLE.test(text)) throw new UsageError(invalid(s));
  let ms = 0;
  const seen = new Set<string>();
  for (const [, amount, unit] of text.matchAll(PART)) {
    const u = unit as keyof typeof UNIT_MS;
    // '1m1m' is almost certainly a typo, not 2 minutes.
    if (seen.has(u)) throw new UsageError(`${invalid(s)}: unit "${u}" given twice`);
    seen.add(u);
    ms += Number(amount) * UNIT_MS[u];
  }
  return Math.round(ms);
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const BARE_NUMBER = /^\d+(\.\d+)?$/;
// 'ms' must come before 'm' and 's' in the alternation so '500ms' is not read as 500m + s.
const WHOLE = /^(\d+(\.\d+)?(ms|h|m|s))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;

function invalid(s: string): string {
  return `invalid duration ${quoteSafely(s)} (expected e.g. 500ms, 10s, 5m, 1h30m; a bare number is seconds)`;
}
