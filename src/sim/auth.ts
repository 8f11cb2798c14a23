// The simulated auth service (auth.hokus.ai, FastAPI under uvicorn): POST /api/v1/keys/validate
// as the real service answers it (pinned in test/unit/sim/auth.test.ts), GET /health and GET /. The stack's key is registered for service
// 'platform' ('ml-platform' under the service-id-mismatch fault).
import type http from 'node:http';
import type { FaultName } from './faults.js';
import { readBody } from './http/body.js';
import type { Handler } from './http/listen.js';
import { sendAlb, sendFastApi } from './responders.js';

export interface AuthServiceOptions {
  apiKey: string;
  keyId: string;
  faults: ReadonlySet<FaultName>;
}

/** What a successful validation says about the key (the API keeps it in its cache). */
export interface KeyInfo {
  is_valid: true;
  key_id: string;
  user_id: string;
  service_id: string;
  scopes: string[];
  rate_limit_per_hour: number;
  billing_plan: string;
  is_admin: boolean;
}

export function createAuthService(opts: AuthServiceOptions): Handler {
  return (req, res) => {
    handle(req, res, opts).catch(() => {
      if (!res.headersSent) sendFastApi(res, 500, { detail: 'Internal Server Error' });
    });
  };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, opts: AuthServiceOptions): Promise<void> {
  const { faults } = opts;
  if (faults.has('auth-down') || faults.has('auth-down-legacy')) return sendAlb(res, 503);
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const method = req.method ?? 'GET';

  if (path === '/health' || path === '/') {
    if (method !== 'GET') return sendFastApi(res, 405, { detail: 'Method Not Allowed' });
    return path === '/health'
      ? sendFastApi(res, 200, { status: 'healthy' })
      : sendFastApi(res, 200, { service: 'Hokusai Authentication Service', version: '1.0.0', status: 'operational' });
  }
  if (path !== '/api/v1/keys/validate') return sendFastApi(res, 404, { detail: 'Not Found' });
  if (method !== 'POST') return sendFastApi(res, 405, { detail: 'Method Not Allowed' });

  if (faults.has('rate-limited')) {
    const reset = Math.floor(Date.now() / 1000) + 30;
    return sendFastApi(res, 429, { detail: 'Rate limit exceeded' }, [
      'retry-after',
      '30',
      'x-ratelimit-limit',
      '1000',
      'x-ratelimit-remaining',
      '0',
      'x-ratelimit-reset',
      String(reset),
    ]);
  }

  const { body } = await readBody(req, 64 * 1024);
  let json: Record<string, unknown> = {};
  if (body.length > 0) {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
    } catch {
      return sendFastApi(res, 422, {
        detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: 'Expecting value' } }],
      });
    }
  }

  const key = presentedKey(req);
  if (!key) {
    // The legacy contract put the key in the body; the service no longer reads it there.
    return sendFastApi(res, 401, { detail: typeof json.api_key === 'string' ? 'API key not found or invalid' : 'API key required' });
  }
  const registeredFor = faults.has('service-id-mismatch') ? 'ml-platform' : 'platform';
  const askedFor = typeof json.service_id === 'string' && json.service_id !== '' ? json.service_id : undefined;
  const rejected =
    key !== opts.apiKey ||
    faults.has('key-invalid') ||
    faults.has('auth-cache-masking') ||
    (askedFor !== undefined && askedFor !== registeredFor);
  if (rejected) return sendFastApi(res, 401, { detail: 'Invalid or expired API key' });
  sendFastApi(res, 200, keyInfo(opts, registeredFor));
}

export function keyInfo(opts: AuthServiceOptions, serviceId = 'platform'): KeyInfo {
  return {
    is_valid: true,
    key_id: opts.keyId,
    user_id: 'hokus-sim',
    service_id: serviceId,
    scopes: opts.faults.has('scope-missing') ? ['read'] : ['read', 'write', 'mlflow:write'],
    rate_limit_per_hour: 1000,
    billing_plan: 'free',
    is_admin: !opts.faults.has('admin-required'),
  };
}

/** `Authorization: Bearer <key>`, else `X-API-Key`. */
function presentedKey(req: http.IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m?.[1]) return m[1].trim();
  }
  const x = req.headers['x-api-key'];
  return typeof x === 'string' && x ? x : undefined;
}
