// Probes `artifact-listing`, `ajax-artifact` and `direct-artifact`: after the artifact PUT through the
// proxy 404s, find out whether the proxy misroutes artifact paths (ROUTE_ARTIFACTS_MISROUTED) or
// MLflow does not serve them (MLFLOW_ARTIFACTS_NOT_SERVED). Each upload is a small text file under
// the run's hokus-check/ directory, recorded for cleanup as soon as it is accepted.
import type { StepContext } from '../../steps/types.js';
import { is2xx, sendQuietly, trimSlash } from './send-quietly.js';
import { PROBE } from './ids.js';

/** `relPath` is the run's artifact root under the mlflow-artifacts root: '<exp>/<run>/artifacts'. */
export async function probeArtifactRouting(ctx: StepContext, relPath: string): Promise<void> {
  const base = trimSlash(ctx.mlflowBase);
  const dir = `${relPath}/hokus-check`;
  const checkId = ctx.state.checkId;

  // 1. Does the listing route answer through the proxy at all?
  await sendQuietly(ctx, {
    step: 'artifact',
    probe: PROBE.artifactListing,
    label: 'probe: list artifacts',
    method: 'GET',
    url: `${base}/api/2.0/mlflow-artifacts/artifacts`,
    query: { path: relPath },
  });

  // 2. The same upload under ajax-api, the prefix the proxy already rewrites tracking paths to.
  //    Meaningless against a plain MLflow server: there is no proxy to compare with.
  if (ctx.target.kind !== 'mlflow') {
    const ajaxBase = `${base}/ajax-api/2.0/mlflow-artifacts/artifacts`;
    const put = await sendQuietly(ctx, {
      step: 'artifact',
      probe: PROBE.ajaxArtifact,
      label: 'probe: PUT via ajax-api',
      method: 'PUT',
      url: `${ajaxBase}/${dir}/ajax-probe-${checkId}.txt`,
      body: probeBody(checkId, 'ajax-api'),
      headers: { 'content-type': 'text/plain' },
    });
    if (is2xx(put)) remember(ctx, ajaxBase, dir);
  }

  // 3. The same upload direct to MLflow, bypassing the proxy: works → misrouted; 404 → not served.
  const direct = ctx.target.mlflowDirectUrl;
  if (direct) {
    const directBase = `${trimSlash(direct)}/api/2.0/mlflow-artifacts/artifacts`;
    const url = `${directBase}/${dir}/direct-probe-${checkId}.txt`;
    const put = await sendQuietly(ctx, {
      step: 'artifact',
      probe: PROBE.directArtifact,
      label: 'probe: PUT direct',
      method: 'PUT',
      url,
      body: probeBody(checkId, 'direct'),
      headers: { 'content-type': 'text/plain' },
    });
    if (is2xx(put)) {
      remember(ctx, directBase, dir);
      await sendQuietly(ctx, { step: 'artifact', probe: PROBE.directArtifact, label: 'probe: GET direct', method: 'GET', url });
    }
  }
}

function probeBody(checkId: string, route: string): string {
  return `hokus-check ${checkId}: artifact routing probe via ${route}\n`;
}

/** Cleanup deletes the directory under the base that accepted the upload (once per base). */
function remember(ctx: StepContext, base: string, path: string): void {
  const dirs = ctx.state.created.artifactDirs;
  if (!dirs.some((d) => d.base === base && d.path === path)) dirs.push({ base, path, withKey: true });
}
