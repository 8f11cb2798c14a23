// Loopback servers that misbehave on purpose (redirects, hostile bytes, generated answers), for the
// safety tests. Each records what it received and closes every socket it accepted, so no test hangs
// on a keep-alive connection or on a response it never finished.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { closedPort as simClosedPort } from '../../src/sim/http/listen.js';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface TestServer {
  url: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1:0 running `handle` for each request. */
export async function serveHttp(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>,
  options: http.ServerOptions = {},
): Promise<TestServer> {
  const received: Received[] = [];
  const server = http.createServer(options, (req, res) => {
    received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    Promise.resolve(handle(req, res)).catch(() => res.destroy());
  });
  return listening(server, received);
}

/**
 * A raw TCP server: `handle` gets the socket and the request head as text (method, path and
 * headers) and writes whatever bytes it likes — malformed HTTP included.
 */
export async function serveRaw(handle: (socket: net.Socket, head: string, request: Received) => void | Promise<void>): Promise<TestServer> {
  const received: Received[] = [];
  const server = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('error', () => undefined);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const request = parseHead(head);
      received.push(request);
      // One request per connection: what follows the head (a body) is read and ignored.
      buffered = Buffer.alloc(0);
      socket.off('data', onData);
      socket.on('data', () => undefined);
      Promise.resolve(handle(socket, head, request)).catch(() => socket.destroy());
    };
    socket.on('data', onData);
  });
  return listening(server, received);
}

/** A loopback port nothing listens on (src/sim/http/listen.ts: outside the ephemeral range). */
export function closedPort(): Promise<number> {
  return simClosedPort('127.0.0.1');
}

function parseHead(head: string): Received {
  const [requestLine = '', ...lines] = head.split('\r\n');
  const [method = '', path = ''] = requestLine.split(' ');
  const headers: http.IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, path, headers };
}

async function listening(server: net.Server, received: Received[]): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
