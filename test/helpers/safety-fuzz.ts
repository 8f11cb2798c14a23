// The fuzz test's deployment: a loopback server in front of the embedded stack that, per kind of
// request (validate, experiments/search, PUT artifact, …), either forwards it to the stack (a
// normal answer, so the check can get deep) or answers a generated one: any status, headers and
// body bytes (the key echoed in various encodings included), broken framing, a few ms of delay, a
// connection closed or reset early. The arbitraries that generate these plans live here too.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import fc from 'fast-check';
import { forward } from './forward.js';

export const REQUEST_KINDS = [
  'validate',
  'health',
  'health-mlflow',
  'experiments-search',
  'get-by-name',
  'experiments-create',
  'runs-create',
  'artifact-put',
  'artifact-get',
  'artifact-list',
  'registered-models-create',
  'model-versions-create',
  'model-versions-get',
  'model-versions-delete',
  'registered-models-delete',
  'artifact-delete',
  'runs-delete',
  'other',
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

const ENDPOINTS: Array<[string, RequestKind]> = [
  ['experiments/search', 'experiments-search'],
  ['experiments/get-by-name', 'get-by-name'],
  ['experiments/create', 'experiments-create'],
  ['runs/create', 'runs-create'],
  ['registered-models/create', 'registered-models-create'],
  ['model-versions/create', 'model-versions-create'],
  ['model-versions/get', 'model-versions-get'],
  ['model-versions/delete', 'model-versions-delete'],
  ['registered-models/delete', 'registered-models-delete'],
  ['runs/delete', 'runs-delete'],
];

export function kindOf(method: string, url: string): RequestKind {
  const path = url.split('?')[0] ?? '';
  if (path.endsWith('/api/v1/keys/validate')) return 'validate';
  if (path === '/health') return 'health';
  if (path === '/api/health/mlflow') return 'health-mlflow';
  if (path.includes('mlflow-artifacts/artifacts')) {
    if (method === 'PUT') return 'artifact-put';
    if (method === 'DELETE') return 'artifact-delete';
    return url.includes('path=') ? 'artifact-list' : 'artifact-get';
  }
  for (const [endpoint, kind] of ENDPOINTS) if (path.endsWith(`/${endpoint}`)) return kind;
  return 'other';
}

/** How the key is echoed back, when a generated body or header carries it. */
export type EchoForm = 'raw' | 'base64' | 'base64url' | 'url-encoded' | 'basic' | 'bearer' | 'query';

export type Body =
  | { kind: 'empty' }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'json'; text: string }
  | { kind: 'html'; page: string }
  | { kind: 'echo'; form: EchoForm; wrap: 'json' | 'text' | 'html' }
  | { kind: 'big'; size: number };

export interface Hostile {
  statusLine: string;
  headers: Array<[string, string | { echo: EchoForm }]>;
  contentType?: string;
  body: Body;
  framing: 'exact' | 'none' | 'chunked' | 'bad-chunked' | 'longer' | 'shorter';
  end: 'complete' | 'close-at-once' | 'mid-headers' | 'mid-body' | 'reset-mid-body';
  delayMs: number;
  splitMs: number;
}

export type Answer = 'normal' | Hostile;
export type Plan = Partial<Record<RequestKind, Answer>>;

// ---------------------------------------------------------------------------------------------
// Arbitraries

const STATUSES = [200, 201, 204, 301, 302, 304, 307, 308, 400, 401, 403, 404, 405, 409, 413, 429, 500, 502, 503, 504];
const ECHO_FORMS: EchoForm[] = ['raw', 'base64', 'base64url', 'url-encoded', 'basic', 'bearer', 'query'];

const statusLineArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...STATUSES).map((s) => `HTTP/1.1 ${s} X`) },
  { weight: 2, arbitrary: fc.integer({ min: 100, max: 599 }).map((s) => `HTTP/1.1 ${s} Whatever`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('HTTP/1.0 200 OK', 'HTTP/1.1 200', 'HTTP/2 200 OK', 'garbage', 'HTTP/1.1 1000 Big', 'HTTP/1.1 20 Short', ''),
  },
);

const jsonTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{}',
    '{"experiments": "nope"}',
    '{"experiments": [{"experiment_id": 0}]}',
    '{"experiment": {"experiment_id": "1", "name": "hokus-check"}}',
    '{"run": {"info": {}}}',
    '{"run": {"info": {"run_id": "r", "experiment_id": "1", "artifact_uri": "s3://bucket/x"}}}',
    '{"registered_model": null}',
    '{"model_version": {"version": "1", "status": "PENDING_REGISTRATION"}}',
    '{"model_version": {"version": "1", "status": "FAILED_REGISTRATION", "status_message": "no"}}',
    '{"files": "x"}',
    '{"is_valid": "true"}',
    '{"is_valid": true, "scopes": "all"}',
    '{"status": "degraded", "services": {"redis": "unhealthy"}}',
    '{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "nope"}',
    '{"error_code": "RESOURCE_ALREADY_EXISTS", "message": "exists"}',
    '{"error_code": "INTERNAL_ERROR", "message": "(psycopg2.OperationalError) could not connect"}',
    '{"detail": "Not Found"}',
    '{"detail": {"error": "REGISTRY_ADMIN_REQUIRED"}}',
    '{"detail": "Authentication service error"}',
    '{"experiments": [], "next_page_token": 5}',
    '[1, 2, 3]',
    'null',
    '{"a":',
  ),
);

const htmlArb = fc.constantFrom(
  '<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>',
  '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>',
  '<!DOCTYPE html><html><head><title>MLflow</title></head><body><div id="root"></div></body></html>',
  '<html><body>OK',
);

const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Body>({ kind: 'empty' }) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): Body => ({ kind: 'bytes', bytes })) },
  { weight: 6, arbitrary: jsonTextArb.map((text): Body => ({ kind: 'json', text })) },
  { weight: 2, arbitrary: htmlArb.map((page): Body => ({ kind: 'html', page })) },
  {
    weight: 4,
    arbitrary: fc
      .record({ form: fc.constantFrom(...ECHO_FORMS), wrap: fc.constantFrom('json' as const, 'text' as const, 'html' as const) })
      .map((e): Body => ({ kind: 'echo', ...e })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1024 * 1024 - 64, max: 1024 * 1024 + 200_000 }).map((size): Body => ({ kind: 'big', size })) },
);

const headerArb: fc.Arbitrary<[string, string | { echo: EchoForm }]> = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['server', 'uvicorn'],
    ['server', 'gunicorn'],
    ['server', 'awselb/2.0'],
    ['server', 'nginx/1.25.3'],
    ['server', 'Werkzeug/3.0.1 Python/3.11'],
    ['retry-after', '30'],
    ['retry-after', 'soon'],
    ['location', 'http://127.0.0.1:1/elsewhere'],
    ['set-cookie', 'AWSALB=abc123; Path=/'],
    ['www-authenticate', 'Bearer realm="hokusai"'],
    ['content-encoding', 'gzip'],
    ['x-request-id', '00000000-0000-0000-0000-000000000000'],
  ),
  fc
    .constantFrom(...ECHO_FORMS)
    .chain((form) =>
      fc.constantFrom<[string, { echo: EchoForm }]>(
        ['x-echo', { echo: form }],
        ['set-cookie', { echo: form }],
        ['location', { echo: form }],
        ['www-authenticate', { echo: form }],
      ),
    ),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), fc.string({ maxLength: 40 })),
);

export const hostileArb: fc.Arbitrary<Hostile> = fc.record(
  {
    statusLine: statusLineArb,
    headers: fc.array(headerArb, { maxLength: 4 }),
    contentType: fc.constantFrom(
      'application/json',
      'text/html; charset=utf-8',
      'text/plain',
      'application/octet-stream',
      'application/json; charset=latin1',
      '',
    ),
    body: bodyArb,
    framing: fc.constantFrom(
      'exact' as const,
      'exact' as const,
      'none' as const,
      'chunked' as const,
      'bad-chunked' as const,
      'longer' as const,
      'shorter' as const,
    ),
    end: fc.constantFrom(
      'complete' as const,
      'complete' as const,
      'complete' as const,
      'close-at-once' as const,
      'mid-headers' as const,
      'mid-body' as const,
      'reset-mid-body' as const,
    ),
    delayMs: fc.integer({ min: 0, max: 3 }),
    splitMs: fc.integer({ min: 0, max: 3 }),
  },
  { requiredKeys: ['statusLine', 'headers', 'body', 'framing', 'end', 'delayMs', 'splitMs'] },
);

const answerArb: fc.Arbitrary<Answer> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Answer>('normal') },
  { weight: 1, arbitrary: hostileArb },
);

/** A plan: for each kind of request, forward it or answer a generated thing (the same for repeats). */
export const planArb: fc.Arbitrary<Plan> = fc.record(
  Object.fromEntries(REQUEST_KINDS.map((k) => [k, answerArb])) as Record<RequestKind, fc.Arbitrary<Answer>>,
);

// ---------------------------------------------------------------------------------------------
// The server

