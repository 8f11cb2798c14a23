// Model registry routes (registered models, model versions) with MLflow 2.12.2's schemas.
//
// Deviation from the recording, on purpose: the recorded sqlite server creates versions READY at
// once; here a new version answers PENDING_REGISTRATION on create and on its first `pendingPolls`
// model-versions/get (default 1) before READY, so a client's polling is exercised. The stack's
// `pendingPolls: 0` restores the recorded behaviour.
import type { MlflowExchange, RouteDef } from '../exchange.js';
import { modelVersionProto, nonEmpty, registeredModelProto } from '../proto.js';
import { atMost, requestMessage } from '../request-message.js';
import type { MlflowStore } from '../store.js';
import { MlflowError, sendProto } from '../wire.js';
import { TAGS, kvList, str } from './specs.js';

export const REGISTRY_ROUTES: RouteDef[] = [
  { path: '/mlflow/registered-models/create', methods: ['POST'], kind: 'registry', handler: createRegisteredModel },
  { path: '/mlflow/registered-models/get', methods: ['GET'], kind: 'registry', handler: getRegisteredModel },
  { path: '/mlflow/registered-models/delete', methods: ['DELETE'], kind: 'registry', handler: deleteRegisteredModel },
  { path: '/mlflow/registered-models/search', methods: ['GET'], kind: 'registry', handler: searchRegisteredModels },
  { path: '/mlflow/registered-models/get-latest-versions', methods: ['GET', 'POST'], kind: 'registry', handler: getLatestVersions },
  { path: '/mlflow/registered-models/set-tag', methods: ['POST'], kind: 'registry', handler: setRegisteredModelTag },
  { path: '/mlflow/model-versions/create', methods: ['POST'], kind: 'registry', handler: createModelVersion },
  { path: '/mlflow/model-versions/get', methods: ['GET'], kind: 'registry', handler: getModelVersion },
  { path: '/mlflow/model-versions/delete', methods: ['DELETE'], kind: 'registry', handler: deleteModelVersion },
  { path: '/mlflow/model-versions/search', methods: ['GET'], kind: 'registry', handler: searchModelVersions },
  { path: '/mlflow/model-versions/get-download-uri', methods: ['GET'], kind: 'registry', handler: getDownloadUri },
  { path: '/mlflow/model-versions/set-tag', methods: ['POST'], kind: 'registry', handler: setModelVersionTag },
];

async function createRegisteredModel(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { name: 'string', tags: TAGS, description: 'string' },
    {
      name: ['string', 'required'],
      tags: ['array'],
      description: ['string'],
    },
  );
  // A busy server: the model is made whether or not the client still waits for the answer.
  if (x.ctx.faults.has('slow')) await x.ctx.sleep(x.ctx.slowMs);
  const model = x.ctx.store.createRegisteredModel(str(m.name), kvList(m.tags), str(m.description));
  await sendProto(x.res, { registered_model: registeredModelProto(model, []) });
}

async function getRegisteredModel(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(x, { name: 'string' }, { name: ['string', 'required'] });
  const store = x.ctx.store;
  const model = store.getRegisteredModel(str(m.name));
  await sendProto(x.res, { registered_model: registeredModelProto(model, store.latestVersions(model)) });
}

async function deleteRegisteredModel(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(x, { name: 'string' }, { name: ['string', 'required'] });
  x.ctx.store.deleteRegisteredModel(str(m.name));
  await sendProto(x.res, {});
}

async function searchRegisteredModels(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { filter: 'string', max_results: 'int', order_by: 'string[]', page_token: 'string' },
    { filter: ['string'], max_results: ['intlike', atMost(1000)], order_by: ['array', 'items-string'], page_token: ['string'] },
  );
  const store = x.ctx.store;
  const page = store.searchRegisteredModels({
    filter: str(m.filter),
    maxResults: typeof m.max_results === 'number' ? m.max_results : 100,
    orderBy: (m.order_by as string[] | undefined) ?? [],
    pageToken: str(m.page_token),
  });
  await sendProto(x.res, {
    registered_models: nonEmpty(page.items.map((rm) => registeredModelProto(rm, store.latestVersions(rm)))),
    next_page_token: page.nextPageToken,
  });
}

async function getLatestVersions(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { name: 'string', stages: 'string[]' },
    { name: ['string', 'required'], stages: ['array', 'items-string'] },
  );
  const store = x.ctx.store;
  const versions = store.latestVersions(store.getRegisteredModel(str(m.name)), (m.stages as string[] | undefined) ?? []);
  await sendProto(x.res, { model_versions: nonEmpty(versions.map(modelVersionProto)) });
}

