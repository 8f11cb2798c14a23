// What a check has created so far, one line each: for --keep, a skipped cleanup, and a quit without
// cleanup (commands/session.ts names them with the sweep that removes them).
import type { CheckState } from './types.js';

/** What the check created and cleanup has not deleted (yet). */
export function createdSoFar(state: CheckState): string[] {
  const removed = state.removed ?? [];
  return everythingCreated(state).filter((line) => !removed.some((r) => line === r || line.startsWith(`${r} (`)));
}

function everythingCreated(state: CheckState): string[] {
  const c = state.created;
  const out: string[] = [];
  if (c.modelName) {
    for (const v of c.modelVersions) out.push(`model version ${c.modelName} v${v}`);
    out.push(`registered model ${c.modelName}${c.modelUnconfirmed ? ' (if its create reached the server)' : ''}`);
  }
  for (const d of c.artifactDirs) out.push(`artifacts ${d.path}/`);
  if (c.runId) out.push(`run ${c.runId}`);
  else if (c.runUnconfirmed) out.push(`a run tagged hokus-check.id=${state.checkId} (if its create reached the server)`);
  return out;
}
