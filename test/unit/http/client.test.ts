import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { client, startHttp, testKey, type TestServer } from './servers.js';

const servers: TestServer[] = [];
async function serve(...args: Parameters<typeof startHttp>): Promise<TestServer> {
  const s = await startHttp(...args);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('http client', () => {
  it('returns a 3xx as is, records its Location, and the redirect target gets no request', async () => {
    const target = await serve((_req, res) => res.end('followed'));
    const origin = await serve((_req, res) => {
      res.writeHead(307, { location: `${target.url}/elsewhere` }).end();
    });
    const http = client();
    const r = await http.send({ step: 'health', label: 'health', method: 'GET', url: `${origin.url}/health` });
    expect(r.status).toBe(307);
    expect(r.exchange.response?.headers).toContainEqual(['location', `${target.url}/elsewhere`]);
    expect(target.seen).toEqual([]);
    await http.close();
  });

  it('refuses to send the key to an origin it is not configured for, and sends nothing', async () => {
    const allowed = await serve((_req, res) => res.end('{}'));
    const other = await serve((_req, res) => res.end('{}'));
    const key = testKey();
    const http = client({ key, keyOrigins: [`${allowed.url}/`] });
    const r = await http.send({ step: 'auth', label: 'validate', method: 'POST', url: `${other.url}/api/v1/keys/validate`, json: {} });
    expect(r.exchange.error?.kind).toBe('key-boundary');
    expect(r.status).toBeUndefined();
    expect(other.seen).toEqual([]);
    expect(JSON.stringify(http.exchanges())).not.toContain(key.value);

    const ok = await http.send({ step: 'auth', label: 'validate', method: 'GET', url: `${allowed.url}/x` });
    expect(ok.status).toBe(200);
    const noKey = await http.send({ step: 'health', label: 'health', method: 'GET', url: `${other.url}/health`, withKey: false });
    expect(noKey.status).toBe(200);
    expect(other.seen).toEqual(['GET /health']);
    await http.close();
  });

  it('refuses a key the caller put into a header for a foreign origin', async () => {
    const other = await serve((_req, res) => res.end());
    const key = testKey();
    const http = client({ key, keyOrigins: [] });
    const r = await http.send({
      step: 'auth',
      label: 'x-api-key',
      method: 'GET',
      url: other.url,
      withKey: false,
      headers: { 'x-api-key': key.value },
    });
    expect(r.exchange.error?.kind).toBe('key-boundary');
    expect(other.seen).toEqual([]);
    await http.close();
  });

  it('sends the key as a Bearer header to an allowed origin', async () => {
    let auth: string | undefined;
    const s = await serve((req, res) => {
      auth = req.headers.authorization;
      res.end();
    });
    const key = testKey();
    const http = client({ key, keyOrigins: [s.origin], userAgent: 'hokus-check/0.0.0' });
    const r = await http.send({ step: 'auth', label: 'a', method: 'GET', url: s.url });
    expect(auth).toBe(`Bearer ${key.value}`);
    expect(r.exchange.request.headers).toContainEqual(['authorization', `Bearer ${key.masked()}`]);
    expect(r.exchange.request.headers).toContainEqual(['user-agent', 'hokus-check/0.0.0']);
    await http.close();
  });

  it('sends JSON and query parameters and parses the JSON reply', async () => {
    let got = '';
    let type: string | undefined;
    const s = await serve((req, res) => {
      type = req.headers['content-type'];
      req.setEncoding('utf8');
      req.on('data', (c: string) => (got += c));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url })));
    });
    const http = client();
    const r = await http.send({
      step: 'experiments',
      label: 'search',
      method: 'POST',
      url: `${s.url}/api/2.0/mlflow/experiments/search?a=1`,
      query: { filter: "name = 'x y'", max_results: 5 },
      json: { max_results: 1 },
    });
    expect(got).toBe('{"max_results":1}');
    expect(type).toBe('application/json');
    expect(r.json).toEqual({ url: '/api/2.0/mlflow/experiments/search?a=1&filter=name+%3D+%27x+y%27&max_results=5' });
    expect(r.exchange.request.bodyExcerpt).toBe('{"max_results":1}');
    expect(r.exchange.request.bodySize).toBe(17);
    expect(r.exchange.response?.contentType).toBe('application/json');
    expect(r.exchange.id).toBe('x1');
    expect(r.exchange.attempt).toBe(1);
    await http.close();
  });

  it('keeps a repeated header as separate entries (a proxied reply has two servers)', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('Server', ['uvicorn', 'gunicorn']);
      res.end('ok');
    });
    const http = client();
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    const servers = r.exchange.response?.headers.filter(([n]) => n === 'server');
    expect(servers).toEqual([
      ['server', 'uvicorn'],
      ['server', 'gunicorn'],
    ]);
    await http.close();
  });

  it('flags a body that is not valid UTF-8 and decodes it with replacement characters', async () => {
    const s = await serve((req, res) =>
      res.end(
        req.url === '/ok' ? 'héllo' : Buffer.concat([Buffer.from('ok, mostly text here '), Buffer.from([0xff, 0xfe]), Buffer.from('!')]),
      ),
    );
    const http = client();
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    expect(r.exchange.response?.invalidUtf8).toBe(true);
    expect(r.exchange.response?.binary).toBeUndefined();
    expect(r.text).toBe('ok, mostly text here \uFFFD\uFFFD!');
    const clean = await http.send({ step: 'health', label: 'h', method: 'GET', url: `${s.url}/ok` });
    expect(clean.text).toBe('héllo');
    expect(clean.exchange.response?.invalidUtf8).toBeUndefined();
    await http.close();
  });

  it('streams an 8 MiB upload from a factory and streams the read-back to consumeBody', async () => {
    const size = 8 * 1024 * 1024;
    let stored = Buffer.alloc(0);
    const s = await serve((req, res) => {
      if (req.method === 'PUT') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          stored = Buffer.concat(chunks);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      } else {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(stored);
      }
    });
    const chunk = Buffer.alloc(64 * 1024, 'abcdefgh');
    const make = () =>
      Readable.from(
        (function* () {
          for (let n = 0; n < size / chunk.length; n++) yield chunk;
        })(),
      );
    const http = client({ excerptChars: 16 });
    const put = await http.send({
      step: 'artifact',
      label: 'PUT artifact',
      method: 'PUT',
      url: `${s.url}/a`,
      body: make,
      bodyLength: size,
    });
    expect(put.status).toBe(200);
    expect(stored.length).toBe(size);
    expect(put.exchange.request.bodySize).toBe(size);
    expect(put.exchange.request.headers).toContainEqual(['content-length', String(size)]);

    let hashed = '';
    const get = await http.send({
      step: 'artifact',
      label: 'GET artifact',
      method: 'GET',
      url: `${s.url}/a`,
      consumeBody: async (body) => {
        const h = createHash('sha256');
        for await (const c of body) h.update(c as Buffer);
        hashed = h.digest('hex');
      },
    });
    expect(get.status).toBe(200);
    expect(get.text).toBe('');
    expect(hashed).toBe(createHash('sha256').update(stored).digest('hex'));
    expect(get.exchange.response?.bodySize).toBe(size);
    expect(get.exchange.response?.bodyExcerpt).toBe('abcdefghabcdefgh');
    await http.close();
  });

  it('reads an error reply as text even when consumeBody is given', async () => {
    const s = await serve((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
    let called = false;
    const http = client();
    const r = await http.send({
      step: 'artifact',
      label: 'GET artifact',
      method: 'GET',
      url: s.url,
      consumeBody: () => {
        called = true;
        return Promise.resolve();
      },
    });
    expect(called).toBe(false);
    expect(r.status).toBe(404);
    expect(r.text).toBe('<h1>Not Found</h1>');
    await http.close();
  });

  it('numbers exchanges in start order and reports each once to onExchange', async () => {
    const s = await serve((_req, res) => setTimeout(() => res.end(), 20));
    const seen: string[] = [];
    const http = client({ onExchange: (x) => seen.push(x.id) });
    await Promise.all([1, 2, 3].map((n) => http.send({ step: 's', label: `l${n}`, method: 'GET', url: s.url })));
    expect(http.exchanges().map((x) => `${x.id}:${x.label}`)).toEqual(['x1:l1', 'x2:l2', 'x3:l3']);
    expect(seen.sort()).toEqual(['x1', 'x2', 'x3']);
    await http.close();
  });
});
