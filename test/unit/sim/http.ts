// A bare HTTP client for the sim tests: the exact path as given (no normalisation), raw headers
// kept (a proxied reply has two `server` headers), body as bytes.
import http from 'node:http';
import type { Readable } from 'node:stream';

export interface RawResponse {
  status: number;
  /** Lower-cased names, in order, duplicates kept. */
  headers: Array<[string, string]>;
  body: Buffer;
  text: string;
  header(name: string): string | undefined;
  all(name: string): string[];
  json(): unknown;
}

export function request(
  base: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer | Readable } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  const headers = { ...opts.headers };
  const fixed = typeof opts.body === 'string' || Buffer.isBuffer(opts.body);
  if (fixed && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['content-length'] = String(Buffer.byteLength(opts.body as string | Buffer));
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: opts.method ?? 'GET', path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const headers: Array<[string, string]> = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          headers.push([(res.rawHeaders[i] ?? '').toLowerCase(), res.rawHeaders[i + 1] ?? '']);
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers,
          body,
          text: body.toString('utf8'),
          header: (n) => headers.find(([k]) => k === n.toLowerCase())?.[1],
          all: (n) => headers.filter(([k]) => k === n.toLowerCase()).map(([, v]) => v),
          json: () => JSON.parse(body.toString('utf8')) as unknown,
        });
      });
    });
    req.on('error', reject);
    const body = opts.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/** JSON request helper: sets content-type and the key. */
export function jsonRequest(base: string, path: string, method: string, body: unknown, key?: string): Promise<RawResponse> {
  return request(base, path, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
}
