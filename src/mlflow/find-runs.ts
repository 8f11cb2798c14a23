// Runs of one check, found by its tag: for a runs/create whose answer never came.
import type { MlflowApi } from './client.js';
import { filterString } from './filter-string.js';
import { SearchRuns } from './schemas.js';
import { CHECK_TAG } from './naming.js';

export async function findRunsByCheckId(
  api: MlflowApi,
  experimentId: string,
  checkId: string,
): Promise<{ ok: true; runIds: string[] } | { ok: false; reason: string }> {
  const r = await api.call(
    {
      step: 'cleanup',
      label: 'runs/search',
      method: 'POST',
      endpoint: 'runs/search',
      json: { experiment_ids: [experimentId], filter: `tags.\`${CHECK_TAG}\` = ${filterString(checkId)}`, max_results: 10, run_view_type: 'ACTIVE_ONLY' },
    },
    SearchRuns,
  );
  if (!r.ok) return { ok: false, reason: r.reason };
  // The filter is the server's; the tag is checked again here, so nothing else is ever deleted.
  const runIds = (r.data.runs ?? [])
    .filter((run) => run.data?.tags?.some((t) => t.key === CHECK_TAG && t.value === checkId))
    .map((run) => run.info.run_id);
  return { ok: true, runIds };
}
