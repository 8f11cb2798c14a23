// The API service's /api/mlflow proxy as a client sees it.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../src/sim/stack.js';
import { jsonRequest, request } from './http.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const P = '/api/mlflow/api/2.0/mlflow';
const A = '/api/mlflow/api/2.0/mlflow-artifacts/artifacts';

describe('proxy', () => {
  it('passes MLflow replies through with both servers in the headers (uvicorn, then gunicorn)', async () => {
    stack = await startStack();
    const res = await request(stack.registryUrl, `${P}/experiments/search?max_results=1`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.all('server')).toEqual(['uvicorn', 'gunicorn']);
    expect(res.all('date')).toHaveLength(2);
    expect(res.header('connection')).toBe('close');
    expect(res.header('content-type')).toBe('application/json');
    expect(res.json()).toMatchObject({ experiments: [{ experiment_id: '0', name: 'Default' }] });
    const forwarded = stack.requests().find((r) => r.server === 'mlflow');
    expect(forwarded?.path).toBe('/api/2.0/mlflow/experiments/search?max_results=1');
    expect(forwarded?.headers['x-hokusai-user-id']).toBe('hokus-sim');
    expect(forwarded?.headers['x-hokusai-api-key-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(forwarded?.headers.authorization).toBe('<redacted>');
  });

  it('passes an upstream Flask HTML 404 through as-is', async () => {
    stack = await startStack();
    const res = await request(stack.registryUrl, `${P}/does-not-exist`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect(res.status).toBe(404);
    expect(res.header('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<title>404 Not Found</title>');
  });

  it('keeps one value per query key, like dict(request.query_params)', async () => {
    stack = await startStack();
    await request(stack.registryUrl, `${P}/experiments/search?max_results=5&max_results=1&filter=x`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    expect(stack.requests().find((r) => r.server === 'mlflow')?.path).toBe('/api/2.0/mlflow/experiments/search?max_results=1&filter=x');
  });

  it('forwards DELETE bodies by default, so registry deletes through the proxy work', async () => {
    stack = await startStack();
    stack.seed.registeredModel({ name: 'm1' });
    const res = await jsonRequest(stack.registryUrl, `${P}/registered-models/delete`, 'DELETE', { name: 'm1' }, stack.apiKey);
    expect(res.status).toBe(200);
    expect(stack.inventory().registeredModels).toEqual([]);
  });

  it("proxy-drops-delete-body: registry deletes through the proxy get MLflow's missing-name 400; direct works", async () => {
    stack = await startStack({ faults: ['proxy-drops-delete-body'] });
    stack.seed.registeredModel({ name: 'm1' });
    const res = await jsonRequest(stack.registryUrl, `${P}/registered-models/delete`, 'DELETE', { name: 'm1' }, stack.apiKey);
    expect(res.status).toBe(400);
    expect(res.text).toBe(
      '{"error_code": "INVALID_PARAMETER_VALUE", "message": "Missing value for required parameter \'name\'. See the API docs for more information about request parameters."}',
    );
    expect(stack.inventory().registeredModels.map((m) => m.name)).toEqual(['m1']);
    const direct = await jsonRequest(stack.mlflowUrl, '/api/2.0/mlflow/registered-models/delete', 'DELETE', { name: 'm1' });
    expect(direct.status).toBe(200);
  });

  it('artifacts-misrouted: artifact calls 404 (Flask HTML) under api/2.0 but work under ajax-api; tracking works; direct works', async () => {
    stack = await startStack({ faults: ['artifacts-misrouted'] });
    const auth = { authorization: `Bearer ${stack.apiKey}` };
    const search = await request(stack.registryUrl, `${P}/experiments/search?max_results=1`, { headers: auth });
    expect(search.status).toBe(200);
    expect(
      stack
        .requests()
        .filter((r) => r.server === 'mlflow')
        .at(-1)?.path,
    ).toBe('/mlflow/ajax-api/2.0/mlflow/experiments/search?max_results=1');

    const put = await request(stack.registryUrl, `${A}/0/r1/artifacts/hokus-check/a.txt`, { method: 'PUT', headers: auth, body: 'hello' });
    expect(put.status).toBe(404);
    expect(put.all('server')).toEqual(['uvicorn', 'gunicorn']);
    expect(put.text).toContain('<title>404 Not Found</title>');
    expect(
      stack
        .requests()
        .filter((r) => r.server === 'mlflow')
        .at(-1)?.path,
    ).toBe('/mlflow/api/2.0/mlflow-artifacts/artifacts/0/r1/artifacts/hokus-check/a.txt');

    const ajax = await request(stack.registryUrl, '/api/mlflow/ajax-api/2.0/mlflow-artifacts/artifacts/0/r1/artifacts/hokus-check/a.txt', {
      method: 'PUT',
      headers: auth,
      body: 'hello',
    });
    expect(ajax.status).toBe(200);
    const direct = await request(stack.mlflowUrl, '/api/2.0/mlflow-artifacts/artifacts/0/r1/artifacts/hokus-check/b.txt', {
      method: 'PUT',
      body: 'hi',
    });
    expect(direct.status).toBe(200);
    expect(stack.inventory().artifactFiles).toEqual(['0/r1/artifacts/hokus-check/a.txt', '0/r1/artifacts/hokus-check/b.txt']);

    const health = await request(stack.registryUrl, '/health');
    expect(health.json()).toMatchObject({ status: 'degraded', services: { api: 'healthy', mlflow: 'unhealthy' } });
    const probe = await request(stack.registryUrl, '/api/health/mlflow');
    expect(probe.status).toBe(503);
    expect(probe.json()).toMatchObject({ status: 'error', error_type: 'MlflowException' });
  });

  it('streams a 16 MiB artifact up and back down through the proxy intact', async () => {
    stack = await startStack();
    const auth = { authorization: `Bearer ${stack.apiKey}` };
    const size = 16 * 1024 * 1024;
    const block = createHash('sha512').update('seed').digest();
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < chunk.length; i += block.length) block.copy(chunk, i);
    const sent = createHash('sha256');
    let n = 0;
    const body = new Readable({
      read() {
        if (n * chunk.length >= size) return void this.push(null);
        const c = Buffer.from(chunk);
        c.writeUInt32BE(n++, 0);
        sent.update(c);
        this.push(c);
      },
    });
    const path = `${A}/0/run1/artifacts/hokus-check/big.bin`;
    const put = await request(stack.registryUrl, path, { method: 'PUT', headers: { ...auth, 'content-length': String(size) }, body });
    expect(put.status).toBe(200);
    const get = await request(stack.registryUrl, path, { headers: auth });
    expect(get.status).toBe(200);
    expect(get.header('content-type')).toBe('application/octet-stream');
    expect(get.header('content-disposition')).toBe('attachment; filename=big.bin');
    expect(get.body.length).toBe(size);
    expect(createHash('sha256').update(get.body).digest('hex')).toBe(sent.digest('hex'));
  });

  it("a whole check's requests pass through the proxy and cleanup leaves nothing behind", async () => {
    stack = await startStack();
    const key = stack.apiKey;
    const auth = { authorization: `Bearer ${key}` };
    const base = stack.registryUrl;

    expect((await jsonRequest(stack.authUrl, '/api/v1/keys/validate', 'POST', { service_id: 'platform' }, key)).status).toBe(200);
    expect((await request(base, '/health')).status).toBe(200);
    expect((await request(base, '/api/health/mlflow', { headers: auth })).json()).toMatchObject({ status: 'ok', sample_model: null });
    expect((await request(base, `${P}/experiments/search?max_results=1`, { headers: auth })).status).toBe(200);
    expect((await request(base, `${P}/experiments/get-by-name?experiment_name=hokus-check`, { headers: auth })).status).toBe(404);
    const exp = (await jsonRequest(base, `${P}/experiments/create`, 'POST', { name: 'hokus-check' }, key)).json() as {
      experiment_id: string;
    };
    const run = (
      await jsonRequest(
        base,
        `${P}/runs/create`,
        'POST',
        { experiment_id: exp.experiment_id, run_name: 'hokus-check-abc', tags: [{ key: 'hokus-check.id', value: 'abc' }] },
        key,
      )
    ).json() as { run: { info: { run_id: string; artifact_uri: string } } };
    const runId = run.run.info.run_id;
    expect(run.run.info.artifact_uri).toBe(`mlflow-artifacts:/${exp.experiment_id}/${runId}/artifacts`);
    const dir = `${exp.experiment_id}/${runId}/artifacts/hokus-check`;
    expect((await request(base, `${A}/${dir}/x.bin`, { method: 'PUT', headers: auth, body: 'payload' })).status).toBe(200);
    expect((await request(base, `${A}/${dir}/x.bin`, { headers: auth })).text).toBe('payload');
    expect(
      (await request(base, `/api/mlflow/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(dir)}`, { headers: auth })).json(),
    ).toEqual({
      files: [{ path: 'x.bin', is_dir: false, file_size: 7 }],
    });
    expect((await jsonRequest(base, `${P}/registered-models/create`, 'POST', { name: 'hokus-check-abc' }, key)).status).toBe(200);
    const mv = (
      await jsonRequest(
        base,
        `${P}/model-versions/create`,
        'POST',
        { name: 'hokus-check-abc', source: `mlflow-artifacts:/${dir}`, run_id: runId },
        key,
      )
    ).json() as {
      model_version: { version: string; status: string };
    };
    expect(mv.model_version).toMatchObject({ version: '1', status: 'PENDING_REGISTRATION' });
    const poll = async (): Promise<string> =>
      (
        (await request(base, `${P}/model-versions/get?name=hokus-check-abc&version=1`, { headers: auth })).json() as {
          model_version: { status: string };
        }
      ).model_version.status;
    expect(await poll()).toBe('PENDING_REGISTRATION');
    expect(await poll()).toBe('READY');

    expect((await jsonRequest(base, `${P}/model-versions/delete`, 'DELETE', { name: 'hokus-check-abc', version: '1' }, key)).status).toBe(
      200,
    );
    expect((await jsonRequest(base, `${P}/registered-models/delete`, 'DELETE', { name: 'hokus-check-abc' }, key)).status).toBe(200);
    expect((await request(base, `${A}/${dir}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    expect((await jsonRequest(base, `${P}/runs/delete`, 'POST', { run_id: runId }, key)).status).toBe(200);

    const inv = stack.inventory();
    expect(inv.registeredModels).toEqual([]);
    expect(inv.artifactFiles).toEqual([]);
    expect(inv.runs.map((r) => r.lifecycleStage)).toEqual(['deleted']);
    expect(inv.runs[0]?.tags['hokus-check.id']).toBe('abc');
  });
});