export interface FuzzServer {
  url: string;
  /** The plan for the next check. */
  setPlan(plan: Plan): void;
  close(): Promise<void>;
}

/** A loopback server that plays registry and auth service: the stack's answers or the plan's. */
export async function startFuzzServer(stack: { registryUrl: string; authUrl: string }): Promise<FuzzServer> {
  let plan: Plan = {};
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const kind = kindOf(req.method ?? 'GET', req.url ?? '/');
    const answer = plan[kind] ?? 'normal';
    if (answer === 'normal') forward(req, res, kind === 'validate' ? stack.authUrl : stack.registryUrl);
    else void answerRaw(req.socket, answer, bearerOf(req.headers.authorization));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setPlan: (p) => {
      plan = p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function bearerOf(authorization: string | undefined): string {
  return /^Bearer\s+(.*)$/i.exec(authorization ?? '')?.[1] ?? '';
}

/** The key as a server might echo it. */
export function echoed(key: string, form: EchoForm): string {
  switch (form) {
    case 'raw':
      return key;
    case 'base64':
      return Buffer.from(key).toString('base64');
    case 'base64url':
      return Buffer.from(key).toString('base64url');
    case 'url-encoded':
      return encodeURIComponent(key);
    case 'basic':
      return `Basic ${Buffer.from(`user:${key}`).toString('base64')}`;
    case 'bearer':
      return `Bearer ${key}`;
    case 'query':
      return `http://127.0.0.1:1/cb?api_key=${encodeURIComponent(key)}&x=1`;
  }
}

function bodyBytes(body: Body, key: string): Buffer {
  switch (body.kind) {
    case 'empty':
      return Buffer.alloc(0);
    case 'bytes':
      return Buffer.from(body.bytes);
    case 'json':
      return Buffer.from(body.text);
    case 'html':
      return Buffer.from(body.page);
    case 'echo': {
      const value = echoed(key, body.form);
      if (body.wrap === 'json')
        return Buffer.from(JSON.stringify({ detail: `upstream rejected ${value}`, error_code: 'UNAUTHENTICATED', message: value }));
      if (body.wrap === 'html') return Buffer.from(`<html><head><title>Denied</title></head><body>token ${value}</body></html>`);
      return Buffer.from(`denied: ${value}\n`);
    }
    case 'big': {
      const b = Buffer.alloc(body.size, 0x61);
      b.write('{"experiments": [], "pad": "');
      return b;
    }
  }
}

async function answerRaw(socket: Socket, a: Hostile, key: string): Promise<void> {
  const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
  socket.on('error', () => undefined);
  await sleep(a.delayMs);
  if (socket.destroyed) return;
  if (a.end === 'close-at-once') {
    socket.destroy();
    return;
  }
  const body = bodyBytes(a.body, key);
  const lines = a.statusLine ? [a.statusLine] : [];
  if (a.contentType) lines.push(`content-type: ${a.contentType}`);
  for (const [name, value] of a.headers)
    lines.push(`${name}: ${typeof value === 'string' ? value.replace(/[\r\n]/g, ' ') : echoed(key, value.echo)}`);
  lines.push('connection: close');
  let payload = body;
  switch (a.framing) {
    case 'exact':
      lines.push(`content-length: ${body.length}`);
      break;
    case 'longer':
      lines.push(`content-length: ${body.length + 17}`);
      break;
    case 'shorter':
      lines.push(`content-length: ${Math.max(0, body.length - 3)}`);
      break;
    case 'chunked':
      lines.push('transfer-encoding: chunked');
      payload = Buffer.concat([
        body.length ? Buffer.from(`${body.length.toString(16)}\r\n`) : Buffer.alloc(0),
        body,
        Buffer.from(body.length ? '\r\n0\r\n\r\n' : '0\r\n\r\n'),
      ]);
      break;
    case 'bad-chunked':
      lines.push('transfer-encoding: chunked');
      payload = Buffer.concat([Buffer.from('zz\r\n'), body]);
      break;
    case 'none':
      break;
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  if (a.end === 'mid-headers') {
    socket.write(head.subarray(0, Math.floor(head.length / 2)));
    socket.destroy();
    return;
  }
  socket.write(head);
  await sleep(a.splitMs);
  if (socket.destroyed) return;
  if (a.end === 'mid-body' || a.end === 'reset-mid-body') {
    socket.write(payload.subarray(0, Math.floor(payload.length / 2)));
    if (a.end === 'reset-mid-body') socket.resetAndDestroy();
    else socket.destroy();
    return;
  }
  socket.end(payload);
}
