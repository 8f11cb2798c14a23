// Tracking API routes (experiments, runs, run artifact listing) with MLflow 2.12.2's schemas.
import { validatePathIsSafe } from '../artifact-store.js';
import type { MlflowExchange, RouteDef } from '../exchange.js';
import { experimentProto, nonEmpty, runInfoProto, runProto } from '../proto.js';
import { atMost, requestMessage, type Validator } from '../request-message.js';
import type { Metric, RunStatus } from '../store.js';
import { InternalServerError, MlflowError, sendProto } from '../wire.js';
import { METRICS, RUN_STATUS, TAGS, VIEW_TYPE, kvList, str } from './specs.js';

export const TRACKING_ROUTES: RouteDef[] = [
  { path: '/mlflow/experiments/create', methods: ['POST'], kind: 'tracking', handler: createExperiment },
  { path: '/mlflow/experiments/get', methods: ['GET'], kind: 'tracking', handler: getExperiment },
  { path: '/mlflow/experiments/get-by-name', methods: ['GET'], kind: 'tracking', handler: getExperimentByName },
  { path: '/mlflow/experiments/delete', methods: ['POST'], kind: 'tracking', handler: deleteExperiment },
  { path: '/mlflow/experiments/restore', methods: ['POST'], kind: 'tracking', handler: restoreExperiment },
  { path: '/mlflow/experiments/search', methods: ['GET', 'POST'], kind: 'tracking', handler: searchExperiments },
  { path: '/mlflow/runs/create', methods: ['POST'], kind: 'tracking', handler: createRun },
  { path: '/mlflow/runs/update', methods: ['POST'], kind: 'tracking', handler: updateRun },
  { path: '/mlflow/runs/delete', methods: ['POST'], kind: 'tracking', handler: deleteRun },
  { path: '/mlflow/runs/get', methods: ['GET'], kind: 'tracking', handler: getRun },
  { path: '/mlflow/runs/search', methods: ['POST'], kind: 'tracking', handler: searchRuns },
  { path: '/mlflow/runs/log-metric', methods: ['POST'], kind: 'tracking', handler: logMetric },
  { path: '/mlflow/runs/log-parameter', methods: ['POST'], kind: 'tracking', handler: logParam },
  { path: '/mlflow/runs/set-tag', methods: ['POST'], kind: 'tracking', handler: setTag },
  { path: '/mlflow/runs/log-batch', methods: ['POST'], kind: 'tracking', handler: logBatch },
  { path: '/mlflow/artifacts/list', methods: ['GET'], kind: 'tracking', handler: listArtifacts },
];

const RUNS_CREATE_500 =
  '(sqlite3.OperationalError) database is locked\n[SQL: INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)]\n(Background on this error at: https://sqlalche.me/e/14/e3q8)';

async function createExperiment(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { name: 'string', artifact_location: 'string', tags: TAGS },
    {
      name: ['required', 'string'],
      artifact_location: ['string'],
      tags: ['array'],
    },
  );
  const id = x.ctx.store.createExperiment(str(m.name), str(m.artifact_location) || undefined, kvList(m.tags));
  await sendProto(x.res, { experiment_id: id });
}

async function getExperiment(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(x, { experiment_id: 'string' }, { experiment_id: ['required', 'string'] });
  await sendProto(x.res, { experiment: experimentProto(x.ctx.store.getExperiment(str(m.experiment_id))) });
}

