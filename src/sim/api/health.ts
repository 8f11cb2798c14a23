// The API service's unauthenticated endpoints: /health (lightweight, "degraded" under some
// faults), /api/health/mlflow (a real registered-models/search probe against MLflow, the way the
// MLflow SDK makes it), /version, /ready, /live and the / banner.
import http from 'node:http';
import type { FaultName } from '../faults.js';
import { sendFastApi, sendFastApiText } from '../responders.js';
import type { Upstream } from './upstream.js';

export interface HealthOptions {
  faults: ReadonlySet<FaultName>;
  upstream: Upstream;
}

/** Answers the route if it is one of the health endpoints; false when it is not. */
export async function serveHealth(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
  query: URLSearchParams,
  opts: HealthOptions,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const routes: Record<string, () => Promise<void> | void> = {
    '/health': () => health(res, query, opts),
    '/api/health/mlflow': () => mlflowHealth(res, opts),
    '/version': () => sendFastApi(res, 200, { version: '1.0.0', build_date: '2025-01-01', git_commit: 'unknown', api_version: 'v1' }),
    '/ready': () => sendFastApi(res, 200, { ready: true, timestamp: pyTimestamp() }),
    '/live': () => sendFastApi(res, 200, { alive: true, timestamp: pyTimestamp() }),
    '/': () =>
      sendFastApi(res, 200, {
        service: 'Hokusai Data Pipeline API',
        version: '1.0.0',
        health_check: '/health',
        health_endpoints: ['/health', '/health/alb', '/ready', '/live', '/api/health/mlflow'],
        documentation: '/docs',
      }),
  };
  if (pathname === '/api/health/mlflow' && opts.faults.has('health-mlflow-missing')) return false;
  const route = routes[pathname];
  if (!route) return false;
  if (method !== 'GET') {
    sendFastApi(res, 405, { detail: 'Method Not Allowed' });
    return true;
  }
  await route();
  return true;
}

function health(res: http.ServerResponse, query: URLSearchParams, opts: HealthOptions): void {
  if (query.get('detailed') === 'true') {
    // Some versions crash on the detailed dependency checks: clients must not rely on it.
    sendFastApiText(res, 500, 'Internal Server Error');
    return;
  }
  const services: Record<string, string> = { api: 'healthy', mlflow: 'healthy', dependency_checks: 'skipped' };
  let status = 'healthy';
  if (opts.faults.has('artifacts-misrouted')) {
    // The API's own MLflow check goes through the same misrouted base URL.
    status = 'degraded';
    services.mlflow = 'unhealthy';
  }
  if (opts.faults.has('health-degraded')) {
    status = 'degraded';
    services.redis = 'unhealthy';
  }
  sendFastApi(res, 200, { status, version: '1.0.0', services, timestamp: pyTimestamp() });
}

async function mlflowHealth(res: http.ServerResponse, opts: HealthOptions): Promise<void> {
  const started = performance.now();
  const endpoint = '/api/2.0/mlflow/registered-models/search';
  const probe = await get(`${opts.upstream.base.replace(/\/+$/, '')}${endpoint}?max_results=1`, opts.upstream.hostHeader);
  const latency = Math.round((performance.now() - started) * 100) / 100;
  const base = { tracking_uri: opts.upstream.display, latency_ms: latency };
  if (probe.status === 200) {
    let sample: string | null;
    try {
      const json = JSON.parse(probe.body) as { registered_models?: Array<{ name?: string }> };
      sample = json.registered_models?.[0]?.name ?? null;
    } catch {
      sample = null;
    }
    sendFastApi(res, 200, { status: 'ok', ...base, sample_model: sample });
    return;
  }
  const error =
    probe.status === undefined
      ? `API request to ${opts.upstream.display}${endpoint} failed with exception ${connectionError(opts.upstream.display, `${endpoint}?max_results=1`, probe.error ?? '')}`
      : `API request to endpoint ${endpoint} failed with error code ${probe.status} != 200. Response body: '${probe.body.slice(0, 300)}'`;
  sendFastApi(res, 503, { status: 'error', ...base, sample_model: null, error_type: 'MlflowException', error });
}

function get(url: string, hostHeader: string | undefined): Promise<{ status?: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get(
      url,
      { timeout: 5000, headers: { 'user-agent': 'mlflow-python-client/2.12.2', ...(hostHeader ? { host: hostHeader } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolve({ body: '', error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('Read timed out. (read timeout=5)')));
    req.on('error', (err) => resolve({ body: '', error: err.message }));
  });
}

/** How requests/urllib3 word a failed connection, naming the API's configured MLflow host. */
function connectionError(display: string, path: string, cause: string): string {
  const url = new URL(display);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const why = /timed out/i.test(cause)
    ? 'Read timed out. (read timeout=5)'
    : "NewConnectionError('<urllib3.connection.HTTPConnection object>: Failed to establish a new connection: [Errno 111] Connection refused')";
  return `HTTPConnectionPool(host='${url.hostname}', port=${port}): Max retries exceeded with url: ${path} (Caused by ${why})`;
}

/** datetime.utcnow().isoformat(): microseconds, no zone. */
function pyTimestamp(): string {
  return `${new Date().toISOString().slice(0, -1)}000`;
}
