import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startHttps, type TestServer } from './servers.js';

interface Pems {
  key: string;
  cert: string;
}

async function certificate(opts: { names?: { dns?: string; ip?: string }[]; notBefore?: Date; notAfter?: Date } = {}): Promise<Pems> {
  const names = opts.names ?? [{ ip: '127.0.0.1' }];
  const pems = await generate([{ name: 'commonName', value: 'hokus-check test' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...(opts.notBefore ? { notBeforeDate: opts.notBefore } : {}),
    ...(opts.notAfter ? { notAfterDate: opts.notAfter } : {}),
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: names.map((n) => (n.ip ? { type: 7 as const, ip: n.ip } : { type: 2 as const, value: n.dns! })),
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

const day = 24 * 3600 * 1000;
let good: Pems;
let goodServer: TestServer;
let expiredServer: TestServer;
let expired: Pems;
let wrongName: Pems;
let wrongNameServer: TestServer;

beforeAll(async () => {
  [good, expired, wrongName] = await Promise.all([
    certificate(),
    certificate({ notBefore: new Date(Date.now() - 400 * day), notAfter: new Date(Date.now() - 30 * day) }),
    certificate({ names: [{ dns: 'registry.example.test' }] }),
  ]);
  const ok = (_req: unknown, res: { end(b: string): void }) => res.end('{"status":"ok"}');
  [goodServer, expiredServer, wrongNameServer] = await Promise.all([
    startHttps(ok, good),
    startHttps(ok, expired),
    startHttps(ok, wrongName),
  ]);
});
afterAll(async () => {
  await Promise.all([goodServer, expiredServer, wrongNameServer].map((s) => s?.close()));
});

describe('TLS', () => {
  it('refuses an untrusted self-signed certificate as tls-untrusted', async () => {
    const http = client({ retries: 2 });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: goodServer.url });
    expect(r.exchange.error).toMatchObject({ kind: 'tls-untrusted', phase: 'connect' });
    expect(http.exchanges()).toHaveLength(1);
    expect(goodServer.seen).toEqual([]);
    await http.close();
  });

  it('accepts it with the certificate as an extra CA, and measures the TLS handshake', async () => {
    const http = client({ ca: good.cert });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: goodServer.url });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok' });
    expect(r.exchange.timings.ssl).toBeGreaterThanOrEqual(0);
    expect(r.exchange.timings.connect).toBeGreaterThanOrEqual(r.exchange.timings.ssl);
    await http.close();
  });

  it('accepts it with verification off (--insecure)', async () => {
    const http = client({ insecure: true });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: goodServer.url });
    expect(r.status).toBe(200);
    await http.close();
  });

  it('reports an expired certificate as tls-expired', async () => {
    const http = client({ ca: expired.cert });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: expiredServer.url });
    expect(r.exchange.error).toMatchObject({ kind: 'tls-expired', code: 'CERT_HAS_EXPIRED' });
    await http.close();
  });

  it('reports a certificate for another host name as tls-hostname', async () => {
    const http = client({ ca: wrongName.cert });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: wrongNameServer.url });
    expect(r.exchange.error).toMatchObject({ kind: 'tls-hostname', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(r.exchange.error?.message).toContain('127.0.0.1');
    await http.close();
  });

  it('reports TLS spoken to a plain-HTTP port as tls-other', async () => {
    const { startHttp } = await import('./servers.js');
    const plain = await startHttp((_req, res) => res.end());
    const http = client();
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: plain.url.replace('http:', 'https:') });
    expect(r.exchange.error?.kind).toBe('tls-other');
    await http.close();
    await plain.close();
  });
});
