// The process exit code for a finished check (the codes are defined in src/exit-codes.ts). Usage (2)
// and internal (4) errors are decided by the CLI before or around the check; this covers what the
// check itself found.
import { EXIT } from '../exit-codes.js';
import type { CheckResult } from '../steps/types.js';

/**
 * 130 when interrupted; 1 when any step of any target failed (the deployment is broken); 3 when
 * nothing failed but something could not be measured (only `error` outcomes); else 0 (warn,
 * blocked-by-nothing and skipped steps still pass). A step is `error` only while nothing of its
 * target answered (steps/unanswered.ts): a hop that times out after others answered is a `fail`.
 * With `strict`, a warning is a failure (1).
 */
export function exitCodeFor(results: readonly CheckResult[], interrupted: boolean, opts: { strict?: boolean } = {}): number {
  if (interrupted || results.some((r) => r.interrupted)) return EXIT.interrupted;
  const statuses = results.flatMap((r) => r.steps.map((s) => s.status));
  if (statuses.includes('fail')) return EXIT.failed;
  // --strict: a warning fails the gate like a failure (it is not "could not reach").
  if (opts.strict && statuses.includes('warn')) return EXIT.failed;
  if (statuses.includes('error')) return EXIT.unreachable;
  return EXIT.ok;
}
