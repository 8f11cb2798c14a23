// The client certificate of mutual TLS (--client-cert/--client-key, HOKUS_CHECK_CLIENT_CERT/_KEY,
// clientCert/clientKey in the config file), read with the config file's bounded reader and checked
// before any request: PEM, a private key that is not encrypted, and a key that belongs to the
// certificate (node:crypto X509Certificate#checkPrivateKey). Each problem is one line that names the
// file and never quotes it. Whether the certificate is still valid is not decided here (config reads
// no clock): the session warns, and the diagnosis compares it with the time of each request.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ClientCertificate } from '../steps/types.js';
import { UsageError } from './errors.js';
import { readBoundedText } from './load.js';

/** A file as the user gave it: the absolute path and where it was given, for messages. */
export interface GivenFile {
  path: string;
  /** '--client-cert', 'HOKUS_CHECK_CLIENT_KEY', 'environments.prod.clientCert in hokus-check.config.json'. */
  source: string;
}

/**
 * The certificate (leaf first, then any intermediates) and its private key, checked. Without `key`
 * the certificate's file must hold the key too (a combined PEM). Throws UsageError (one line).
 */
export function loadClientCertificate(cert: GivenFile, key?: GivenFile): ClientCertificate {
  const certText = readPem(cert);
  const blocks = certText.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0)
    fail(
      cert,
      'not a PEM certificate (no "-----BEGIN CERTIFICATE-----"); convert a DER file with `openssl x509 -inform der -in FILE -out client.crt`, a PKCS#12 bundle with `openssl pkcs12 -in FILE -out client.pem -nodes`',
    );
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(blocks[0]!);
  } catch (err) {
    fail(cert, `the first certificate does not parse (${codeOf(err)})`);
  }

  const keyFile = key ?? cert;
  const keyText = key ? readPem(key) : certText;
  if (ENCRYPTED.test(keyText))
    fail(
      keyFile,
      'the private key is encrypted, and hokus-check does not read encrypted keys (it would need the passphrase): decrypt it into a file only you can read, e.g. `openssl pkey -in FILE -out client.key && chmod 600 client.key`',
    );
  const keyBlock = KEY_BLOCK.exec(keyText)?.[0];
  if (keyBlock === undefined)
    fail(
      keyFile,
      key
        ? 'no PEM private key (no "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----" or "-----BEGIN EC PRIVATE KEY-----")'
        : 'holds a certificate but no private key: give the key with --client-key (HOKUS_CHECK_CLIENT_KEY, clientKey), or put both in one PEM file',
    );
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyBlock);
  } catch (err) {
    fail(keyFile, `the private key does not parse (${codeOf(err)})`);
  }
  if (!x509.checkPrivateKey(privateKey))
    fail(
      keyFile,
      `the private key does not belong to the certificate in ${cert.path} (${oneLine(x509.subject)}): give the key made with it`,
    );

  const purposes = x509.keyUsage;
  const notForClientAuth = Array.isArray(purposes) && !purposes.includes(CLIENT_AUTH) && !purposes.includes(ANY_PURPOSE);
  return {
    path: cert.path,
    keyPath: keyFile.path,
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    validFrom: isoDate(x509.validFrom),
    validTo: isoDate(x509.validTo),
    ...(notForClientAuth ? { notForClientAuth } : {}),
    chainPem: `${blocks.join('\n')}\n`,
    key: privateKey,
  };
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** PKCS#8, PKCS#1 (RSA) and SEC 1 (EC) private keys. */
const KEY_BLOCK = /-----BEGIN (?:RSA |EC |DSA )?PRIVATE KEY-----[\s\S]*?-----END (?:RSA |EC |DSA )?PRIVATE KEY-----/;
/** PKCS#8 encrypted, or the traditional OpenSSL form with a Proc-Type header. */
const ENCRYPTED = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,\s*ENCRYPTED/;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_PURPOSE = '2.5.29.37.0';

function readPem(file: GivenFile): string {
  let text: string | undefined;
  try {
    text = readBoundedText(file.path, { what: 'a certificate or key', is: 'a PEM file', of: 'PEM' });
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${file.source} ${err.message}`);
    throw err;
  }
  if (text === undefined) fail(file, 'cannot read it (no such file, or not readable)');
  return text;
}

function fail(file: GivenFile, problem: string): never {
  throw new UsageError(`${file.source} ${file.path}: ${problem}`);
}

/** An error's code ('ERR_OSSL_PEM_BAD_BASE64_DECODE'), never its message: nothing of the file is quoted. */
function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'invalid';
}

/** 'CN=ci\nO=Example' → 'CN=ci, O=Example'. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** OpenSSL's 'Mar 14 09:00:00 2026 GMT' → ISO 8601. */
function isoDate(text: string): string {
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? text : at.toISOString();
}

/**
 * What the user should know before the first request (a warning, not an error: the server decides):
 * the certificate is outside its validity at `now` (epoch ms), or its purposes exclude client
 * authentication. Undefined when neither.
 */
export function clientCertWarning(cert: ClientCertificate, now: number): string | undefined {
  const named = `the client certificate ${cert.path} (${cert.subject})`;
  if (Date.parse(cert.validTo) < now)
    return `${named} expired on ${cert.validTo}: a server that checks client certificates refuses it (TLS_CLIENT_CERT_EXPIRED); renew it`;
  if (Date.parse(cert.validFrom) > now)
    return `${named} is not valid before ${cert.validFrom}: a server that checks client certificates refuses it; check this machine's clock`;
  if (cert.notForClientAuth)
    return `${named} lists its purposes (extended key usage) without client authentication: a server that checks it refuses it`;
  return undefined;
}
