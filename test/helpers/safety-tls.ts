// Certificates made at test time (a private CA and leaves it signs) and a small HTTPS reverse proxy
// that puts TLS in front of the embedded stack's plain-HTTP services.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';

export interface Pems {
  key: string;
  cert: string;
}

export interface TestCertificates {
  /** The CA's certificate, for --ca-file. */
  caPem: string;
  /** Valid now, for 127.0.0.1, signed by the CA. */
  good: Pems;
  /** For 127.0.0.1, signed by the CA, expired yesterday. */
  expired: Pems;
  /** Valid now, signed by the CA, but for another host name (and no IP SAN). */
  otherHost: Pems;
}

const DAY = 24 * 60 * 60 * 1000;

export async function makeCertificates(): Promise<TestCertificates> {
  const now = Date.now();
  const ca = await generate([{ name: 'commonName', value: 'hokus-check test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 30 * DAY),
    notAfterDate: new Date(now + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const signing = { key: ca.private, cert: ca.cert };
  const leaf = async (host: { dns?: string; ip?: string }, from: number, to: number): Promise<Pems> => {
    const pems = await generate([{ name: 'commonName', value: host.dns ?? host.ip ?? 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(from),
      notAfterDate: new Date(to),
      ca: signing,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [host.dns ? { type: 2, value: host.dns } : { type: 7, ip: host.ip! }] },
      ],
    });
    return { key: pems.private, cert: pems.cert };
  };
  const [good, expired, otherHost] = await Promise.all([
    leaf({ ip: '127.0.0.1' }, now - DAY, now + 10 * DAY),
    leaf({ ip: '127.0.0.1' }, now - 10 * DAY, now - DAY),
    leaf({ dns: 'registry.other.example' }, now - DAY, now + 10 * DAY),
  ]);
  return { caPem: ca.cert, good, expired, otherHost };
}

export interface TlsProxy {
  /** https://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

/** HTTPS on 127.0.0.1:0 with `pems`, each request piped to the plain-HTTP `upstream` base URL. */
export async function startTlsProxy(upstream: string, pems: Pems): Promise<TlsProxy> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const server = https.createServer({ key: pems.key, cert: pems.cert }, (req, res) => {
    const forward = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client that rejects our certificate aborts the handshake: expected, not a test failure.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
