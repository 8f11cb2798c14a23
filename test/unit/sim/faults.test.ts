// Each fault's headline response: one request, the status and who answered (table-driven). The
// diagnosis rules are written against these fingerprints, so they must stay distinguishable.
import { afterEach, describe, expect, it } from 'vitest';
import { FAULT_NAMES, FAULTS, isFaultName, type FaultName } from '../../../src/sim/faults.js';
import { startStack, type Stack, type StackOptions } from '../../../src/sim/stack.js';
import { jsonRequest, request, type RawResponse } from './http.js';

const P = '/api/mlflow/api/2.0/mlflow';
const A = '/api/mlflow/api/2.0/mlflow-artifacts/artifacts';

type Responder = 'alb' | 'nginx' | 'fastapi' | 'mlflow-via-proxy' | 'mlflow' | 'gateway-via-proxy' | 'alb-via-proxy';

/** Who answered, from the headers alone: a Responder, or else the server headers as they are. */
function responder(res: RawResponse): string {
  const servers = res.all('server').join(',');
  if (servers === 'awselb/2.0') return 'alb';
  if (servers === 'nginx') return 'nginx';
  if (servers === 'uvicorn') return 'fastapi';
  if (servers === 'uvicorn,gunicorn') return 'mlflow-via-proxy';
  if (servers === 'gunicorn') return 'mlflow';
  if (servers === 'uvicorn,uvicorn') return 'gateway-via-proxy';
  if (servers === 'uvicorn,awselb/2.0') return 'alb-via-proxy';
  return servers;
}

const auth = (s: Stack): Record<string, string> => ({ authorization: `Bearer ${s.apiKey}` });
const search = (s: Stack): Promise<RawResponse> => request(s.registryUrl, `${P}/experiments/search?max_results=1`, { headers: auth(s) });
const putArtifact = (s: Stack, body: string | Buffer = 'payload'): Promise<RawResponse> =>
  request(s.registryUrl, `${A}/0/run1/artifacts/hokus-check/x.bin`, { method: 'PUT', headers: auth(s), body });
const validate = (s: Stack, body: unknown): Promise<RawResponse> => jsonRequest(s.authUrl, '/api/v1/keys/validate', 'POST', body, s.apiKey);
const createVersion = async (s: Stack): Promise<void> => {
  await jsonRequest(s.registryUrl, `${P}/registered-models/create`, 'POST', { name: 'm' }, s.apiKey);
  await jsonRequest(
    s.registryUrl,
    `${P}/model-versions/create`,
    'POST',
    { name: 'm', source: 'mlflow-artifacts:/0/r/artifacts/m' },
    s.apiKey,
  );
};
const getVersion = (s: Stack): Promise<RawResponse> =>
  request(s.registryUrl, `${P}/model-versions/get?name=m&version=1`, { headers: auth(s) });

interface Case {
  opts?: StackOptions;
  act: (s: Stack) => Promise<RawResponse>;
  status: number;
  by: Responder;
  /** Something in the body (or a header check) that names the failure. */
  marker: (res: RawResponse, s: Stack) => void;
}

