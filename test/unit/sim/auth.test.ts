// The auth service and the API's auth middleware (key sources, validation over HTTP, the cache).
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../src/sim/stack.js';
import { jsonRequest, request } from './http.js';

const SEARCH = '/api/mlflow/api/2.0/mlflow/experiments/search?max_results=1';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const validations = (s: Stack): number => s.requests().filter((r) => r.server === 'auth' && r.path === '/api/v1/keys/validate').length;

describe('auth service', () => {
  it('validates the stack key for service "platform", with or without service_id', async () => {
    stack = await startStack();
    const res = await jsonRequest(
      stack.authUrl,
      '/api/v1/keys/validate',
      'POST',
      { service_id: 'platform', client_ip: '127.0.0.1' },
      stack.apiKey,
    );
    expect(res.status).toBe(200);
    expect(res.header('server')).toBe('uvicorn');
    expect(res.json()).toEqual({
      is_valid: true,
      key_id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      user_id: 'hokus-sim',
      service_id: 'platform',
      scopes: ['read', 'write', 'mlflow:write'],
      rate_limit_per_hour: 1000,
      billing_plan: 'free',
      is_admin: true,
    });
    expect((await jsonRequest(stack.authUrl, '/api/v1/keys/validate', 'POST', {}, stack.apiKey)).status).toBe(200);
    expect(
      (await request(stack.authUrl, '/api/v1/keys/validate', { method: 'POST', headers: { 'x-api-key': stack.apiKey }, body: '' })).status,
    ).toBe(200);
  });

  it('answers 401 "API key required" without a key and "Invalid or expired API key" for another key', async () => {
    stack = await startStack();
    const none = await jsonRequest(stack.authUrl, '/api/v1/keys/validate', 'POST', { service_id: 'platform' });
    expect([none.status, none.text]).toEqual([401, '{"detail":"API key required"}']);
    const wrong = await jsonRequest(stack.authUrl, '/api/v1/keys/validate', 'POST', { service_id: 'platform' }, 'hk_test_wrong');
    expect([wrong.status, wrong.text]).toEqual([401, '{"detail":"Invalid or expired API key"}']);
  });

  it('serves /health and the / banner', async () => {
    stack = await startStack();
    expect((await request(stack.authUrl, '/health')).text).toBe('{"status":"healthy"}');
    expect((await request(stack.authUrl, '/')).json()).toEqual({
      service: 'Hokusai Authentication Service',
      version: '1.0.0',
      status: 'operational',
    });
  });
});

describe('API auth middleware', () => {
  it('validates a key once over HTTP and serves later requests from its cache', async () => {
    stack = await startStack();
    const headers = { authorization: `Bearer ${stack.apiKey}` };
    expect((await request(stack.registryUrl, SEARCH, { headers })).status).toBe(200);
    expect((await request(stack.registryUrl, SEARCH, { headers })).status).toBe(200);
    expect(validations(stack)).toBe(1);
    const call = stack.requests().find((r) => r.server === 'auth');
    expect(call?.headers.authorization).toBe('<redacted>');
    expect(call?.headers['content-type']).toBe('application/json');
  });

  it('does not cache failures', async () => {
    stack = await startStack();
    const headers = { authorization: 'Bearer hk_test_not-the-key' };
    expect((await request(stack.registryUrl, SEARCH, { headers })).status).toBe(401);
    expect((await request(stack.registryUrl, SEARCH, { headers })).status).toBe(401);
    expect(validations(stack)).toBe(2);
  });

  it('takes the key from Bearer, ApiKey, X-API-Key or ?api_key= — and never records it', async () => {
    const lines: string[] = [];
    stack = await startStack({ log: (l) => lines.push(l) });
    const key = stack.apiKey;
    expect((await request(stack.registryUrl, SEARCH, { headers: { authorization: `ApiKey ${key}` } })).status).toBe(200);
    expect((await request(stack.registryUrl, SEARCH, { headers: { 'x-api-key': key } })).status).toBe(200);
    expect((await request(stack.registryUrl, `${SEARCH}&api_key=${key}`)).status).toBe(200);
    const none = await request(stack.registryUrl, SEARCH);
    expect([none.status, none.text]).toEqual([401, '{"detail":"API key required"}']);
    expect(JSON.stringify(stack.requests())).not.toContain(key);
    expect(lines.join('\n')).not.toContain(key);
    expect(lines.some((l) => /^api {2}GET \/api\/mlflow\/.*api_key=<redacted> -> 200$/.test(l))).toBe(true);
  });

  it('lets health endpoints through without a key, and 401s other paths before routing', async () => {
    stack = await startStack();
    expect((await request(stack.registryUrl, '/health')).json()).toMatchObject({
      status: 'healthy',
      services: { api: 'healthy', mlflow: 'healthy' },
    });
    expect((await request(stack.registryUrl, '/api/health/mlflow')).json()).toMatchObject({ status: 'ok', sample_model: null });
    expect((await request(stack.registryUrl, '/version')).json()).toMatchObject({ version: '1.0.0', api_version: 'v1' });
    expect((await request(stack.registryUrl, '/health?detailed=true')).status).toBe(500);
    expect((await request(stack.registryUrl, '/no-such-path')).status).toBe(401);
    const notFound = await request(stack.registryUrl, '/no-such-path', { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect([notFound.status, notFound.text]).toEqual([404, '{"detail":"Not Found"}']);
  });

  it('service-id-mismatch: the API, which asks for "platform", rejects the key', async () => {
    stack = await startStack({ faults: ['service-id-mismatch'] });
    const res = await request(stack.registryUrl, SEARCH, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect([res.status, res.text]).toEqual([401, '{"detail":"Invalid or expired API key"}']);
  });
});
