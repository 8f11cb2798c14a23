// Hand-built checks of mutual TLS (rules/client-cert.ts): the TLS alerts a server refuses a client
// certificate with, as Node reports them, and the pages fronts answer with. nginx's pages are
// verbatim from nginx 1.22.1 with `ssl_verify_client on` (test/e2e/mutual-tls.test.ts makes them);
// Kong's from its mtls-auth plugin docs (docs.konghq.com, kong-inc/mtls-auth: "HTTP 401 No required
// TLS certificate was sent", "HTTP 401 TLS certificate failed verification").
import { generateKeyPairSync } from 'node:crypto';
import type { Evidence } from '../../../src/diagnosis/types.js';
import type { ExchangeError } from '../../../src/http/types.js';
import type { ClientCertificate } from '../../../src/steps/types.js';
import { type Answer, api, blockedBy, Check, passAuth, REGISTRY, searchFailsTwice, upToExperiments } from './evidence.js';

/** Valid from 2026-01-01 to 2027-01-01; the checks' requests are made on 2026-03-14. */
export const CLIENT_CERT: ClientCertificate = {
  path: '/etc/hokus/client.pem',
  keyPath: '/etc/hokus/client.key',
  subject: 'CN=ci-runner',
  issuer: 'CN=Example Client CA',
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2027-01-01T00:00:00.000Z',
  chainPem: '',
  key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
};
/** The same certificate, expired on 2026-03-01. */
export const EXPIRED_CERT: ClientCertificate = {
  ...CLIENT_CERT,
  validFrom: '2025-03-01T00:00:00.000Z',
  validTo: '2026-03-01T00:00:00.000Z',
};

function nginxPage(title: string, line: string): Answer {
  const body = `<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>400 Bad Request</h1></center>\n<center>${line}</center>\n<hr><center>nginx/1.22.1</center>\n</body>\n</html>\n`;
  return {
    status: 400,
    headers: [
      ['server', 'nginx/1.22.1'],
      ['content-type', 'text/html'],
      ['content-length', String(Buffer.byteLength(body))],
      ['connection', 'close'],
    ],
    body,
  };
}

export const NGINX_NO_CERT = nginxPage('400 No required SSL certificate was sent', 'No required SSL certificate was sent');
export const NGINX_CERT_ERROR = nginxPage('400 The SSL certificate error', 'The SSL certificate error');
/** A 400 of nginx's about something else. */
export const NGINX_HEADER_TOO_LARGE = nginxPage('400 Request Header Or Cookie Too Large', 'Request Header Or Cookie Too Large');

function kong(status: number, message: string): Answer {
  return {
    status,
    headers: [
      ['server', 'kong/3.4.2'],
      ['content-type', 'application/json; charset=utf-8'],
    ],
    body: `{\n  "message":"${message}"\n}`,
  };
}
export const KONG_NO_CERT = kong(401, 'No required TLS certificate was sent');
export const KONG_CERT_FAILED = kong(401, 'TLS certificate failed verification');

/** Cloudflare's 526: the ORIGIN's certificate is invalid, nothing about the client's. */
export const CLOUDFLARE_526: Answer = {
  status: 526,
  headers: [
    ['server', 'cloudflare'],
    ['content-type', 'text/html; charset=UTF-8'],
  ],
  body: '<!DOCTYPE html>\n<html><head><title>registry.example.test | 526: Invalid SSL certificate</title></head><body><h1>Invalid SSL certificate</h1></body></html>',
};

/** The registry's first answer (GET /health) is `answer`, the first step it fails; auth (its own origin) passes. */
export function registryAnswers(answer: Answer, cert?: ClientCertificate, registry = REGISTRY): Evidence {
  const c = new Check({ registryUrl: registry, ...(cert ? { clientCert: cert } : {}) });
  passAuth(c);
  const x = c.x({ step: 'health', label: 'GET /health', url: `${registry}/health`, answer });
  if (cert) x.clientCert = true;
  c.step('health', 'fail', `/health: ${answer.status}`);
  c.step('cleanup', 'pass', 'nothing to delete');
  return c.evidence();
}

/** experiments/search fails on a TLS alert (as Node names it), twice; health and auth passed (a cached connection, another origin). */
export function alertOnExperiments(code: string, alert: number, cert?: ClientCertificate): Evidence {
  const c = upToExperiments(cert ? { clientCert: cert } : {});
  const kind = code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' ? 'tls-other' : 'tls-client-cert';
  const reason = code
    .replace(/^ERR_SSL_/, '')
    .replace(/_/g, ' ')
    .toLowerCase();
  const error: ExchangeError = {
    kind,
    code,
    message: `registry.example.test:443: 40D7A2F1:error:0A000000:SSL routines:ssl3_read_bytes:${reason}:ssl/record/rec_layer_s3.c:1605:SSL alert number ${alert}`,
    phase: 'connect',
  };
  for (const x of searchFailsTwice(c, error)) if (cert) x.clientCert = true;
  c.step('experiments', 'error', `${kind}: ${code}`);
  return blockedBy(c, 'experiments').evidence();
}

/** The API itself answers 400 with words about a certificate (its own JSON): not a front's refusal. */
export function apiSaysCertificate(): Evidence {
  return registryAnswers(api(400, { detail: 'client certificate required for this operation' }));
}
