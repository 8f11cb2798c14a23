// TLS family, mutual TLS: the server (or a hop in front) requires a client certificate and none was
// sent, refused the one sent, or refused it as expired. Read from the TLS alert a request failed on,
// or from the answer a front wrote itself on a TLS connection (client-cert.ts), with what the check
// presented: whether the try's connection had the certificate (CheckExchange.clientCert) and the
// certificate's validity against the time of the request (Target.clientCert) — never a clock.
import type { ClientCertificate } from '../../steps/types.js';
import { alertReading, type ClientCertRefusal, pageReading, type RefusalReading } from '../client-cert.js';
import { firstPerStep, hostOf, responderOf } from '../evidence-query.js';
import { report, rule } from '../finding.js';
import { hopFix } from '../profiles/index.js';
import { GENERIC_FIXES } from '../situations.js';
import { labelsOf, transportFailures } from '../transport-errors.js';
import type { CheckExchange, Evidence, Finding, Rule, RuleMeta } from '../types.js';
import { answerOnly, capitalise, decidedBy, hopAt, nameOf } from '../words.js';

const FLAGS = '--client-cert client.pem --client-key client.key';
const WHERE_ELSE = 'HOKUS_CHECK_CLIENT_CERT/HOKUS_CHECK_CLIENT_KEY, or clientCert/clientKey in the environment of the config file';

const requiredMeta: RuleMeta = {
  code: 'TLS_CLIENT_CERT_REQUIRED',
  family: 'tls',
  rank: { tier: 'client-cert', order: 3 },
  title: 'Client certificate required (mutual TLS)',
  severity: 'error',
  docs: {
    means:
      'The server, or a hop in front of it, requires a client certificate (mutual TLS) and the check sent none: it ran without --client-cert, or the certificate is set for another environment.',
    detect:
      'A request failed on the server\'s TLS alert certificate_required (116, TLS 1.3) — or, with no certificate to present, bad_certificate (42), another certificate alert, or handshake_failure (40, TLS 1.2: likely, as no shared cipher sends it too) — or got a 400/401/403 on a TLS connection, written in front of the service, whose words say a certificate was required and not sent (nginx: "400 No required SSL certificate was sent").',
    fix: `Pass the client certificate: ${FLAGS} (${WHERE_ELSE}); a PEM file holding both needs --client-cert alone.`,
    confirm:
      'Rerun hokus-check with --client-cert/--client-key: the requests get past TLS (`curl --cert client.pem --key client.key https://<host>/health` answers).',
  },
};

const rejectedMeta: RuleMeta = {
  code: 'TLS_CLIENT_CERT_REJECTED',
  family: 'tls',
  rank: { tier: 'client-cert', order: 2 },
  title: 'Client certificate refused (mutual TLS)',
  severity: 'error',
  docs: {
    means:
      'The server requires a client certificate and refused the one the check presented: it is not issued by a CA the server trusts for clients, its chain is incomplete, it was revoked, or it is not meant for client authentication.',
    detect:
      'With a client certificate presented, a request failed on the server\'s TLS alert unknown_ca (48), bad_certificate (42), certificate_unknown (46), unsupported_certificate (43), certificate_revoked (44) or access_denied (49), or got a 400/401/403 on a TLS connection, written in front of the service, whose words say the certificate was refused (nginx: "400 The SSL certificate error") — while the certificate was within its validity.',
    fix: 'Use a certificate issued by the CA the server trusts for clients (nginx: ssl_client_certificate), with the extended key usage clientAuth; put any intermediates after the leaf in the --client-cert file.',
    confirm: '`openssl verify -CAfile <the CA the server trusts> -purpose sslclient client.pem`, then rerun hokus-check.',
  },
};

const expiredMeta: RuleMeta = {
  code: 'TLS_CLIENT_CERT_EXPIRED',
  family: 'tls',
  rank: { tier: 'client-cert', order: 1 },
  title: 'Client certificate expired (mutual TLS)',
  severity: 'error',
  docs: {
    means: 'The client certificate the check presented has expired (or is not valid yet), and the server refused it.',
    detect:
      "A request failed on the server's TLS alert certificate_expired (45); or the server refused the certificate (another certificate alert, or its page: nginx's \"400 The SSL certificate error\") when the request was made after the certificate's notAfter (or before its notBefore). hokus-check also warns before the first request when the certificate is outside its validity.",
    fix: 'Renew the client certificate and pass the new one with --client-cert/--client-key. If it looks valid, check the clocks of this machine and of the server.',
    confirm: '`openssl x509 -in client.pem -noout -dates`, then rerun hokus-check.',
  },
};

export const rules: Rule[] = [
  rule(requiredMeta, (ev) => findings(ev, 'required')),
  rule(rejectedMeta, (ev) => findings(ev, 'rejected')),
  rule(expiredMeta, (ev) => findings(ev, 'expired')),
];

const META: Record<ClientCertRefusal, RuleMeta> = { required: requiredMeta, rejected: rejectedMeta, expired: expiredMeta };

