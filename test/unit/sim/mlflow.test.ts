// MLflow behaviours beyond the recorded transcripts that clients and the check rely on.
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../src/sim/stack.js';
import { jsonRequest, request } from './http.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const M = '/api/2.0/mlflow';

describe('simulated MLflow', () => {
  it('serves every API route under /ajax-api too', async () => {
    stack = await startStack();
    const res = await request(stack.mlflowUrl, '/ajax-api/2.0/mlflow/experiments/search?max_results=1');
    expect(res.status).toBe(200);
    const put = await request(stack.mlflowUrl, '/ajax-api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/a.txt', {
      method: 'PUT',
      body: 'a',
    });
    expect(put.status).toBe(200);
  });

  it('answers OPTIONS with the Allow header and HEAD like GET without a body', async () => {
    stack = await startStack();
    const opt = await request(stack.mlflowUrl, `${M}/experiments/search`, { method: 'OPTIONS' });
    expect([opt.status, opt.header('allow')]).toEqual([200, 'OPTIONS, HEAD, GET, POST']);
    const head = await request(stack.mlflowUrl, '/health', { method: 'HEAD' });
    expect([head.status, head.header('content-length'), head.body.length]).toEqual([200, '2', 0]);
  });

  it("closes the connection after every reply, like gunicorn's sync worker", async () => {
    stack = await startStack();
    const res = await request(stack.mlflowUrl, '/health');
    expect(res.header('connection')).toBe('close');
  });

  it('refuses to change a logged param and to log to a deleted run', async () => {
    stack = await startStack();
    const run = (await jsonRequest(stack.mlflowUrl, `${M}/runs/create`, 'POST', { experiment_id: '0' })).json() as {
      run: { info: { run_id: string; run_name: string } };
    };
    const id = run.run.info.run_id;
    expect(run.run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect((await jsonRequest(stack.mlflowUrl, `${M}/runs/log-parameter`, 'POST', { run_id: id, key: 'a', value: '1' })).status).toBe(200);
    const change = await jsonRequest(stack.mlflowUrl, `${M}/runs/log-parameter`, 'POST', { run_id: id, key: 'a', value: '2' });
    expect(change.status).toBe(400);
    expect((await jsonRequest(stack.mlflowUrl, `${M}/runs/delete`, 'POST', { run_id: id })).status).toBe(200);
    const late = await jsonRequest(stack.mlflowUrl, `${M}/runs/set-tag`, 'POST', { run_id: id, key: 'k', value: 'v' });
    expect(late.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `The run ${id} must be in the 'active' state. Current state is deleted.`,
    });
  });

  it('does not check Content-Type on DELETE (2.12.2 checks POST and PUT only)', async () => {
    stack = await startStack();
    stack.seed.registeredModel({ name: 'm' });
    const res = await request(stack.mlflowUrl, `${M}/registered-models/delete`, { method: 'DELETE', body: '{"name": "m"}' });
    expect(res.status).toBe(200);
  });

  it('prints metric values as Python floats', async () => {
    stack = await startStack();
    const run = (await jsonRequest(stack.mlflowUrl, `${M}/runs/create`, 'POST', { experiment_id: '0' })).json() as {
      run: { info: { run_id: string } };
    };
    const id = run.run.info.run_id;
    await jsonRequest(stack.mlflowUrl, `${M}/runs/log-metric`, 'POST', { run_id: id, key: 'm', value: 1, timestamp: 5 });
    const got = await request(stack.mlflowUrl, `${M}/runs/get?run_id=${id}`);
    expect(got.text).toContain('"value": 1.0,');
  });

  it('seeded model versions and search by name LIKE / = filters', async () => {
    stack = await startStack();
    stack.seed.registeredModel({ name: 'hokus-check-a' });
    stack.seed.registeredModel({ name: 'hokus-check-b' });
    stack.seed.registeredModel({ name: 'other' });
    const like = await request(
      stack.mlflowUrl,
      `${M}/registered-models/search?filter=${encodeURIComponent("name LIKE 'hokus-check-%'")}&max_results=1`,
    );
    const page = like.json() as { registered_models: Array<{ name: string }>; next_page_token: string };
    expect(page.registered_models.map((m) => m.name)).toEqual(['hokus-check-a']);
    expect(page.next_page_token).toBeTruthy();
    const eq = await request(stack.mlflowUrl, `${M}/registered-models/search?filter=${encodeURIComponent("name='other'")}`);
    expect((eq.json() as { registered_models: Array<{ name: string }> }).registered_models.map((m) => m.name)).toEqual(['other']);
  });
});