async function setRegisteredModelTag(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { name: 'string', key: 'string', value: 'string' },
    {
      name: ['string', 'required'],
      key: ['string', 'required'],
      value: ['string'],
    },
  );
  x.ctx.store.setRegisteredModelTag(str(m.name), str(m.key), str(m.value));
  await sendProto(x.res, {});
}

async function createModelVersion(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { name: 'string', source: 'string', run_id: 'string', tags: TAGS, run_link: 'string', description: 'string' },
    {
      name: ['string', 'required'],
      source: ['string', 'required'],
      run_id: ['string'],
      tags: ['array'],
      run_link: ['string'],
      description: ['string'],
    },
  );
  validateSource(x.ctx.store, str(m.source), str(m.run_id));
  const mv = x.ctx.store.createModelVersion({
    name: str(m.name),
    source: str(m.source),
    runId: str(m.run_id),
    runLink: str(m.run_link),
    tags: kvList(m.tags),
    description: str(m.description),
  });
  await sendProto(x.res, { model_version: modelVersionProto(mv) });
}

async function getModelVersion(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { name: 'string', version: 'string' },
    { name: ['string', 'required'], version: ['string', 'required'] },
  );
  if (x.ctx.faults.has('slow') && !(await x.ctx.wait(x.res, x.ctx.slowMs))) return;
  await sendProto(x.res, { model_version: modelVersionProto(x.ctx.store.pollModelVersion(str(m.name), str(m.version))) });
}

async function deleteModelVersion(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { name: 'string', version: 'string' },
    { name: ['string', 'required'], version: ['string', 'required'] },
  );
  x.ctx.store.deleteModelVersion(str(m.name), str(m.version));
  await sendProto(x.res, {});
}

async function searchModelVersions(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { filter: 'string', max_results: 'int', order_by: 'string[]', page_token: 'string' },
    { filter: ['string'], max_results: ['intlike', atMost(200_000)], order_by: ['array', 'items-string'], page_token: ['string'] },
  );
  const page = x.ctx.store.searchModelVersions({
    filter: str(m.filter),
    maxResults: typeof m.max_results === 'number' ? m.max_results : 200_000,
    orderBy: (m.order_by as string[] | undefined) ?? [],
    pageToken: str(m.page_token),
  });
  await sendProto(x.res, { model_versions: nonEmpty(page.items.map(modelVersionProto)), next_page_token: page.nextPageToken });
}

async function getDownloadUri(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(x, { name: 'string', version: 'string' });
  const mv = x.ctx.store.getModelVersion(str(m.name), str(m.version));
  await sendProto(x.res, { artifact_uri: mv.source });
}

async function setModelVersionTag(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(
    x,
    { name: 'string', version: 'string', key: 'string', value: 'string' },
    {
      name: ['string', 'required'],
      version: ['string', 'required'],
      key: ['string', 'required'],
      value: ['string'],
    },
  );
  x.ctx.store.setModelVersionTag(str(m.name), str(m.version), str(m.key), str(m.value));
  await sendProto(x.res, {});
}

/** handlers._validate_source: local paths need a run that contains them; no '..' anywhere. */
function validateSource(store: MlflowStore, source: string, runId: string): void {
  if (isLocalUri(source)) {
    if (runId) {
      const run = store.getRun(runId);
      if (isLocalUri(run.artifactUri) && (source === run.artifactUri || source.startsWith(`${run.artifactUri}/`))) return;
    }
    throw new MlflowError(
      'INVALID_PARAMETER_VALUE',
      `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`,
    );
  }
  let s = source;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      break;
    }
    if (next === s) break;
    s = next;
  }
  if (s.includes('\0') || s.split('/').includes('..')) {
    throw new MlflowError(
      'INVALID_PARAMETER_VALUE',
      `Invalid model version source: '${s}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
    );
  }
}

/** mlflow.utils.uri.is_local_uri: no scheme, or file:// on this host. */
function isLocalUri(uri: string): boolean {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(uri);
  if (!m) return true;
  if ((m[1] ?? '').toLowerCase() !== 'file') return false;
  const rest = m[2] ?? '';
  if (!rest.startsWith('//')) return true;
  const host = rest.slice(2).split('/')[0] ?? '';
  return host === '' || host === 'localhost' || host === '127.0.0.1';
}
