// What says a server wanted a client certificate (mutual TLS), read from the check's own evidence,
// for any product: the TLS alert a try failed on (RFC 8446 §6.2: the alert's number, in the error's
// code or OpenSSL's "SSL alert number N"), read with whether the try's connection had a certificate
// to present; or the words of an answer written in front of the service on a TLS connection — a
// status that refuses (400, 401, 403, nginx's internal 495/496) and says a certificate was required
// and not sent, or that the one sent was refused. Shared by the hop's situation (hop-situation.ts) and
// the rules that name it (rules/client-cert.ts).
import { errorWords, readBody } from './exchange-body.js';
import { fingerprintOf } from './fingerprint.js';
import type { Exchange } from '../http/types.js';

/** What the server said about the client certificate: none was sent where one is required, the one sent was refused, or it had expired. */
export type ClientCertRefusal = 'required' | 'rejected' | 'expired';

export interface CertAlert {
  /** The alert's name in RFC 8446 ('certificate_required') and its number (116). */
  name: string;
  number: number;
}

export interface RefusalReading {
  refusal: ClientCertRefusal;
  sure: 'certain' | 'likely';
  /** The evidence in words a finding quotes: 'the TLS alert certificate_required (116)', 'its 400 page "…"'. */
  why: string;
}

/** The alerts a server sends about the client's certificate, by number. */
const ALERTS: Readonly<Record<number, string>> = {
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  48: 'unknown_ca',
  49: 'access_denied',
  116: 'certificate_required',
};

/** Node's codes for them (OpenSSL's reason, received from the peer). */
const ALERT_CODES: Readonly<Record<string, number>> = {
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 40,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 42,
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 43,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 44,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 45,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 46,
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 48,
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 49,
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 116,
};

/** The certificate alert a try failed on, if it failed on one. */
export function certAlertOf(x: Exchange): CertAlert | undefined {
  if (x.response !== undefined || x.error === undefined) return undefined;
  const byCode = x.error.code === undefined ? undefined : ALERT_CODES[x.error.code];
  const number = byCode ?? Number(/\bSSL alert number (\d{1,3})\b/i.exec(x.error.message)?.[1] ?? NaN);
  const name = ALERTS[number];
  return name === undefined ? undefined : { name, number };
}

/**
 * What a try's alert says. Without a certificate to present, any of them asks for one — a TLS 1.3
 * server sends certificate_required, a TLS 1.2 one handshake_failure (OpenSSL) or bad_certificate
 * (Go, Java); handshake_failure is also the alert for no shared cipher, so it is only likely. With a
 * certificate: certificate_expired is its expiry, the others refuse it (handshake_failure then says
 * nothing about it).
 */
export function alertReading(x: Exchange): RefusalReading | undefined {
  const alert = certAlertOf(x);
  if (!alert) return undefined;
  const why = `the server's TLS alert ${alert.name} (${alert.number})`;
  if (!x.clientCert) {
    return alert.number === 40
      ? {
          refusal: 'required',
          sure: 'likely',
          why: `${why}, which a TLS 1.2 server sends when it requires a client certificate and gets none (and when it shares no cipher)`,
        }
      : { refusal: 'required', sure: 'certain', why };
  }
  if (alert.number === 40) return undefined;
  if (alert.number === 116) return { refusal: 'required', sure: 'certain', why };
  return { refusal: alert.number === 45 ? 'expired' : 'rejected', sure: 'certain', why };
}

/** Statuses a front refuses a client certificate with: nginx's internal 495/496 reach the client as 400. */
const REFUSING = new Set([400, 401, 403, 495, 496]);

/** A certificate was required and none was sent (nginx 400, Kong's mtls-auth 401: "No required SSL/TLS certificate was sent"; IIS 403.7 "Client certificate required"). */
const REQUIRED_WORDS = [
  /\bno required (?:ssl |tls |client )?certificate was sent\b/i,
  /\b(?:ssl|tls|client) certificates? (?:is |are |was )?required\b/i,
  /\b(?:no|missing) (?:valid )?(?:client (?:ssl |tls )?|(?:ssl |tls )client )certificates?\b/i,
  /\bno (?:valid )?(?:ssl |tls )?certificates? (?:was |were )?(?:sent|provided|presented|supplied)\b/i,
  /\b(?:ssl|tls|client) certificates? (?:is |was )?(?:missing|not (?:sent|provided|presented|supplied))\b/i,
];
/** The certificate sent was refused (nginx: "The SSL certificate error"; Kong: "TLS certificate failed verification"). */
const REJECTED_WORDS = [
  /\bThe SSL certificate error\b/i,
  /\b(?:ssl|tls|client) certificate (?:error|is (?:invalid|not (?:trusted|valid)|untrusted|revoked|expired)|verification failed|failed verification|could not be verified|was (?:rejected|refused|revoked)|has expired|expired)\b/i,
  /\b(?:invalid|untrusted|revoked|expired|bad) (?:ssl |tls |client )+certificate\b/i,
];
const EXPIRED_WORDS = /\bcertificate (?:is |has )?expired\b|\bexpired (?:ssl |tls |client )+certificate\b/i;

/**
 * What an answer written in front of the service says about the client certificate: on a TLS
 * connection (https://), a refusing status whose words say a certificate was required and not sent,
 * or that the one sent was refused (expired, when its words say so). The services' own answers never
 * count, whatever their words.
 */
export function pageReading(x: Exchange): RefusalReading | undefined {
  const status = x.response?.status;
  if (status === undefined || !REFUSING.has(status) || !x.request.url.startsWith('https:')) return undefined;
  if (fingerprintOf(x).writer === 'service') return undefined;
  const words = errorWords(readBody(x));
  const required = REQUIRED_WORDS.map((re) => re.exec(words)?.[0]).find((m) => m !== undefined);
  if (required !== undefined)
    return { refusal: 'required', sure: 'certain', why: `a ${status} whose words ("${required}") say a certificate was required` };
  const rejected = REJECTED_WORDS.map((re) => re.exec(words)?.[0]).find((m) => m !== undefined);
  if (rejected !== undefined)
    return {
      refusal: EXPIRED_WORDS.test(words) ? 'expired' : 'rejected',
      sure: 'certain',
      why: `a ${status} whose words ("${rejected}") say the certificate sent was refused`,
    };
  return undefined;
}
