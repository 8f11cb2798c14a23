// A tiny loopback reverse proxy for gate tests: forwards every request to an upstream (the embedded
// stack's registry) unless `answer` decides to reply itself, and records what it saw. Lets a test put
// a transient 503 exactly where it wants one (e.g. on the first POST runs/create).
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  /** How it was handled: 'answered' by the proxy itself, or 'forwarded'. */
  handled: 'answered' | 'forwarded';
}

export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface GateProxy {
  url: string;
  seen(): ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * `answer(method, path, seenBefore)` returns a canned reply, or undefined to forward. `seenBefore`
 * counts earlier requests with the same method and path, so "the first POST runs/create" is easy.
 */
export async function startGateProxy(
  upstream: string,
  answer: (method: string, path: string, seenBefore: number) => CannedAnswer | undefined,
): Promise<GateProxy> {
  const seen: ProxiedRequest[] = [];
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const before = seen.filter((r) => r.method === method && r.path === path).length;
    const canned = answer(method, path, before);
    seen.push({ method, path, handled: canned ? 'answered' : 'forwarded' });
    if (canned) {
      // Read the body first: the request was sent in full, then refused, as a real gateway would.
      req.resume();
      req.on('end', () => res.writeHead(canned.status, canned.headers ?? {}).end(canned.body ?? ''));
      return;
    }
    forward(req, res, target);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen: () => [...seen],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = httpRequest(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('gate proxy: upstream error');
  });
  req.pipe(upstream);
}
