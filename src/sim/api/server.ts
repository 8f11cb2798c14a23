// The simulated Hokusai API service (FastAPI under uvicorn) with the ALB/nginx in front of it:
// front door → auth middleware → health endpoints and the /api/mlflow proxy → FastAPI's 404.
import http from 'node:http';
import type { FaultName } from '../faults.js';
import type { Handler } from '../http/listen.js';
import { crash } from '../http/recorder.js';
import { sendFastApi } from '../responders.js';
import { FrontDoor } from './front.js';
import { serveHealth } from './health.js';
import { authenticate, skipsAuth, ValidationCache } from './middleware.js';
import { proxyToMlflow } from './proxy.js';
import type { Upstream } from './upstream.js';

export interface ApiServiceOptions {
  faults: ReadonlySet<FaultName>;
  authUrl: string;
  upstream: Upstream;
  startedAt: number;
  unhealthyForMs: number;
  maxBodyBytes: number;
  cache: ValidationCache;
}

export interface ApiService {
  handle: Handler;
  close(): void;
}

const MOUNTS = ['/api/mlflow/', '/mlflow/'];
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const PROXY_TIMEOUT_MS = 30_000;

export function createApiService(opts: ApiServiceOptions): ApiService {
  const front = new FrontDoor(opts);
  const agent = new http.Agent({ keepAlive: true });
  const { faults } = opts;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const query = new URLSearchParams(rawQuery);
    const method = req.method ?? 'GET';

    const entry = front.handle(req, res, pathname);
    if (entry.answered) return;

    const mount = MOUNTS.find((m) => pathname.startsWith(m));
    if (!skipsAuth(pathname, method)) {
      const principal = await authenticate(req, res, query, { authUrl: opts.authUrl, faults, cache: opts.cache, agent });
      if (!principal) return;
      if (mount && !principal.info.is_admin) {
        return sendFastApi(res, 403, { detail: 'Admin access required for the model registry', error: 'REGISTRY_ADMIN_REQUIRED' });
      }
      if (mount && WRITE_METHODS.has(method) && !hasWriteScope(principal.info.scopes)) {
        return sendFastApi(res, 403, {
          detail: 'Insufficient permissions for this operation',
          error: 'FORBIDDEN',
          message: `${method} ${pathname} needs a write scope; this API key has: ${principal.info.scopes.join(', ')}`,
          required_scope: 'model:write or mlflow:write',
          current_scopes: principal.info.scopes,
        });
      }
      if (mount && !faults.has('proxy-not-mounted')) {
        const subpath = pathname.slice(mount.length);
        return proxyToMlflow(req, res, subpath, rawQuery, principal, entry.body, {
          faults,
          upstream: opts.upstream,
          timeoutMs: PROXY_TIMEOUT_MS,
        });
      }
    } else if (await serveHealth(req, res, pathname, query, { faults, upstream: opts.upstream })) {
      return;
    }
    sendFastApi(res, 404, { detail: 'Not Found' });
  };

  return {
    handle: (req, res) => {
      handle(req, res).catch((err: unknown) => crash(res, err));
    },
    close: () => agent.destroy(),
  };
}

const WRITE_SCOPES = ['model:write', 'mlflow:write', 'mlflow:access', 'admin', 'mlflow:admin', 'write', 'full_access'];

function hasWriteScope(scopes: string[]): boolean {
  return scopes.some((s) => WRITE_SCOPES.includes(s));
}
