// Step `artifact`: PUT a generated file through MLflow's artifact proxy, read it back, compare sha256,
// and list it — the hop that broke in the incident.
import { probeArtifactRouting } from '../diagnosis/probes/artifact-routing.js';
import { probeSmallUpload, wantsSmallUpload } from '../diagnosis/probes/small-upload.js';
import { describeFailure, interpret } from '../mlflow/client.js';
import { ArtifactList } from '../mlflow/schemas.js';
import { mlflowArtifactsUrl } from '../mlflow/urls.js';
import { runArtifactPath } from '../mlflow/artifact-path.js';
import { ARTIFACT_DIR } from '../mlflow/naming.js';
import { createPayload, hashStream } from './payload.js';
import { formatBytes, throttle } from './progress-text.js';
import type { Step, StepContext, StepOutcome } from './types.js';
import { LABEL } from './labels.js';
import { callFailed } from './outcome.js';

export const artifactStep: Step = {
  id: 'artifact',
  dependsOn: ['run'],
  async run(ctx: StepContext): Promise<StepOutcome> {
    const location = runArtifactPath(ctx.state.artifactUri, ctx.state.experimentId, ctx.state.runId);
    // Nothing is sent anywhere but the run's own artifact directory: a location the server chose
    // otherwise (`..`, `%2e%2e`, `?`, another run) is a failure, and no request goes there.
    if (!location.ok) return { status: 'fail', detail: `artifact location refused: ${location.problem}; nothing was sent there` };
    const runPath = location.path;
    const dir = `${runPath}/${ARTIFACT_DIR}`;
    const file = `probe-${ctx.state.checkId}.bin`;
    const path = `${dir}/${file}`;
    const base = mlflowArtifactsUrl(ctx.mlflowBase);
    const url = `${base}/${path}`;
    ctx.state.artifactPath = path;

    const payload = createPayload(ctx.state.checkId, ctx.options.artifactSize);
    const started = Date.now();
    const report = throttle((verb: string, n: number) => {
      const rate = (n / Math.max(1, Date.now() - started)) * 1000;
      ctx.progress.update('artifact', `${verb} ${formatBytes(n)} / ${formatBytes(payload.size)} (${formatBytes(rate)}/s)`);
    }, 100);

    const put = await ctx.http.send({
      step: 'artifact',
      label: LABEL.putArtifact,
      method: 'PUT',
      url,
      body: () => payload.stream((n) => report('PUT', n)),
      bodyLength: payload.size,
      headers: { 'content-type': 'application/octet-stream' },
    });
    // A transport error may have left a partial file: clean the directory up either way.
    if (put.status === undefined || (put.status >= 200 && put.status < 300)) {
      ctx.state.created.artifactPaths.push(path);
      ctx.state.created.artifactDirs.push({ base, path: dir, withKey: true });
    }
    const putFailure = describeFailure(put);
    if (putFailure) {
      // 403/405/501: a hop refusing the method, or serving the path itself; 404: a route missing. The probes tell which.
      if (put.status !== undefined && [403, 404, 405, 501].includes(put.status) && !ctx.signal.aborted)
        await probeArtifactRouting(ctx, runPath);
      // Closed during the upload, or a 5xx: does a few bytes' upload pass the same way?
      if (wantsSmallUpload(put, payload.size) && !ctx.signal.aborted) await probeSmallUpload(ctx, base, dir);
      return { status: putFailure.kind, detail: `PUT: ${putFailure.reason}` };
    }
    const sent = payload.sha256();
    ctx.state.artifactSha256 = sent;

    let readBack: { sha256: string; bytes: number } | undefined;
    // Its size is known: read at most that and a margin (an endless or padded read-back stops there).
    const bound = payload.size + READ_BACK_MARGIN;
    const get = await ctx.http.send({
      step: 'artifact',
      label: LABEL.getArtifact,
      method: 'GET',
      url,
      maxBodyBytes: bound,
      consumeBody: async (body) => {
        readBack = await hashStream(body, (n) => report('GET', n));
      },
    });
    if (get.exchange.error?.kind === 'body-too-large') {
      return {
        status: 'fail',
        detail: `size mismatch: sent ${formatBytes(payload.size)}, the read-back went past ${formatBytes(bound)}; stopped reading`,
        failure: { kind: 'content-mismatch', what: 'size' },
      };
    }
    if (get.status === undefined) return { status: 'error', detail: `GET: ${get.exchange.error?.kind ?? 'no response'}` };
    if (get.status !== 200) return { status: 'fail', detail: `GET: ${describeFailure(get)?.reason ?? get.status}` };
    if (!readBack) return { status: 'error', detail: 'GET: body not read' };
    if (readBack.sha256 !== sent || readBack.bytes !== payload.size) {
      return {
        status: 'fail',
        detail: `sha256 mismatch: sent ${formatBytes(payload.size)} ${short(sent)}, read back ${formatBytes(readBack.bytes)} ${short(readBack.sha256)}`,
        failure: { kind: 'content-mismatch', what: readBack.bytes === payload.size ? 'sha256' : 'size' },
      };
    }

    const list = interpret(
      await ctx.http.send({ step: 'artifact', label: LABEL.listArtifacts, method: 'GET', url: base, query: { path: dir } }),
      ArtifactList,
    );
    if (!list.ok) return callFailed('list', list);
    const listed = list.data.files?.some((f) => f.path === file || f.path.endsWith(`/${file}`));
    if (!listed) return { status: 'fail', detail: `list: ${file} not in the listing of ${ARTIFACT_DIR}/` };
    return { status: 'pass', detail: `${formatBytes(payload.size)} round-trip, sha256 ${short(sent)} matches` };
  },
};

/** What a read-back may carry beyond the bytes sent before it is cut: framing slack, not a second copy. */
const READ_BACK_MARGIN = 64 * 1024;

function short(hash: string | undefined): string {
  return hash ? `${hash.slice(0, 12)}…` : '?';
}
