// Mutual TLS in the HTTP client: the client certificate goes on TLS connections to its origins only,
// each try records whether its connection had it, and a TLS 1.3 server's alert — which arrives after
// the request went out, where undici reports only "other side closed" — is what the try failed on.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientCertOptions } from '../../../src/http/dispatcher.js';
import { makeMtlsFiles, type MtlsFiles } from '../../helpers/mtls.js';
import { tempDir } from '../../helpers/tmp.js';
import { client, startHttps, startTunnelProxy, type Handler, type TestServer } from './servers.js';

const tmp = tempDir();
let files: MtlsFiles;
let target: TestServer;
let other: TestServer;
let strict: TestServer;
let key: KeyObject;
/** The subject CN each server saw presented, per request ('' for none). */
const presented = { target: [] as string[], other: [] as string[], strict: [] as string[] };

const recording =
  (name: keyof typeof presented): Handler =>
  (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    presented[name].push(peer && 'subject' in peer && peer.subject ? String(peer.subject.CN) : '');
    res.end('{"status":"ok"}');
  };

beforeAll(async () => {
  files = await makeMtlsFiles(tmp.path);
  key = createPrivateKey(readFileSync(files.clientKey, 'utf8'));
  const read = (path: string) => readFileSync(path, 'utf8');
  // Asks for a certificate and takes any (to record what was sent); the strict one requires it, TLS 1.3 only.
  const asking = {
    key: read(files.serverKey),
    cert: read(files.serverCert),
    ca: read(files.clientCa),
    requestCert: true,
    rejectUnauthorized: false,
  };
  const requiring = { ...asking, rejectUnauthorized: true, minVersion: 'TLSv1.3' as const };
  [target, other, strict] = await Promise.all([
    startHttps(recording('target'), asking),
    startHttps(recording('other'), asking),
    startHttps(recording('strict'), requiring),
  ]);
});
afterAll(async () => {
  await Promise.all([target, other, strict].map((s) => s?.close()));
  tmp.remove();
});

const certFor = (origins: string[]): ClientCertOptions => ({ cert: readFileSync(files.clientCert, 'utf8'), key, origins });
const get = (url: string) => ({ step: 'health', label: 'GET', method: 'GET' as const, url, withKey: false });

describe('mutual TLS in the HTTP client', () => {
  it("presents the certificate to its origins only, and records it on each try's exchange", async () => {
    const http = client({ ca: readFileSync(files.serverCa), clientCert: certFor([target.origin]) });
    const [a, b] = [await http.send(get(`${target.url}/health`)), await http.send(get(`${other.url}/health`))];
    await http.close();
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(presented.target).toEqual(['ci-runner']);
    expect(presented.other).toEqual(['']);
    expect(a.exchange.clientCert).toBe(true);
    expect(b.exchange.clientCert).toBeUndefined();
  });

  it('through a forward proxy (CONNECT): presented to the origin inside the tunnel, recorded with via', async () => {
    const proxy = await startTunnelProxy();
    const { tunnels, url: proxyUrl } = proxy;
    try {
      const http = client({ ca: readFileSync(files.serverCa), clientCert: certFor([target.origin]), proxyEnv: { httpsProxy: proxyUrl } });
      const before = presented.target.length;
      const r = await http.send(get(`${target.url}/health`));
      await http.close();
      expect(r.status).toBe(200);
      expect(r.exchange).toMatchObject({ clientCert: true, via: proxyUrl });
      expect(presented.target.slice(before)).toEqual(['ci-runner']);
      expect(tunnels).toEqual([`CONNECT 127.0.0.1:${target.port} HTTP/1.1`]);
    } finally {
      await proxy.close();
    }
  });

  it('TLS 1.3, no certificate: the alert certificate_required is the error (tls-client-cert), not a reset, and is not retried', async () => {
    const http = client({ ca: readFileSync(files.serverCa), retries: 2 });
    const r = await http.send(get(`${strict.url}/health`));
    await http.close();
    expect(r.exchange.error).toMatchObject({
      kind: 'tls-client-cert',
      code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      phase: 'connect',
    });
    expect(r.exchange.error?.message).toMatch(/SSL alert number 116/);
    expect(http.exchanges()).toHaveLength(1);
    expect(presented.strict).toEqual([]);
  });

  it('the same server with the certificate: answered', async () => {
    const http = client({ ca: readFileSync(files.serverCa), clientCert: certFor([strict.origin]) });
    const r = await http.send(get(`${strict.url}/health`));
    await http.close();
    expect(r.status).toBe(200);
    expect(presented.strict).toEqual(['ci-runner']);
  });
});
