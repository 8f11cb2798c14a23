// Certificates made at test time (a private CA and leaves it signs) and a small HTTPS reverse proxy
// that puts TLS in front of the embedded stack's plain-HTTP services.
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';
import { forward } from './forward.js';

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

export const DAY = 24 * 60 * 60 * 1000;

/** A certificate and its private key, as selfsigned returns them. */
export interface Issued {
  private: string;
  cert: string;
}

/** A CA valid from 30 days before `now` to 30 days after. */
export async function makeCa(commonName: string, now: number): Promise<Issued> {
  return generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 30 * DAY),
    notAfterDate: new Date(now + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
}

export interface LeafOptions {
  commonName: string;
  /** Valid from, to (epoch milliseconds). */
  from: number;
  to: number;
  /** For a server (serverAuth) or a client (clientAuth). */
  usage: 'server' | 'client';
  /** The subject alternative name, if any: a host name or an IP address. */
  altName?: { dns: string } | { ip: string };
}

/** A leaf certificate signed by `ca`. */
export async function signLeaf(ca: Issued, o: LeafOptions): Promise<Issued> {
  return generate([{ name: 'commonName', value: o.commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(o.from),
    notAfterDate: new Date(o.to),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      o.usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
      ...(o.altName === undefined
        ? []
        : [
            {
              name: 'subjectAltName' as const,
              altNames: ['dns' in o.altName ? { type: 2 as const, value: o.altName.dns } : { type: 7 as const, ip: o.altName.ip }],
            },
          ]),
    ],
  });
}

export async function makeCertificates(): Promise<TestCertificates> {
  const now = Date.now();
  const ca = await makeCa('hokus-check test CA', now);
  const leaf = async (altName: { dns: string } | { ip: string }, from: number, to: number): Promise<Pems> => {
    const pems = await signLeaf(ca, { commonName: 'dns' in altName ? altName.dns : altName.ip, from, to, usage: 'server', altName });
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
  const sockets = new Set<Socket>();
  const server = https.createServer({ key: pems.key, cert: pems.cert }, (req, res) => forward(req, res, upstream));
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
