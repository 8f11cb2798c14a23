// A proxy that forwards to a working upstream (the embedded stack) and rewrites its answers before
// they reach the CLI — status line, header names and values, body — written as raw bytes, so the
// answer can say anything a hostile server could. Records every request it forwarded.
import http from 'node:http';
import { serveHttp, type TestServer } from './safety-servers.js';

export interface Upstream {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

export type Tamper = (request: { method: string; path: string }, answer: Upstream) => Upstream;

export async function startTamperingProxy(upstream: string, tamper: Tamper): Promise<TestServer> {
  const target = new URL(upstream);
  return serveHttp(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = await new Promise<Upstream>((resolve, reject) => {
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (up) => {
          const body: Buffer[] = [];
          up.on('data', (c: Buffer) => body.push(c));
          up.on('end', () => {
            const headers: Array<[string, string]> = [];
            for (let i = 0; i + 1 < up.rawHeaders.length; i += 2) headers.push([up.rawHeaders[i]!, up.rawHeaders[i + 1]!]);
            resolve({ status: up.statusCode ?? 502, statusText: up.statusMessage ?? '', headers, body: Buffer.concat(body) });
          });
          up.on('error', reject);
        },
      );
      forward.on('error', reject);
      forward.end(Buffer.concat(chunks));
    });
    const out = tamper({ method: req.method ?? 'GET', path: req.url ?? '/' }, answer);
    const skip = new Set(['content-length', 'connection', 'transfer-encoding', 'keep-alive']);
    const lines = [`HTTP/1.1 ${out.status} ${out.statusText}`];
    for (const [name, value] of out.headers) if (!skip.has(name.toLowerCase())) lines.push(`${name}: ${value}`);
    lines.push(`content-length: ${out.body.length}`, 'connection: close');
    // The answer is written on the socket as is: node's own response writer would refuse some of it.
    res.socket?.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), out.body]));
  });
}

/** Replaces (or adds) fields of a JSON answer, keeping the rest. */
export function withJson(answer: Upstream, change: (json: Record<string, unknown>) => Record<string, unknown> | string): Upstream {
  const json = JSON.parse(answer.body.toString('utf8') || '{}') as Record<string, unknown>;
  const next = change(json);
  return { ...answer, body: Buffer.from(typeof next === 'string' ? next : JSON.stringify(next)) };
}
