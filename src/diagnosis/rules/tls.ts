// TLS family: the connection was made but the certificate was refused — expired, signed by an
// authority we do not trust, or issued for another name — or the URL's scheme is not what the port
// speaks (https:// to plain HTTP, http:// to TLS).
import type { StepId } from '../../steps/types.js';
import { readBody } from '../exchange-body.js';
import { firstPerStep, hostOf, hungUp, responderOf, statusOf, tlsPortProof } from '../evidence-query.js';
import { report, rule } from '../finding.js';
import { labelsOf, transportFailures } from '../transport-errors.js';
import type { CheckExchange, Finding, Rule, RuleMeta } from '../types.js';
import { nameOf, responderWords } from '../words.js';

const schemeMeta: RuleMeta = {
  code: 'TLS_SCHEME_MISMATCH',
  family: 'tls',
  rank: { tier: 'scheme', order: 1 },
  title: 'http/https does not match the port',
  severity: 'error',
  docs: {
    means:
      'The URL\'s scheme is not what its port speaks: an https:// URL whose port serves plain HTTP (the TLS handshake gets an HTTP answer: OpenSSL\'s "wrong version number"), or an http:// URL whose port serves TLS (nginx and Apache answer 400 "plain HTTP request was sent to HTTPS port", Go servers such as Caddy "Client sent an HTTP request to an HTTPS server", others — HAProxy, Node, load balancers — hang up; then a GET of the same URL over https:// shows the port speaks TLS).',
    detect:
      'An https:// request failed with ERR_SSL_WRONG_VERSION_NUMBER (or "wrong version number", "packet length too long"); or an http:// request got one of those 400 pages; or it was hung up on and the `tls-port` probe got an answer (or a certificate) over https://.',
    fix: 'Use the scheme the port speaks: https:// for a TLS port, http:// for a plain one — or the other port (443 for TLS, the plain port for HTTP).',
    confirm: 'Rerun hokus-check with the corrected URL.',
  },
};

/** OpenSSL's words when the first bytes back are not a TLS record (a plain-HTTP answer). */
const NOT_TLS = /wrong version number|packet length too long|http request|unknown protocol/i;
/** What a TLS server answers itself to plain HTTP (captured from nginx, Apache and Caddy). */
const PLAIN_TO_TLS_PAGE =
  /The plain HTTP request was sent to HTTPS port|speaking plain HTTP to an SSL-enabled server port|Client sent an HTTP request to an HTTPS server/i;

const expiredMeta: RuleMeta = {
  code: 'TLS_EXPIRED',
  family: 'tls',
  rank: { tier: 'transport', order: 3 },
  title: 'Certificate expired',
  severity: 'error',
  docs: {
    means: 'The server presented a certificate whose validity period has ended (or not yet begun: check the clock).',
    detect: 'The TLS handshake failed with CERT_HAS_EXPIRED / CERT_NOT_YET_VALID.',
    fix: "Renew the certificate (ACM, cert-manager, Let's Encrypt) and deploy it to the listener. If the certificate looks valid, check this machine's clock.",
    confirm: '`openssl s_client -connect <host>:443 -servername <host> | openssl x509 -noout -dates`, then rerun hokus-check.',
  },
};

const untrustedMeta: RuleMeta = {
  code: 'TLS_UNTRUSTED',
  family: 'tls',
  rank: { tier: 'transport', order: 4 },
  title: 'Certificate not trusted',
  severity: 'error',
  docs: {
    means:
      "The server's certificate chain does not lead to an authority this machine trusts: self-signed, a private CA, or a missing intermediate.",
    detect:
      'The TLS handshake failed with SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_VERIFY_LEAF_SIGNATURE, DEPTH_ZERO_SELF_SIGNED_CERT or similar.',
    fix: 'Serve the full chain (leaf + intermediates) on the server. For a private CA, pass it with --ca-file (or NODE_EXTRA_CA_CERTS). --insecure skips verification for a one-off check only.',
    confirm: 'Rerun hokus-check with --ca-file <ca.pem>: the handshake succeeds.',
  },
};

const hostnameMeta: RuleMeta = {
  code: 'TLS_HOSTNAME',
  family: 'tls',
  rank: { tier: 'transport', order: 5 },
  title: 'Certificate is for another host name',
  severity: 'error',
  docs: {
    means: 'The certificate is valid, but not for the host name in the URL.',
    detect:
      "The TLS handshake failed with ERR_TLS_CERT_ALTNAME_INVALID (the name is not among the certificate's subject alternative names).",
    fix: "Use the host name the certificate was issued for, or add this name to the certificate (SAN). A load balancer's default certificate answers for names that have no listener certificate.",
    confirm: '`openssl s_client -connect <host>:443 -servername <host> | openssl x509 -noout -ext subjectAltName`, then rerun hokus-check.',
  },
};

