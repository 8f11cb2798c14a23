// Which steps the user chose not to run (--only, --skip), derived from the DAG itself: --only pulls in
// what the chosen steps depend on; --skip leaves dependents to be reported `blocked` by the runner.
import { STEPS } from './index.js';
import { STEP_IDS, type StepId } from './types.js';

export function skippedSteps(only: readonly StepId[] | undefined, skip: readonly StepId[] | undefined): Map<StepId, string> {
  const skipped = new Map<StepId, string>();
  if (only) {
    const keep = withDependencies(only);
    for (const id of STEP_IDS) if (!keep.has(id) && id !== 'cleanup') skipped.set(id, 'not in --only');
  }
  for (const id of skip ?? []) skipped.set(id, '--skip');
  return skipped;
}

/** The chosen steps and, transitively, every step they depend on (hard or soft). */
function withDependencies(ids: readonly StepId[]): Set<StepId> {
  const out = new Set<StepId>();
  const visit = (id: StepId) => {
    if (out.has(id)) return;
    out.add(id);
    const step = STEPS.find((s) => s.id === id);
    for (const dep of [...(step?.dependsOn ?? []), ...(step?.softDependsOn ?? [])]) visit(dep);
  };
  ids.forEach(visit);
  return out;
}
