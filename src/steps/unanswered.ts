// `error` means "could not be measured: nothing of the target answered" (exit 3). Once any
// component of the target has answered during the check, a step that got no usable answer — a hop
// slower than --timeout, a transfer cut mid-body, a refused or reset connection — is a failure of
// that hop (exit 1), not an unreachable target.
import type { Exchange } from '../http/types.js';
import type { StepResult } from './types.js';

/** Turns `error` steps into `fail` when the target answered something during the check. */
export function settleUnanswered(steps: StepResult[], exchanges: readonly Exchange[]): void {
  if (!exchanges.some((x) => x.response !== undefined)) return;
  for (const step of steps) {
    if (step.status !== 'error') continue;
    const own = exchanges.filter((x) => x.step === step.id && x.error !== undefined);
    // A step the user's Ctrl-C cut short, or one that never sent anything (not run, internal
    // error), was not measured: it stays `error`.
    if (own.length === 0 || own.some((x) => x.error?.code === 'HOKUS_INTERRUPTED')) continue;
    step.status = 'fail';
  }
}
