// A loopback front in front of the embedded API that forwards every request, except those a test
// picks: it never answers them (a hop slower than --timeout), or it sends the upstream's status,
// headers and the first bytes of the body and then closes the connection after a delay (a worker
// or proxy timeout cutting a download).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { forward, relay } from './forward.js';

export type FrontAction =
  | { kind: 'forward' }
  | { kind: 'stall' }
  /** Forward headers and `bytes` of the body, then close (or reset) the connection after `afterMs`; without it, never send more. */
  | { kind: 'cut'; bytes: number; afterMs?: number; reset?: boolean }
  /** Answer without asking upstream. */
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: string };

export interface Front {
  url: string;
  port: number;
  /** Requests seen, as 'METHOD /path'. */
  seen: string[];
  close(): Promise<void>;
}

export async function startFront(upstream: string, decide: (method: string, path: string) => FrontAction): Promise<Front> {
  const sockets = new Set<Socket>();
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push(`${req.method} ${path.split('?')[0]}`);
    const action = decide(req.method ?? 'GET', path);
    if (action.kind === 'stall') return; // headers never come; the socket is closed by close()
    if (action.kind === 'answer') {
      res.writeHead(action.status, action.headers).end(action.body);
      return;
    }
    forward(req, res, upstream, (up) => {
      if (action.kind === 'forward') return relay(up, res);
      res.writeHead(up.statusCode ?? 502, up.rawHeaders);
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        if (sent >= action.bytes) return;
        const part = chunk.subarray(0, action.bytes - sent);
        sent += part.length;
        res.write(part);
        if (sent >= action.bytes) up.pause();
      });
      if (action.afterMs === undefined) return;
      setTimeout(() => {
        up.destroy();
        if (action.reset) res.socket?.resetAndDestroy();
        else res.socket?.destroy();
      }, action.afterMs);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
