// The floor: the HTTP requests a passing `hokus-check` makes, in the order it makes them, sent one
// after another by the smallest undici script that can (one keep-alive connection per origin, no
// validation, no report). Read from the --json report of a check run against the embedded stack:
//   auth:        POST {auth}/api/v1/keys/validate
//   health:      GET /health, GET /api/health/mlflow
//   experiments: GET experiments/search?max_results=1
//   run:         GET experiments/get-by-name (POST experiments/create only when that is 404), POST runs/create
//   artifact:    PUT the 4 KiB artifact, GET it back, GET the listing
//   register:    POST registered-models/create, POST model-versions/create, GET model-versions/get while
//                PENDING_REGISTRATION (same 100 ms × 2^n schedule as the check)
//   cleanup:     DELETE model-versions/delete, DELETE registered-models/delete, DELETE the artifact
//                dir, POST runs/delete
//
// Usage: HOKUSAI_API_KEY=… node bench/floor.mjs REGISTRY_URL AUTH_URL
// Prints one JSON line: {"requests":["POST /api/v1/keys/validate", …]} (paths without query).
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';

const [registryUrl, authUrl] = process.argv.slice(2);
const key = process.env.HOKUSAI_API_KEY;
if (!registryUrl || !authUrl || !key) {
  process.stderr.write('usage: HOKUSAI_API_KEY=… node bench/floor.mjs REGISTRY_URL AUTH_URL\n');
  process.exit(2);
}

const dispatcher = new Agent();
const auth = { authorization: `Bearer ${key}` };
const json = { ...auth, 'content-type': 'application/json' };
const mlflow = `${registryUrl}/api/mlflow/api/2.0/mlflow`;
const artifacts = `${registryUrl}/api/mlflow/api/2.0/mlflow-artifacts/artifacts`;
const sent = [];

async function call(method, url, { headers = auth, body, expect = [200] } = {}) {
  const u = new URL(url);
  sent.push(`${method} ${u.pathname}`);
  const res = await request(u, { method, headers, body, dispatcher });
  const text = await res.body.text();
  if (!expect.includes(res.statusCode)) throw new Error(`${method} ${u.pathname}: ${res.statusCode} ${text.slice(0, 200)}`);
  return { status: res.statusCode, data: text && res.headers['content-type']?.includes('json') ? JSON.parse(text) : undefined };
}

const post = (url, data, expect) => call('POST', url, { headers: json, body: JSON.stringify(data), expect });
const del = (url, data) => call('DELETE', url, { headers: json, body: JSON.stringify(data) });

const id = randomBytes(6).toString('hex');
const name = `hokus-check-${id}`;
const tags = [{ key: 'hokus-check.id', value: id }];

await post(`${authUrl}/api/v1/keys/validate`, { service_id: 'platform' });
await call('GET', `${registryUrl}/health`);
await call('GET', `${registryUrl}/api/health/mlflow`);
await call('GET', `${mlflow}/experiments/search?max_results=1`);

const found = await call('GET', `${mlflow}/experiments/get-by-name?experiment_name=hokus-check`, { expect: [200, 404] });
const experimentId =
  found.status === 200
    ? found.data.experiment.experiment_id
    : (await post(`${mlflow}/experiments/create`, { name: 'hokus-check' })).data.experiment_id;
const now = Date.now();
const run = await post(`${mlflow}/runs/create`, {
  experiment_id: experimentId,
  run_name: name,
  start_time: now,
  tags: [...tags, { key: 'hokus-check.created', value: String(now) }, { key: 'mlflow.runName', value: name }],
});
const runId = run.data.run.info.run_id;
const dir = `${run.data.run.info.artifact_uri.replace(/^mlflow-artifacts:(\/\/[^/]*)?\/+/, '')}/hokus-check`;

await call('PUT', `${artifacts}/${dir}/probe-${id}.bin`, {
  headers: { ...auth, 'content-type': 'application/octet-stream' },
  body: randomBytes(4096),
});
await call('GET', `${artifacts}/${dir}/probe-${id}.bin`);
await call('GET', `${artifacts}?path=${encodeURIComponent(dir)}`);

await post(`${mlflow}/registered-models/create`, { name, tags });
const created = await post(`${mlflow}/model-versions/create`, {
  name,
  source: `${run.data.run.info.artifact_uri}/hokus-check`,
  run_id: runId,
  tags,
});
const version = created.data.model_version.version;
let status = created.data.model_version.status;
for (let polls = 0; status === 'PENDING_REGISTRATION'; polls++) {
  await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** Math.min(polls, 3), 2000)));
  status = (await call('GET', `${mlflow}/model-versions/get?name=${name}&version=${version}`)).data.model_version.status;
}

await del(`${mlflow}/model-versions/delete`, { name, version });
await del(`${mlflow}/registered-models/delete`, { name });
await call('DELETE', `${artifacts}/${dir}`);
await post(`${mlflow}/runs/delete`, { run_id: runId });

await dispatcher.close();
process.stdout.write(`${JSON.stringify({ requests: sent })}\n`);
