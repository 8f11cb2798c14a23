// A generated hop in front of the embedded stack: a loopback reverse proxy whose product nobody has
// heard of — a made-up `Server` (or none), an optional `Via`, pages of its own in HTML, text or JSON
// that is not MLflow's — laid out like the real proxies of test/real-proxies: the MLflow mount goes
// straight to MLflow with its prefix stripped, every other path to the API. A situation decides, per
// request, whether it forwards, answers itself (after a delay), or resets the connection during an
// upload. For test/e2e/generated-fronts.test.ts: the diagnosis must be right for every such front.
import http from 'node:http';
import fc from 'fast-check';
import { serveHttp } from './safety-servers.js';

export interface FrontLook {
  /** Its `Server` header (on its own answers, and on forwarded ones when it replaces the upstream's). */
  server?: string;
  via?: string;
  replacesServer: boolean;
  /** A header of its own on every answer (a request id, say). */
  extra?: [string, string];
  page: PageKind;
  words: string;
}

export type PageKind = 'html' | 'text' | 'json' | 'empty';

export type FrontAction =
  | { kind: 'forward' }
  /** Forward with the mount prefix kept (MLflow sees /api/mlflow/api/2.0/…). */
  | { kind: 'forward-prefix' }
  | { kind: 'answer'; status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  /** Read `afterBytes` of the request body, then reset the connection. */
  | { kind: 'reset'; afterBytes: number };

export interface FrontRequest {
  method: string;
  path: string;
  contentLength: number;
  /** Requests this front saw before this one. */
  seen: number;
}

export interface GeneratedFront {
  url: string;
  set(look: FrontLook, decide: (r: FrontRequest) => FrontAction): void;
  close(): Promise<void>;
}

const MOUNT = '/api/mlflow/';

export async function startGeneratedFront(upstream: { api: string; mlflow: string }): Promise<GeneratedFront> {
  let look: FrontLook = { replacesServer: false, page: 'text', words: 'front' };
  let decide: (r: FrontRequest) => FrontAction = () => ({ kind: 'forward' });
  let seen = 0;
  const server = await serveHttp((req, res) => {
    const path = req.url ?? '/';
    const action = decide({ method: req.method ?? 'GET', path, contentLength: Number(req.headers['content-length'] ?? 0), seen: seen++ });
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    if (action.kind === 'answer') {
      // The request is read in full, then refused, as a real hop does.
      req.resume();
      req.on('end', () => {
        const send = () => {
          const body = action.body ?? pageOf(look, action.status);
          res.writeHead(action.status, { ...ownHeaders(look, body), ...action.headers });
          res.end(body);
        };
        if (action.delayMs) setTimeout(send, action.delayMs);
        else send();
      });
      return;
    }
    if (action.kind === 'reset') {
      let got = 0;
      req.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got >= action.afterBytes) req.socket.resetAndDestroy();
      });
      return;
    }
    const toMlflow = path.startsWith(MOUNT);
    const target = new URL(toMlflow ? upstream.mlflow : upstream.api);
    const upstreamPath = toMlflow && action.kind === 'forward' ? path.slice(MOUNT.length - 1) : path;
    const out = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: upstreamPath, headers: { ...req.headers, host: target.host } },
      (up) => {
        const headers = { ...up.headers };
        if (look.replacesServer) {
          delete headers.server;
          if (look.server !== undefined) headers.server = look.server;
        }
        if (look.via !== undefined) headers.via = look.via;
        if (look.extra) headers[look.extra[0]] = look.extra[1];
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502, ownHeaders(look, '')).end();
      else res.destroy();
    });
    req.pipe(out);
  });
  return {
    url: server.url,
    set(l, d) {
      look = l;
      decide = d;
      seen = 0;
    },
    close: () => server.close(),
  };
}

function ownHeaders(look: FrontLook, body: string): Record<string, string> {
  const h: Record<string, string> = { 'content-length': String(Buffer.byteLength(body)) };
  if (body !== '') h['content-type'] = look.page === 'html' ? 'text/html' : look.page === 'json' ? 'application/json' : 'text/plain';
  if (look.server !== undefined) h.server = look.server;
  if (look.via !== undefined) h.via = look.via;
  if (look.extra) h[look.extra[0]] = look.extra[1];
  return h;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The front's own page for `status`, in its look: never MLflow's shapes, never the API's `detail`. */
export function pageOf(look: FrontLook, status: number, say = look.words): string {
  const reason = REASONS[status] ?? 'Error';
  switch (look.page) {
    case 'html':
      return `<html><head><title>${status} ${reason}</title></head><body><h1>${reason}</h1><p>${say}</p></body></html>\n`;
    case 'json':
      return JSON.stringify({ message: say, status, error: reason });
    case 'empty':
      return '';
    default:
      return `${status} ${reason}: ${say}`;
  }
}

// --- what a front looks like, generated ------------------------------------------------------------

/** Lower-case words that are no product a profile knows and say nothing of timeouts, limits or connections. */
const word = fc
  .stringMatching(/^[a-z]{3,9}$/)
  .filter(
    (w) =>
      !/nginx|openresty|apache|caddy|envoy|istio|kong|traefik|cloudflare|cloudfront|awselb|google|azure|microsoft|haproxy|gunicorn|uvicorn|werkzeug|waitress|time|limit|quota|thrott|refus|connect|route|reach|resolv|dial|health/.test(
        w,
      ),
  );

export const frontLookArb: fc.Arbitrary<FrontLook> = fc.record(
  {
    server: fc.oneof(
      fc.tuple(word, fc.nat(9), fc.nat(30)).map(([w, a, b]) => `${w.charAt(0).toUpperCase()}${w.slice(1)}/${a}.${b}`),
      fc.tuple(word, word).map(([a, b]) => `${a}-${b}`),
    ),
    via: fc.tuple(fc.constantFrom('1.1', '1.0', 'HTTP/1.1'), word).map(([v, w]) => `${v} ${w}`),
    replacesServer: fc.boolean(),
    extra: fc.tuple(word, fc.stringMatching(/^[0-9a-f]{8,16}$/)).map(([w, v]) => [`x-${w}-id`, v] as [string, string]),
    page: fc.constantFrom<PageKind>('html', 'text', 'json', 'empty'),
    words: fc.array(word, { minLength: 1, maxLength: 6 }).map((ws) => ws.join(' ')),
  },
  { requiredKeys: ['replacesServer', 'page', 'words'] },
);