const CASES: Record<FaultName, Case> = {
  'artifacts-misrouted': {
    act: (s) => putArtifact(s),
    status: 404,
    by: 'mlflow-via-proxy',
    marker: (r) => expect(r.text).toContain('<title>404 Not Found</title>'),
  },
  'artifacts-misrouted-external': {
    act: async (s) => {
      expect((await search(s)).status).toBe(200);
      return putArtifact(s);
    },
    status: 404,
    by: 'alb-via-proxy',
    marker: (r) => expect(r.text).toContain('<title>404 Not Found</title>'),
  },
  'artifacts-not-served': {
    act: (s) => request(s.mlflowUrl, '/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/x', { method: 'PUT', body: 'x' }),
    status: 404,
    by: 'mlflow',
    marker: (r) => expect(r.text).toContain('<title>404 Not Found</title>'),
  },
  'service-id-mismatch': {
    act: async (s) => {
      expect((await validate(s, {})).json()).toMatchObject({ is_valid: true, service_id: 'ml-platform' });
      return validate(s, { service_id: 'platform' });
    },
    status: 401,
    by: 'fastapi',
    marker: (r) => expect(r.text).toBe('{"detail":"Invalid or expired API key"}'),
  },
  'key-invalid': {
    act: async (s) => {
      expect((await validate(s, {})).status).toBe(401);
      return search(s);
    },
    status: 401,
    by: 'fastapi',
    marker: (r) => expect(r.text).toBe('{"detail":"Invalid or expired API key"}'),
  },
  'auth-down': {
    act: async (s) => {
      expect(responder(await validate(s, { service_id: 'platform' }))).toBe('alb');
      return search(s);
    },
    status: 503,
    by: 'fastapi',
    marker: (r) => {
      expect(r.text).toBe('{"detail":"Authentication service error"}');
      expect(r.header('retry-after')).toBe('1');
    },
  },
  'auth-down-legacy': {
    act: search,
    status: 401,
    by: 'fastapi',
    marker: (r) => expect(r.text).toBe('{"detail":"Authentication service unavailable"}'),
  },
  'auth-cache-masking': {
    act: async (s) => {
      expect((await validate(s, { service_id: 'platform' })).status).toBe(401);
      return search(s);
    },
    status: 200,
    by: 'mlflow-via-proxy',
    marker: (r) => expect(r.json()).toHaveProperty('experiments'),
  },
  'rate-limited': {
    act: async (s) => {
      const direct = await validate(s, { service_id: 'platform' });
      expect([direct.status, direct.header('retry-after'), direct.header('x-ratelimit-remaining')]).toEqual([429, '30', '0']);
      return search(s);
    },
    status: 429,
    by: 'fastapi',
    marker: (r) => expect(r.header('retry-after')).toBe('60'),
  },
  'scope-missing': {
    act: async (s) => {
      expect((await search(s)).status).toBe(200);
      return jsonRequest(s.registryUrl, `${P}/runs/create`, 'POST', { experiment_id: '0' }, s.apiKey);
    },
    status: 403,
    by: 'fastapi',
    marker: (r) =>
      expect(r.json()).toMatchObject({ error: 'FORBIDDEN', required_scope: 'model:write or mlflow:write', current_scopes: ['read'] }),
  },
  'admin-required': {
    act: search,
    status: 403,
    by: 'fastapi',
    marker: (r) => expect(r.text).toBe('{"detail":"Admin access required for the model registry","error":"REGISTRY_ADMIN_REQUIRED"}'),
  },
  'auth-header-stripped': {
    act: search,
    status: 401,
    by: 'gateway-via-proxy',
    marker: (r) => expect(r.text).toBe('{"detail":"API key required"}'),
  },
  'proxy-not-mounted': { act: search, status: 404, by: 'fastapi', marker: (r) => expect(r.text).toBe('{"detail":"Not Found"}') },
  'no-healthy-targets': {
    act: (s) => request(s.registryUrl, '/health'),
    status: 503,
    by: 'alb',
    marker: (r) => expect(r.text).toContain('<title>503 Service Temporarily Unavailable</title>'),
  },
  'upstream-unreachable': {
    act: search,
    status: 502,
    by: 'fastapi',
    marker: (r) => expect(r.text).toBe('{"detail":"Failed to connect to MLflow server at http://mlflow.hokusai-development.local:5000"}'),
  },
  'gateway-timeout': {
    act: (s) => putArtifact(s),
    status: 504,
    by: 'fastapi',
    marker: (r) => expect(r.text).toBe('{"detail":"MLflow server request timeout after 30.0s"}'),
  },
  'body-too-large': {
    opts: { maxBodyBytes: 1024 },
    act: async (s) => {
      expect((await putArtifact(s, 'small')).status).toBe(200);
      return putArtifact(s, Buffer.alloc(4096));
    },
    status: 413,
    by: 'nginx',
    marker: (r) => expect(r.text).toContain('<title>413 Request Entity Too Large</title>'),
  },
  'artifact-root-s3': {
    act: (s) => jsonRequest(s.registryUrl, `${P}/runs/create`, 'POST', { experiment_id: '0' }, s.apiKey),
    status: 200,
    by: 'mlflow-via-proxy',
    marker: (r) =>
      expect((r.json() as { run: { info: { artifact_uri: string } } }).run.info.artifact_uri).toMatch(
        /^s3:\/\/hokusai-mlflow-artifacts\/artifacts\/0\/[0-9a-f]{32}\/artifacts$/,
      ),
  },
  'storage-denied': {
    act: (s) => putArtifact(s),
    status: 500,
    by: 'mlflow-via-proxy',
    marker: (r) =>
      expect(r.json()).toEqual({
        error_code: 'INTERNAL_ERROR',
        message: 'An error occurred (AccessDenied) when calling the PutObject operation: Access Denied',
      }),
  },
  'artifact-corrupted': {
    act: async (s) => {
      expect((await putArtifact(s, 'abcdefgh')).status).toBe(200);
      return request(s.registryUrl, `${A}/0/run1/artifacts/hokus-check/x.bin`, { headers: auth(s) });
    },
    status: 200,
    by: 'mlflow-via-proxy',
    marker: (r) => {
      expect(r.body.length).toBe(8);
      expect(r.text).not.toBe('abcdefgh');
    },
  },
  'registry-failed': {
    act: async (s) => {
      await createVersion(s);
      expect((await getVersion(s)).json()).toMatchObject({ model_version: { status: 'PENDING_REGISTRATION' } });
      return getVersion(s);
    },
    status: 200,
    by: 'mlflow-via-proxy',
    marker: (r) =>
      expect(r.json()).toMatchObject({
        model_version: { status: 'FAILED_REGISTRATION', status_message: expect.stringMatching(/./) as unknown },
      }),
  },
  'registry-pending-forever': {
    act: async (s) => {
      await createVersion(s);
      await getVersion(s);
      await getVersion(s);
      return getVersion(s);
    },
    status: 200,
    by: 'mlflow-via-proxy',
    marker: (r) => expect(r.json()).toMatchObject({ model_version: { status: 'PENDING_REGISTRATION' } }),
  },
  'backend-db-error': {
    act: async (s) => {
      expect((await request(s.mlflowUrl, '/health')).text).toBe('OK');
      return search(s);
    },
    status: 500,
    by: 'mlflow-via-proxy',
    marker: (r) =>
      expect(r.json()).toMatchObject({
        error_code: 'INTERNAL_ERROR',
        message: expect.stringContaining('password authentication failed for user "mlflow"') as unknown,
      }),
  },
  'host-not-allowed': {
    act: async (s) => {
      expect((await request(s.mlflowUrl, '/api/2.0/mlflow/experiments/search?max_results=1')).status).toBe(200);
      return search(s);
    },
    status: 403,
    by: 'mlflow-via-proxy',
    marker: (r) => {
      expect(r.header('content-type')).toMatch(/^text\/plain/);
      expect(r.text).toBe('Invalid Host header - possible DNS rebinding attack detected');
    },
  },
  'html-instead-of-json': {
    act: search,
    status: 200,
    by: 'mlflow-via-proxy',
    marker: (r) => {
      expect(r.header('content-type')).toBe('text/html; charset=utf-8');
      expect(r.text).toMatch(/^<!doctype html>.*<title>MLflow<\/title>/);
    },
  },
  'health-degraded': {
    act: (s) => request(s.registryUrl, '/health'),
    status: 200,
    by: 'fastapi',
    marker: (r) => expect(r.json()).toMatchObject({ status: 'degraded', services: { api: 'healthy', redis: 'unhealthy' } }),
  },
  'health-mlflow-missing': {
    act: (s) => request(s.registryUrl, '/api/health/mlflow'),
    status: 404,
    by: 'fastapi',
    marker: (r) => expect(r.text).toBe('{"detail":"Not Found"}'),
  },
  slow: {
    opts: { slowMs: 150 },
    act: async (s) => {
      // The stack runs in this process: a 100 ms timer set before the request fires before the
      // fault's 150 ms delay ends (timer order, not a wall-clock measure).
      let earlier = false;
      const timer = setTimeout(() => (earlier = true), 100);
      const res = await jsonRequest(s.registryUrl, `${P}/registered-models/create`, 'POST', { name: 'slow' }, s.apiKey);
      clearTimeout(timer);
      expect(earlier).toBe(true);
      return res;
    },
    status: 200,
    by: 'mlflow-via-proxy',
    marker: (r) => expect(r.json()).toMatchObject({ registered_model: { name: 'slow' } }),
  },
  'proxy-drops-delete-body': {
    act: async (s) => {
      s.seed.registeredModel({ name: 'm' });
      return jsonRequest(s.registryUrl, `${P}/registered-models/delete`, 'DELETE', { name: 'm' }, s.apiKey);
    },
    status: 400,
    by: 'mlflow-via-proxy',
    marker: (r) =>
      expect(r.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'name'") as unknown }),
  },
  'runs-create-500': {
    act: (s) => jsonRequest(s.registryUrl, `${P}/runs/create`, 'POST', { experiment_id: '0' }, s.apiKey),
    status: 500,
    by: 'mlflow-via-proxy',
    marker: (r) => expect(r.json()).toMatchObject({ error_code: 'INTERNAL_ERROR' }),
  },
  'mlflow-crash': {
    act: (s) => jsonRequest(s.registryUrl, `${P}/runs/create`, 'POST', { experiment_id: '0' }, s.apiKey),
    status: 500,
    by: 'mlflow-via-proxy',
    marker: (r) => expect(r.text).toMatch(/^<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error<\/title>/),
  },
  'late-create': {
    opts: { slowMs: 150 },
    act: async (s) => {
      // Timer order, not a wall-clock measure: a 100 ms timer set first fires before the answer.
      let earlier = false;
      const timer = setTimeout(() => (earlier = true), 100);
      const res = await jsonRequest(s.registryUrl, `${P}/runs/create`, 'POST', { experiment_id: '0', run_name: 'late' }, s.apiKey);
      clearTimeout(timer);
      expect(earlier).toBe(true);
      return res;
    },
    status: 200,
    by: 'mlflow-via-proxy',
    marker: (r) => expect(r.json()).toMatchObject({ run: { info: { run_name: 'late' } } }),
  },
  'foreign-run': {
    act: (s) =>
      jsonRequest(
        s.registryUrl,
        `${P}/runs/create`,
        'POST',
        { experiment_id: '0', run_name: 'mine', tags: [{ key: 'hokus-check.id', value: 'c0ffee123456' }] },
        s.apiKey,
      ),
    status: 200,
    by: 'mlflow-via-proxy',
    marker: (r) => expect(r.json()).toMatchObject({ run: { info: { run_name: 'important-training-run' } } }),
  },
  'artifact-delete-fails': {
    act: async (s) => {
      await putArtifact(s);
      return request(s.registryUrl, `${A}/0/run1/artifacts/hokus-check`, { method: 'DELETE', headers: auth(s) });
    },
    status: 500,
    by: 'mlflow-via-proxy',
    marker: (r) => expect(r.json()).toMatchObject({ error_code: 'INTERNAL_ERROR' }),
  },
  'flaky-503': {
    act: async (s) => {
      expect((await request(s.registryUrl, '/health')).status).toBe(503);
      expect((await request(s.registryUrl, '/health')).status).toBe(503);
      expect((await request(s.registryUrl, '/health')).status).toBe(200);
      expect((await search(s)).status).toBe(503);
      expect((await search(s)).status).toBe(503);
      expect((await search(s)).status).toBe(200);
      return search(s);
    },
    status: 200,
    by: 'mlflow-via-proxy',
    marker: () => undefined,
  },
  'starting-up': {
    opts: { unhealthyForMs: 500 },
    act: async (s) => {
      const early = await request(s.registryUrl, '/health');
      expect([early.status, responder(early)]).toEqual([503, 'alb']);
      await new Promise((r) => setTimeout(r, 550));
      return request(s.registryUrl, '/health');
    },
    status: 200,
    by: 'fastapi',
    marker: (r) => expect(r.json()).toMatchObject({ status: 'healthy' }),
  },
  'echo-key': {
    act: search,
    status: 500,
    by: 'fastapi',
    marker: (r, s) => {
      expect(r.header('x-echo-authorization')).toBe(`Bearer ${s.apiKey}`);
      expect(r.text).toContain(s.apiKey);
    },
  },
};

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('faults', () => {
  it('every fault has a one-line summary and a headline case here', () => {
    expect(Object.keys(FAULTS).sort()).toEqual([...FAULT_NAMES].sort());
    expect(Object.keys(CASES).sort()).toEqual([...FAULT_NAMES].sort());
    for (const f of FAULT_NAMES) expect(FAULTS[f].summary).not.toMatch(/\n/);
    expect(isFaultName('slow')).toBe(true);
    expect(isFaultName('nope')).toBe(false);
  });

  it('without faults, the same search passes through to MLflow', async () => {
    stack = await startStack();
    const res = await search(stack);
    expect([res.status, responder(res)]).toEqual([200, 'mlflow-via-proxy']);
  });

  for (const name of FAULT_NAMES) {
    const c = CASES[name];
    it(`${name}: ${c.status} from ${c.by}`, async () => {
      stack = await startStack({ ...c.opts, faults: [name] });
      const res = await c.act(stack);
      expect(res.status, res.text).toBe(c.status);
      expect(responder(res)).toBe(c.by);
      c.marker(res, stack);
    });
  }
});
