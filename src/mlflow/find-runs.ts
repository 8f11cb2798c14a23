// Runs of one check, found by its tag: for a runs/create whose answer never came. And the runs/search
// pages `sweep` reads (active or deleted runs of an experiment).
import type { z } from 'zod';
import type { MlflowApi } from './client.js';
import { filterString } from './filter-string.js';
import { type Run, SearchRuns } from './schemas.js';
import { CHECK_TAG } from './naming.js';
import { ENDPOINT } from './endpoints.js';

/** The runs tagged with `checkId` in `experimentId`; the calls are made for `step` (the caller's). */
export async function findRunsByCheckId(
  api: MlflowApi,
  step: string,
  experimentId: string,
  checkId: string,
): Promise<{ ok: true; runIds: string[] } | { ok: false; reason: string }> {
  const r = await api.call(
    {
      step,
      label: ENDPOINT.runsSearch,
      method: 'POST',
      endpoint: ENDPOINT.runsSearch,
      json: {
        experiment_ids: [experimentId],
        filter: `tags.\`${CHECK_TAG}\` = ${filterString(checkId)}`,
        max_results: 10,
        run_view_type: 'ACTIVE_ONLY',
      },
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

/** Which runs a search returns: MLflow's run_view_type. */
export type RunView = 'ACTIVE_ONLY' | 'DELETED_ONLY';

/**
 * One page (at most 1000) of the runs of an experiment, for `sweep`: the active ones, or the deleted
 * ones — a deleted run's artifacts are out of every other search (commands/sweep.ts). `startedBefore`
 * narrows the page on the server (`attributes.start_time <=`, newest first); what is ours is decided
 * by the caller from each run's own tags and name, whatever the server filtered.
 */
export async function searchRunsPage(
  api: MlflowApi,
  o: { step: string; experimentId: string; view: RunView; pageToken?: string | undefined; startedBefore?: number },
): Promise<{ ok: true; runs: Array<z.infer<typeof Run>>; next?: string | undefined } | { ok: false; reason: string }> {
  const r = await api.call(
    {
      step: o.step,
      label: o.view === 'DELETED_ONLY' ? 'runs/search (deleted)' : ENDPOINT.runsSearch,
      method: 'POST',
      endpoint: ENDPOINT.runsSearch,
      json: {
        experiment_ids: [o.experimentId],
        max_results: 1000,
        run_view_type: o.view,
        ...(o.startedBefore !== undefined
          ? { filter: `attributes.start_time <= ${Math.floor(o.startedBefore)}`, order_by: ['attributes.start_time DESC'] }
          : {}),
        ...(o.pageToken ? { page_token: o.pageToken } : {}),
      },
    },
    SearchRuns,
  );
  return r.ok ? { ok: true, runs: r.data.runs ?? [], next: r.data.next_page_token } : { ok: false, reason: r.reason };
}
