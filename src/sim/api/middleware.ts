// The API service's auth middleware (src/middleware/auth.py): takes the key from Bearer, ApiKey,
// X-API-Key or ?api_key=, validates it by calling the auth service over HTTP, and caches successful
// validations for 300 s. Failures answer as the platform does (401 / 429 / 503, or the older 401).
import http from 'node:http';
import type { KeyInfo } from '../auth.js';
import type { FaultName } from '../faults.js';
import { sendFastApi } from '../responders.js';

/** Paths that skip auth (prefix match), as in the middleware's list. */
const SKIP_AUTH_PREFIXES = [
  '/health',
  '/ready',
  '/live',
  '/version',
  '/metrics',
  '/docs',
  '/openapi.json',
  '/redoc',
  '/favicon.ico',
  '/api/v1/dspy/health',
  '/api/health/mlflow',
];

export const CACHE_TTL_MS = 300_000;

export class ValidationCache {
  private readonly entries = new Map<string, { info: KeyInfo; expires: number }>();

  get(key: string): KeyInfo | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.info;
  }

  set(key: string, info: KeyInfo, ttlMs = CACHE_TTL_MS): void {
    this.entries.set(key, { info, expires: Date.now() + ttlMs });
  }
}

export interface Principal {
  key: string;
  info: KeyInfo;
}

export interface AuthOptions {
  authUrl: string;
  faults: ReadonlySet<FaultName>;
  cache: ValidationCache;
  agent: http.Agent;
}

export function skipsAuth(pathname: string, method: string): boolean {
  return method === 'OPTIONS' || pathname === '/' || SKIP_AUTH_PREFIXES.some((p) => pathname.startsWith(p));
}

/** Authenticates the request; on failure the reply is sent and undefined returned. */
export async function authenticate(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  query: URLSearchParams,
  opts: AuthOptions,
): Promise<Principal | undefined> {
  const key = extractKey(req, query);
  if (!key) {
    sendFastApi(res, 401, { detail: 'API key required' });
    return undefined;
  }
  const cached = opts.cache.get(key);
  if (cached) return { key, info: cached };

  const legacy = opts.faults.has('auth-down-legacy');
  const outcome = await validate(opts, key, clientIp(req));
  switch (outcome.kind) {
    case 'valid':
      opts.cache.set(key, outcome.info);
      return { key, info: outcome.info };
    case 'invalid':
      sendFastApi(res, 401, { detail: 'Invalid or expired API key' });
      return undefined;
    case 'rate-limited':
      sendFastApi(res, 429, { detail: 'Rate limit exceeded' }, ['retry-after', '60']);
      return undefined;
    case 'unavailable':
      if (legacy) sendFastApi(res, 401, { detail: 'Authentication service unavailable' });
      else sendFastApi(res, 503, { detail: `Authentication service ${outcome.what}` }, ['retry-after', '1']);
      return undefined;
  }
}

/** get_api_key_from_request: Bearer, then ApiKey, then X-API-Key, then ?api_key=. */
export function extractKey(req: http.IncomingMessage, query: URLSearchParams): string | undefined {
  const auth = req.headers.authorization?.trim();
  if (auth) {
    const m = /^(Bearer|ApiKey)\s+(.+)$/i.exec(auth);
    if (m?.[2]) return m[2].trim();
  }
  const x = req.headers['x-api-key'];
  if (typeof x === 'string' && x) return x;
  return query.get('api_key') || undefined;
}

type Validation =
  | { kind: 'valid'; info: KeyInfo }
  | { kind: 'invalid' }
  | { kind: 'rate-limited' }
  | { kind: 'unavailable'; what: 'error' | 'timeout' | 'unavailable' };

/** POST {authUrl}/api/v1/keys/validate with the key as Bearer, 10 s timeout (the API's setting). */
function validate(opts: AuthOptions, key: string, ip: string): Promise<Validation> {
  const body = JSON.stringify({ service_id: 'platform', client_ip: ip });
  return new Promise((resolve) => {
    const req = http.request(
      `${opts.authUrl}/api/v1/keys/validate`,
      {
        method: 'POST',
        agent: opts.agent,
        timeout: 10_000,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'python-httpx/0.27.0',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => resolve({ kind: 'unavailable', what: 'error' }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 200) {
            try {
              const info = JSON.parse(Buffer.concat(chunks).toString('utf8')) as KeyInfo;
              resolve(info.is_valid ? { kind: 'valid', info } : { kind: 'invalid' });
            } catch {
              resolve({ kind: 'unavailable', what: 'error' });
            }
          } else if (status === 429) resolve({ kind: 'rate-limited' });
          else if (status >= 500) resolve({ kind: 'unavailable', what: 'error' });
          else resolve({ kind: 'invalid' });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({ kind: 'unavailable', what: 'timeout' });
    });
    req.on('error', () => resolve({ kind: 'unavailable', what: 'unavailable' }));
    req.end(body);
  });
}

function clientIp(req: http.IncomingMessage): string {
  const fwd = req.headers['x-forwarded-for'];
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress || 'unknown';
}
