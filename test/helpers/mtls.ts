// Certificates for mutual TLS, made at test time and written as PEM files: a server CA and a leaf for
// 127.0.0.1 (for --ca-file and the server's own certificate), a client CA the servers trust for
// clients, and client certificates: valid, expired, issued by another CA, plus the bad inputs the
// usage errors name (a combined PEM, an encrypted key, a key of another certificate, a DER file).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

const DAY = 24 * 60 * 60 * 1000;

export interface MtlsFiles {
  /** The server's CA (--ca-file). */
  serverCa: string;
  /** The server's certificate and key for 127.0.0.1, and both in one file (HAProxy's crt). */
  serverCert: string;
  serverKey: string;
  serverPem: string;
  /** The CA the servers trust for client certificates. */
  clientCa: string;
  /** Valid now, issued by the client CA, extended key usage clientAuth. */
  clientCert: string;
  clientKey: string;
  /** The same certificate and key in one file. */
  combined: string;
  /** Issued by the client CA, expired yesterday. */
  expiredCert: string;
  expiredKey: string;
  /** Valid now, issued by a CA no server trusts. */
  foreignCert: string;
  foreignKey: string;
  /** The client key encrypted with a passphrase (PKCS#8). */
  encryptedKey: string;
  /** The client certificate as DER, not PEM. */
  derCert: string;
  /** Every private key's PEM, as written, and its PKCS#8 form: what no output may contain. */
  keyPems: string[];
}

export async function makeMtlsFiles(dir: string): Promise<MtlsFiles> {
  const now = Date.now();
  const ca = (cn: string) =>
    generate([{ name: 'commonName', value: cn }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 30 * DAY),
      notAfterDate: new Date(now + 30 * DAY),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
  const [serverCa, clientCa, otherCa] = await Promise.all([
    ca('hokus-check test server CA'),
    ca('hokus-check test client CA'),
    ca('another CA'),
  ]);
  const leaf = (signer: { private: string; cert: string }, cn: string, from: number, to: number, server: boolean) =>
    generate([{ name: 'commonName', value: cn }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: new Date(from),
      notAfterDate: new Date(to),
      ca: { key: signer.private, cert: signer.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        server ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
        ...(server ? [{ name: 'subjectAltName' as const, altNames: [{ type: 7 as const, ip: '127.0.0.1' }] }] : []),
      ],
    });
  const [server, client, expired, foreign] = await Promise.all([
    leaf(serverCa, '127.0.0.1', now - DAY, now + 10 * DAY, true),
    leaf(clientCa, 'ci-runner', now - DAY, now + 10 * DAY, false),
    leaf(clientCa, 'ci-runner-old', now - 10 * DAY, now - DAY, false),
    leaf(otherCa, 'someone-else', now - DAY, now + 10 * DAY, false),
  ]);
  const file = (name: string, text: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const clientKeyObject = createPrivateKey(client.private);
  const keys = [server.private, client.private, expired.private, foreign.private];
  return {
    serverCa: file('server-ca.pem', serverCa.cert),
    serverCert: file('server.crt', server.cert),
    serverKey: file('server.key', server.private),
    serverPem: file('server.pem', `${server.cert.trim()}\n${server.private.trim()}\n`),
    clientCa: file('client-ca.pem', clientCa.cert),
    clientCert: file('client.crt', client.cert),
    clientKey: file('client.key', client.private),
    combined: file('client-combined.pem', `${client.cert.trim()}\n${client.private.trim()}\n`),
    expiredCert: file('expired.crt', expired.cert),
    expiredKey: file('expired.key', expired.private),
    foreignCert: file('foreign.crt', foreign.cert),
    foreignKey: file('foreign.key', foreign.private),
    encryptedKey: file(
      'encrypted.key',
      clientKeyObject.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'hokus-check-test' }) as string,
    ),
    derCert: file('client.der', new X509Certificate(client.cert).raw),
    keyPems: [...keys, ...keys.map((k) => createPrivateKey(k).export({ type: 'pkcs8', format: 'pem' }) as string)],
  };
}

/** The base64 body of a PEM block, the lines joined: what must never appear in any output. */
export function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('');
}