export const rules: Rule[] = [
  rule(schemeMeta, (ev) => {
    const out: Finding[] = [];
    // https:// to a plain-HTTP port.
    for (const g of transportFailures(ev, ['tls-other'])) {
      const hits = g.exchanges.filter(
        (x) =>
          x.request.url.startsWith('https:') && (x.error?.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || NOT_TLS.test(x.error?.message ?? '')),
      );
      if (hits.length === 0) continue;
      out.push(
        report(schemeMeta, {
          step: g.step,
          severity: g.severity,
          cause: `${g.host} speaks plain HTTP, not TLS: the https:// URL's handshake on ${labelsOf(hits)} got an HTTP answer (${hits[0]!.error?.code ?? 'wrong version number'}).`,
          evidence: hits.map((x) => x.id),
          fix: [`Use http://${g.host} (this port serves plain HTTP), or the port that serves HTTPS (usually 443).`],
        }),
      );
    }
    // http:// to a TLS port: its own 400 page, or a hang-up that the tls-port probe explains.
    const proofOf = (x: CheckExchange) => (hungUp(x) ? tlsPortProof(ev, x.request.url) : undefined);
    const plainPage = (x: CheckExchange) => statusOf(x) === 400 && PLAIN_TO_TLS_PAGE.test(readBody(x).text);
    for (const x of firstPerStep(ev, (x) => x.request.url.startsWith('http:') && (plainPage(x) || proofOf(x) !== undefined))) {
      out.push(plainToTls(x.step, x, proofOf(x)));
    }
    return out;
  }),

  rule(expiredMeta, (ev) =>
    transportFailures(ev, ['tls-expired']).map((g) =>
      report(expiredMeta, {
        step: g.step,
        severity: g.severity,
        cause: `The TLS certificate of ${g.host} has expired (or is not yet valid), so ${labelsOf(g.exchanges)} was refused before any request was sent.`,
        evidence: g.exchanges.map((x) => x.id),
        fix: [`Renew the certificate served for ${g.host}.`, "If it looks valid, check this machine's clock."],
      }),
    ),
  ),
  rule(untrustedMeta, (ev) =>
    transportFailures(ev, ['tls-untrusted']).map((g) =>
      report(untrustedMeta, {
        step: g.step,
        severity: g.severity,
        cause: `The TLS certificate of ${g.host} is not signed by a trusted authority (${g.exchanges[0]?.error?.code ?? 'untrusted'}).`,
        evidence: g.exchanges.map((x) => x.id),
        fix: [
          `Serve the full certificate chain on ${g.host}.`,
          'For a private CA, pass it with --ca-file <ca.pem>.',
          '--insecure skips verification for a one-off check only.',
        ],
      }),
    ),
  ),
  rule(hostnameMeta, (ev) =>
    transportFailures(ev, ['tls-hostname']).map((g) =>
      report(hostnameMeta, {
        step: g.step,
        severity: g.severity,
        cause: `The TLS certificate presented by ${g.host} is not valid for that host name.`,
        evidence: g.exchanges.map((x) => x.id),
        fix: [`Use the host name the certificate was issued for, or add ${g.host.replace(/:\d+$/, '')} to its subject alternative names.`],
      }),
    ),
  ),
];

function plainToTls(step: StepId, x: CheckExchange, proof: CheckExchange | undefined): Finding {
  const host = hostOf(x.request.url);
  const how = proof
    ? `was hung up on (${x.error?.kind ?? 'no answer'}), while ${proof.request.method} ${proof.request.url} ${proof.response ? `answered ${proof.response.status}` : `presented a certificate (${proof.error?.kind})`} (${proof.id})`
    : `answered 400 from ${responderWords(responderOf(x))}: "${PLAIN_TO_TLS_PAGE.exec(readBody(x).text)?.[0] ?? 'plain HTTP sent to a TLS port'}"`;
  return report(schemeMeta, {
    step,
    cause: `${host} speaks TLS, but the URL is http://: ${nameOf(x)} ${how}.`,
    evidence: proof ? [x.id, proof.id] : [x.id],
    fix: [
      `Use https://${host}${proof?.error ? ' (and trust its certificate: --ca-file for a private CA)' : ''}, or the port that serves plain HTTP.`,
    ],
  });
}