async function getExperimentByName(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(x, { experiment_name: 'string' }, { experiment_name: ['required', 'string'] });
  const name = str(m.experiment_name);
  const exp = x.ctx.store.getExperimentByName(name);
  if (!exp) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`);
  await sendProto(x.res, { experiment: experimentProto(exp) });
}

async function deleteExperiment(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(x, { experiment_id: 'string' }, { experiment_id: ['required', 'string'] });
  x.ctx.store.deleteExperiment(str(m.experiment_id));
  await sendProto(x.res, {});
}

async function restoreExperiment(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(x, { experiment_id: 'string' }, { experiment_id: ['required', 'string'] });
  x.ctx.store.restoreExperiment(str(m.experiment_id));
  await sendProto(x.res, {});
}

async function searchExperiments(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { max_results: 'int', page_token: 'string', filter: 'string', order_by: 'string[]', view_type: VIEW_TYPE },
    { view_type: ['intlike'], max_results: ['intlike'], order_by: ['array'], filter: ['string'], page_token: ['string'] },
  );
  const page = x.ctx.store.searchExperiments({
    viewType: str(m.view_type) || 'ACTIVE_ONLY',
    maxResults: typeof m.max_results === 'number' ? m.max_results : 0,
    filter: str(m.filter),
    orderBy: (m.order_by as string[] | undefined) ?? [],
    pageToken: str(m.page_token),
  });
  await sendProto(x.res, { experiments: nonEmpty(page.items.map(experimentProto)), next_page_token: page.nextPageToken });
}

async function createRun(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { experiment_id: 'string', user_id: 'string', start_time: 'int', tags: TAGS, run_name: 'string' },
    { experiment_id: ['string'], start_time: ['intlike'], run_name: ['string'] },
  );
  if (x.ctx.faults.has('runs-create-500')) throw new MlflowError('INTERNAL_ERROR', RUNS_CREATE_500);
  // Not an MlflowException: Flask answers its own 500 page (server.ts), as MLflow does for an unhandled error.
  if (x.ctx.faults.has('mlflow-crash')) throw new Error('sqlite3.OperationalError: unable to open database file');
  // A busy server: the answer comes late, and the run is made whether or not the client still waits.
  if (x.ctx.faults.has('late-create')) await x.ctx.sleep(x.ctx.slowMs);
  const run = x.ctx.store.createRun({
    experimentId: str(m.experiment_id),
    userId: str(m.user_id),
    startTime: typeof m.start_time === 'number' ? m.start_time : 0,
    tags: kvList(m.tags),
    runName: str(m.run_name) || undefined,
  });
  if (x.ctx.faults.has('foreign-run')) {
    // A cache in front answers with someone else's run: the check's own run exists all the same.
    const other = x.ctx.store.createRun({
      experimentId: str(m.experiment_id),
      userId: 'someone',
      startTime: 0,
      tags: [{ key: 'team', value: 'research' }],
      runName: 'important-training-run',
    });
    await sendProto(x.res, { run: runProto(other, false) });
    return;
  }
  await sendProto(x.res, { run: runProto(run, false) });
}

async function updateRun(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { run_id: 'string', run_uuid: 'string', status: RUN_STATUS, end_time: 'int', run_name: 'string' },
    { run_id: ['required', 'string'], end_time: ['intlike'], status: ['string'], run_name: ['string'] },
  );
  const run = x.ctx.store.updateRun(str(m.run_id) || str(m.run_uuid), {
    status: (m.status as RunStatus | undefined) ?? undefined,
    endTime: typeof m.end_time === 'number' ? m.end_time : undefined,
    runName: str(m.run_name) || undefined,
  });
  await sendProto(x.res, { run_info: runInfoProto(run) });
}

async function deleteRun(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(x, { run_id: 'string' }, { run_id: ['required', 'string'] });
  x.ctx.store.deleteRun(str(m.run_id));
  await sendProto(x.res, {});
}

async function getRun(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(x, { run_id: 'string', run_uuid: 'string' }, { run_id: ['required', 'string'] });
  await sendProto(x.res, { run: runProto(x.ctx.store.getRun(str(m.run_id) || str(m.run_uuid)), true) });
}

async function searchRuns(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    {
      experiment_ids: 'string[]',
      filter: 'string',
      run_view_type: VIEW_TYPE,
      max_results: 'int',
      order_by: 'string[]',
      page_token: 'string',
    },
    { experiment_ids: ['array'], filter: ['string'], max_results: ['intlike', atMost(50000)], order_by: ['array', 'items-string'] },
  );
  const page = x.ctx.store.searchRuns({
    experimentIds: (m.experiment_ids as string[] | undefined) ?? [],
    filter: str(m.filter),
    viewType: str(m.run_view_type) || 'ACTIVE_ONLY',
    maxResults: typeof m.max_results === 'number' ? m.max_results : 1000,
    orderBy: (m.order_by as string[] | undefined) ?? [],
    pageToken: str(m.page_token),
  });
  await sendProto(x.res, { runs: nonEmpty(page.items.map((r) => runProto(r, true))), next_page_token: page.nextPageToken });
}

async function logMetric(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { run_id: 'string', run_uuid: 'string', key: 'string', value: 'double', timestamp: 'int', step: 'int' },
    {
      run_id: ['required', 'string'],
      key: ['required', 'string'],
      value: ['required', 'floatlike'],
      timestamp: ['intlike', 'required'],
      step: ['intlike'],
    },
  );
  const metric: Metric = { key: str(m.key), value: Number(m.value ?? 0), timestamp: Number(m.timestamp ?? 0), step: Number(m.step ?? 0) };
  x.ctx.store.logBatch(str(m.run_id) || str(m.run_uuid), { metrics: [metric] });
  await sendProto(x.res, {});
}

async function logParam(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { run_id: 'string', run_uuid: 'string', key: 'string', value: 'string' },
    { run_id: ['required', 'string'], key: ['required', 'string'], value: ['string'] },
  );
  x.ctx.store.logBatch(str(m.run_id) || str(m.run_uuid), { params: [{ key: str(m.key), value: str(m.value) }] });
  await sendProto(x.res, {});
}

async function setTag(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { run_id: 'string', run_uuid: 'string', key: 'string', value: 'string' },
    { run_id: ['required', 'string'], key: ['required', 'string'], value: ['string'] },
  );
  x.ctx.store.logBatch(str(m.run_id) || str(m.run_uuid), { tags: [{ key: str(m.key), value: str(m.value) }] });
  await sendProto(x.res, {});
}

async function logBatch(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { run_id: 'string', metrics: METRICS, params: TAGS, tags: TAGS },
    {
      run_id: ['string', 'required'],
      metrics: ['array', fieldsPresent('metrics', ['key', 'value', 'timestamp'])],
      params: ['array', fieldsPresent('params', ['key'])],
      tags: ['array', fieldsPresent('tags', ['key'])],
    },
  );
  const metrics = ((m.metrics as Array<Record<string, unknown>> | undefined) ?? []).map((mm) => ({
    key: str(mm.key),
    value: Number(mm.value ?? 0),
    timestamp: Number(mm.timestamp ?? 0),
    step: Number(mm.step ?? 0),
  }));
  x.ctx.store.logBatch(str(m.run_id), { metrics, params: kvList(m.params), tags: kvList(m.tags) });
  await sendProto(x.res, {});
}

/** log-batch's `_assert_*_fields_present`: "Missing value for required parameter 'metrics[0].key'." */
function fieldsPresent(list: string, keys: string[]): Validator {
  return (value) => {
    if (!Array.isArray(value)) return;
    value.forEach((item: unknown, idx) => {
      const entry = (item ?? {}) as Record<string, unknown>;
      for (const k of keys) {
        const v = entry[k];
        if (v === undefined || v === null || v === '') throw new Error(`Missing value for required parameter '${list}[${idx}].${k}'.`);
      }
    });
  };
}

async function listArtifacts(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { run_id: 'string', run_uuid: 'string', path: 'string', page_token: 'string' },
    { run_id: ['string', 'required'], path: ['string'], page_token: ['string'] },
  );
  const rel = m.path === undefined ? undefined : validatePathIsSafe(str(m.path));
  const run = x.ctx.store.getRun(str(m.run_id) || str(m.run_uuid));
  const uri = run.artifactUri;
  if (!uri.startsWith('mlflow-artifacts:')) {
    // An s3:// root: the server would need the bucket's credentials (boto3 raises, Flask 500s).
    throw new InternalServerError(`cannot list ${uri}: Unable to locate credentials`);
  }
  if (!x.ctx.serveArtifacts) throw sqliteSchemeError();
  const root = uri.replace(/^mlflow-artifacts:\/*/, '');
  const infos = await x.ctx.artifacts.list(rel ? `${root}/${rel}` : root);
  const files = infos.map((f) => {
    const base = f.path.slice(f.path.lastIndexOf('/') + 1);
    return { path: rel ? `${rel.replace(/\/+$/, '')}/${base}` : base, is_dir: f.isDir, file_size: f.fileSize };
  });
  await sendProto(x.res, { root_uri: uri, files: nonEmpty(files) });
}

/** What 2.12.2 says when asked to resolve mlflow-artifacts: without serving them (as recorded). */
export function sqliteSchemeError(): MlflowError {
  return new MlflowError(
    'INTERNAL_ERROR',
    "The configured tracking uri scheme: 'sqlite' is invalid for use with the proxy mlflow-artifact scheme. The allowed tracking schemes are: {'http', 'https'}",
  );
}
