// Loopback servers for the HTTP layer's tests: started on port 0, closed by the test.
import { randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ApiKey } from '../../../src/http/secret.js';
import { createHttp, type HttpOptions } from '../../../src/http/client.js';
import type { Http } from '../../../src/http/types.js';
import { closedPort as simClosedPort } from '../../../src/sim/http/listen.js';

export interface TestServer {
  url: string;
  origin: string;
  port: number;
  /** Requests seen, as "METHOD /path". */
  seen: string[];
  /** Sockets opened to it. */
  connections: number;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export function startHttp(handler: Handler): Promise<TestServer> {
  return listen(http.createServer(), handler, 'http');
}

export function startHttps(handler: Handler, tls: { key: string; cert: string }): Promise<TestServer> {
  return listen(https.createServer(tls), handler, 'https');
}

/** A TCP server that speaks whatever `onSocket` writes: for malformed or stalled HTTP. */
export async function startRaw(onSocket: (socket: net.Socket) => void): Promise<TestServer & { closedSockets: number }> {
  const server = net.createServer();
  const state = { seen: [] as string[], connections: 0, closedSockets: 0 };
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => {
      state.closedSockets++;
      sockets.delete(socket);
    });
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

export interface TunnelProxy {
  url: string;
  /** The request line of each CONNECT, in order. */
  tunnels: string[];
  close(): Promise<void>;
}

/** A forward proxy that opens every CONNECT tunnel it is asked for (an HTTPS_PROXY / HTTP_PROXY). */
export async function startTunnelProxy(): Promise<TunnelProxy> {
  const tunnels: string[] = [];
  const proxy = net.createServer((socket) => {
    socket.once('data', (head) => {
      const line = head.toString('latin1').split('\r\n')[0] ?? '';
      tunnels.push(line);
      const [host, port] = (line.split(' ')[1] ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        socket.pipe(upstream).pipe(socket);
      });
      upstream.on('error', () => socket.destroy());
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    tunnels,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

/** A loopback port nothing listens on (src/sim/http/listen.ts: outside the ephemeral range). */
export function closedPort(): Promise<number> {
  return simClosedPort('127.0.0.1');
}

/** A fresh, obviously fake key: never a literal in the source. */
export function testKey(): ApiKey {
  return new ApiKey(`hk_test_${randomBytes(18).toString('base64url')}`);
}

/** A client with test-friendly defaults; sleep is instant unless given. */
export function client(overrides: Partial<HttpOptions> = {}): Http & { slept: number[] } {
  const slept: number[] = [];
  const http = createHttp({
    keyOrigins: [],
    timeoutMs: 2000,
    connectTimeoutMs: 1000,
    retries: 0,
    signal: new AbortController().signal,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    ...overrides,
  });
  return Object.assign(http, { slept });
}

async function listen(server: http.Server, handler: Handler, scheme: 'http' | 'https'): Promise<TestServer> {
  const state = { seen: [] as string[], connections: 0 };
  server.on('connection', () => state.connections++);
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    state.seen.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `${scheme}://127.0.0.1:${port}`,
    origin: `${scheme}://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** Returns `keep(server)`: every kept server is closed after each test. */
export function closeAfterEach(): <T extends { close(): Promise<void> }>(s: T) => T {
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return (s) => {
    servers.push(s);
    return s;
  };
}
