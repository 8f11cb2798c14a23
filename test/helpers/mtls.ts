// Certificates for mutual TLS, made at test time and written as PEM files: a server CA and a leaf for
// 127.0.0.1 (for --ca-file and the server's own certificate), a client CA the servers trust for
// clients, and client certificates: valid, expired, issued by another CA, plus the bad inputs the
// usage errors name (a combined PEM, an encrypted key, a key of another certificate, a DER file).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY, makeCa, signLeaf } from './safety-tls.js';

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
  const [serverCa, clientCa, otherCa] = await Promise.all([
    makeCa('hokus-check test server CA', now),
    makeCa('hokus-check test client CA', now),
    makeCa('another CA', now),
  ]);
  const [server, client, expired, foreign] = await Promise.all([
    signLeaf(serverCa, { commonName: '127.0.0.1', from: now - DAY, to: now + 10 * DAY, usage: 'server', altName: { ip: '127.0.0.1' } }),
    signLeaf(clientCa, { commonName: 'ci-runner', from: now - DAY, to: now + 10 * DAY, usage: 'client' }),
    signLeaf(clientCa, { commonName: 'ci-runner-old', from: now - 10 * DAY, to: now - DAY, usage: 'client' }),
    signLeaf(otherCa, { commonName: 'someone-else', from: now - DAY, to: now + 10 * DAY, usage: 'client' }),
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
      clientKeyObject.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'hokus-check-test' }),
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
