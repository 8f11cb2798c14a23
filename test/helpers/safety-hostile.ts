// A fake Hokusai deployment on one raw TCP port: auth, health and the MLflow proxy answer normally,
// except where a test plugs in a hostile answer — written as raw bytes, so it can be malformed HTTP.
import type net from 'node:net';
import { serveRaw, type Received, type TestServer } from './safety-servers.js';

/** Writes a whole answer (or misbehaves) on the socket; the socket is the test's to end. */
export type Answer = (socket: net.Socket, request: Received) => void | Promise<void>;

/** A complete HTTP/1.1 response, then the connection closes. */
export function respond(status: number, headers: Record<string, string>, body: Buffer | string = ''): Answer {
  return (socket) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    socket.end(Buffer.concat([head(status, { 'content-length': String(bytes.length), ...headers }), bytes]));
  };
}

/** The status line and headers (`connection: close` added), as bytes. */
export function head(status: number, headers: Record<string, string>): Buffer {
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Whatever'}`];
  for (const [name, value] of Object.entries({ connection: 'close', ...headers })) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  302: 'Found',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const json = (value: unknown): Answer => respond(200, { 'content-type': 'application/json' }, JSON.stringify(value));

/** What a healthy deployment answers, by path. */
export function normalAnswer(request: Received): Answer {
  const path = request.path;
  if (path.startsWith('/api/v1/keys/validate'))
    return json({ is_valid: true, key_id: 'k1', service_id: 'platform', scopes: ['read', 'write', 'mlflow:write'] });
  if (path === '/health') return json({ status: 'healthy', services: { mlflow: 'healthy' } });
  if (path.startsWith('/api/health/mlflow')) return json({ status: 'healthy', connected: true });
  if (path.includes('/experiments/search'))
    return json({ experiments: [{ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' }] });
  return respond(404, { 'content-type': 'application/json', server: 'uvicorn' }, JSON.stringify({ detail: 'Not Found' }));
}

/**
 * A deployment answering `hostile` where `where(request)` says so (default: experiments/search),
 * and normally everywhere else.
 */
export function startHostileDeployment(hostile: Answer, where: (r: Received) => boolean = isSearch): Promise<TestServer> {
  return serveRaw((socket, _head, request) => (where(request) ? hostile : normalAnswer(request))(socket, request));
}

export function isSearch(r: Received): boolean {
  return r.path.includes('/experiments/search');
}
