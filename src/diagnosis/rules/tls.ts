// TLS family: the connection was made but the certificate was refused — expired, signed by an
// authority we do not trust, or issued for another name.
import { report, rule } from '../finding.js';
import { labelsOf, transportFailures } from '../transport-errors.js';
import type { Rule, RuleMeta } from '../types.js';

const expiredMeta: RuleMeta = {
  code: 'TLS_EXPIRED',
  family: 'tls',
  title: 'Certificate expired',
  severity: 'error',
  docs: {
    means: 'The server presented a certificate whose validity period has ended (or not yet begun: check the clock).',
    detect: 'The TLS handshake failed with CERT_HAS_EXPIRED / CERT_NOT_YET_VALID.',
    fix: 'Renew the certificate (ACM, cert-manager, Let\'s Encrypt) and deploy it to the listener. If the certificate looks valid, check this machine\'s clock.',
    confirm: '`openssl s_client -connect <host>:443 -servername <host> | openssl x509 -noout -dates`, then rerun hokus-check.',
  },
};

const untrustedMeta: RuleMeta = {
  code: 'TLS_UNTRUSTED',
  family: 'tls',
  title: 'Certificate not trusted',
  severity: 'error',
  docs: {
    means: 'The server\'s certificate chain does not lead to an authority this machine trusts: self-signed, a private CA, or a missing intermediate.',
    detect: 'The TLS handshake failed with SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_VERIFY_LEAF_SIGNATURE, DEPTH_ZERO_SELF_SIGNED_CERT or similar.',
    fix: 'Serve the full chain (leaf + intermediates) on the server. For a private CA, pass it with --ca-file (or NODE_EXTRA_CA_CERTS). --insecure skips verification for a one-off check only.',
    confirm: 'Rerun hokus-check with --ca-file <ca.pem>: the handshake succeeds.',
  },
};

const hostnameMeta: RuleMeta = {
  code: 'TLS_HOSTNAME',
  family: 'tls',
  title: 'Certificate is for another host name',
  severity: 'error',
  docs: {
    means: 'The certificate is valid, but not for the host name in the URL.',
    detect: 'The TLS handshake failed with ERR_TLS_CERT_ALTNAME_INVALID (the name is not among the certificate\'s subject alternative names).',
    fix: 'Use the host name the certificate was issued for, or add this name to the certificate (SAN). A load balancer\'s default certificate answers for names that have no listener certificate.',
    confirm: '`openssl s_client -connect <host>:443 -servername <host> | openssl x509 -noout -ext subjectAltName`, then rerun hokus-check.',
  },
};

export const rules: Rule[] = [
  rule(expiredMeta, (ev) =>
    transportFailures(ev, ['tls-expired']).map((g) =>
      report(expiredMeta, {
        step: g.step,
        severity: g.severity,
        cause: `The TLS certificate of ${g.host} has expired (or is not yet valid), so ${labelsOf(g.exchanges)} was refused before any request was sent.`,
        evidence: g.exchanges.map((x) => x.id),
        fix: [`Renew the certificate served for ${g.host}.`, 'If it looks valid, check this machine\'s clock.'],
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