/** One finding per step and host for the alerts, one per step for the pages. */
function findings(ev: Evidence, refusal: ClientCertRefusal): Finding[] {
  const meta = META[refusal];
  const out: Finding[] = [];
  for (const g of transportFailures(ev, ['tls-client-cert', 'tls-other'])) {
    const hits = g.exchanges.filter((x) => readingOf(ev, x)?.refusal === refusal);
    const first = hits[0];
    if (first === undefined) continue;
    const reading = readingOf(ev, first)!;
    out.push(
      report(meta, {
        step: g.step,
        severity: g.severity,
        cause: `${reading.sure === 'likely' ? 'Likely: ' : ''}${situationWords(ev, first, refusal, g.host)}: ${labelsOf(hits)} failed on ${reading.why}${alertMeaning(ev, reading)}.`,
        evidence: hits.map((x) => x.id),
        fix: fixes(ev, refusal, g.host),
      }),
    );
  }
  for (const x of firstPerStep(ev, (y) => y.response !== undefined && readingOf(ev, y)?.refusal === refusal)) {
    const reading = readingOf(ev, x)!;
    out.push(
      report(meta, {
        step: x.step,
        cause: `${capitalise(situationWords(ev, x, refusal, hopAt(x)))}: ${nameOf(x)} got ${answerOnly(x)} (${decidedBy(x, reading)}).`,
        evidence: [x.id],
        fix: pageFixes(ev, x, refusal),
      }),
    );
  }
  return out;
}

/** The alert's or the page's reading, with the certificate's own dates: a refused certificate that had expired by then is an expired one. */
function readingOf(ev: Evidence, x: CheckExchange): RefusalReading | undefined {
  const reading = alertReading(x) ?? pageReading(x);
  const cert = ev.target.clientCert;
  if (reading?.refusal !== 'rejected' || !x.clientCert || !cert || validAt(cert, x.startedAt)) return reading;
  return { ...reading, refusal: 'expired' };
}

/** Whether `at` (ISO) is within the certificate's validity; true when either date does not parse. */
function validAt(cert: ClientCertificate, at: string): boolean {
  const [from, to, when] = [Date.parse(cert.validFrom), Date.parse(cert.validTo), Date.parse(at)];
  if ([from, to, when].some(Number.isNaN)) return true;
  return when >= from && when <= to;
}

/** 'registry.example:443 requires a client certificate (mutual TLS) and none was sent'. */
function situationWords(ev: Evidence, x: CheckExchange, refusal: ClientCertRefusal, who: string): string {
  const cert = ev.target.clientCert;
  switch (refusal) {
    case 'required':
      return x.clientCert && cert
        ? `${who} requires a client certificate (mutual TLS) and says none was sent, though ${cert.path} was set to be presented`
        : `${who} requires a client certificate (mutual TLS) and none was sent`;
    case 'rejected':
      return `${who} refused the client certificate sent${cert ? ` (${certWords(cert)})` : ''}`;
    case 'expired':
      return cert && !validAt(cert, x.startedAt)
        ? `${who} refused the client certificate sent as expired: ${cert.path} (${cert.subject}) is valid from ${cert.validFrom} to ${cert.validTo}, and the request was made at ${x.startedAt}`
        : `${who} refused the client certificate sent as expired${cert ? ` (${certWords(cert)}; by this machine's clock it is valid: check the server's clock, and the intermediates in the file)` : ''}`;
  }
}

/** What an alert says of the certificate sent, in a clause: ' — it does not trust its issuer (CN=Other CA)'. */
function alertMeaning(ev: Evidence, reading: RefusalReading): string {
  if (reading.refusal !== 'rejected') return '';
  const issuer = ev.target.clientCert ? ` (${ev.target.clientCert.issuer})` : '';
  const alert = /\((\d+)\)/.exec(reading.why)?.[1];
  switch (alert) {
    case '48':
      return ` — it does not trust the certificate's issuer${issuer}`;
    case '44':
      return ' — the certificate has been revoked';
    case '43':
      return ' — it does not accept the certificate for this use (its type, or a purpose other than client authentication)';
    case '49':
      return ' — it verified the certificate and denies it access';
    default:
      return ' — it could not verify the certificate (an issuer it does not trust, a missing intermediate, or a purpose other than client authentication)';
  }
}

/** 'client.pem: CN=ci-runner, issued by CN=Example CA, valid until 2027-03-14T09:00:00.000Z'. */
function certWords(cert: ClientCertificate): string {
  const purpose = cert.notForClientAuth ? '; its extended key usage does not include client authentication' : '';
  return `${cert.path}: ${cert.subject}, issued by ${cert.issuer}, valid until ${cert.validTo}${purpose}`;
}

/** The situation's fixes, the product's own words (a profile's) in place of the generic second line. */
function pageFixes(ev: Evidence, x: CheckExchange, refusal: ClientCertRefusal): string[] {
  const situation = refusal === 'required' ? 'client-cert-required' : 'client-cert-rejected';
  const product = hopFix(responderOf(x), situation);
  const [first, ...rest] = fixes(ev, refusal, hostOf(x.request.url));
  if (product === GENERIC_FIXES[situation] || first === undefined) return [first ?? product, ...rest];
  return refusal === 'expired' ? [first, ...rest, product] : [first, product];
}

function fixes(ev: Evidence, refusal: ClientCertRefusal, host: string): string[] {
  const cert = ev.target.clientCert;
  switch (refusal) {
    case 'required':
      return [
        `Pass the client certificate ${host} requires: ${FLAGS} (${WHERE_ELSE}); a PEM file holding both needs --client-cert alone.`,
        `Ask the owner of ${host} which CA it trusts for client certificates, and use a certificate issued by it.`,
      ];
    case 'rejected':
      return [
        `Use a client certificate issued by a CA ${host} trusts for clients${cert ? ` (${cert.issuer} is not one, or the chain to it is incomplete)` : ''}, with the extended key usage clientAuth, and pass it with --client-cert/--client-key.`,
        'Put any intermediate certificates after the leaf in the --client-cert file.',
      ];
    case 'expired':
      return [
        `Renew the client certificate${cert ? ` ${cert.path}` : ''} and pass the new one with --client-cert/--client-key.`,
        `Check its dates: openssl x509 -in ${cert?.path ?? 'client.pem'} -noout -dates (and the clocks of this machine and of ${host}).`,
      ];
  }
}
