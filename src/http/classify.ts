// Transport errors → NetErrorKind. Node and undici report the same failure under several codes and
// wrap them (`err.cause`, AggregateError from happy-eyeballs), so the whole chain is searched.
import { hostPortOf } from './host-port.js';
import type { ExchangeError, NetErrorKind } from './types.js';

export type Phase = NonNullable<ExchangeError['phase']>;

export interface ClassifyContext {
  /** host:port, named in the message. */
  host: string;
  /** How far the try got: used when the error itself does not say. */
  phase: Phase;
  /** Our caller's signal fired (Ctrl-C, deadline of the whole check). */
  aborted: boolean;
  /** Why it fired: the abort reason's name 'TimeoutError' means the check's deadline. */
  abortReason?: unknown;
  /** Set when one of our own per-request timers fired: what did not arrive in time. */
  timedOut?: string;
  /** The forward proxy the request was tunnelled through (scheme://host:port), when it was. */
  via?: string;
}

export function classifyError(err: unknown, ctx: ClassifyContext): ExchangeError {
  const chain = errorChain(err);
  const code = chain.map((e) => e.code).find((c): c is string => typeof c === 'string');
  if (ctx.aborted) {
    // Our own codes, so the diagnosis can tell the check's deadline from a Ctrl-C.
    const deadline = (ctx.abortReason as { name?: unknown } | undefined)?.name === 'TimeoutError';
    return deadline
      ? { kind: 'aborted', code: 'HOKUS_DEADLINE', message: `request to ${ctx.host} ended: the check's deadline passed`, phase: ctx.phase }
      : { kind: 'aborted', code: 'HOKUS_INTERRUPTED', message: `request to ${ctx.host} aborted: interrupted`, phase: ctx.phase };
  }
  if (ctx.timedOut) {
    // Nothing was written yet: the connection (through a proxy, say) never became usable.
    const kind = ctx.phase === 'connect' ? 'connect-timeout' : 'timeout';
    const through =
      kind === 'connect-timeout' && ctx.via
        ? ` (through the proxy ${hostPort(ctx.via)}: it did not accept the connection, or did not reach ${ctx.host})`
        : '';
    return { kind, message: `${ctx.host}: ${ctx.timedOut}${through}`, phase: ctx.phase };
  }
  if (ctx.via) {
    const atProxy = proxyFailure(chain, ctx.host, hostPort(ctx.via));
    if (atProxy) return atProxy;
  }
  for (const e of chain) {
    const kind = kindOf(e);
    if (!kind) continue;
    const out: ExchangeError = { kind, message: messageOf(e, chain, ctx.host), phase: phaseOf(kind, e.code, ctx.phase) };
    if (typeof e.code === 'string') out.code = e.code;
    return out;
  }
  const out: ExchangeError = { kind: 'other', message: messageOf(chain[0], chain, ctx.host), phase: ctx.phase };
  if (code) out.code = code;
  return out;
}

// undici's words when the proxy answers CONNECT with anything but 200 (undici/lib/dispatcher/proxy-agent.js).
const TUNNEL_REFUSED = /Proxy response \((\d{3})\) !== 200 when HTTP Tunneling/;

/**
 * A failure of the hop to the forward proxy, named as such. Through a tunnel the target's own TCP
 * connection is the proxy's to make (it answers CONNECT with a status when it cannot), so a name
 * that does not resolve or a port that refuses, before anything was sent, is the proxy's.
 */
function proxyFailure(chain: ErrorLike[], host: string, proxy: string): ExchangeError | undefined {
  for (const e of chain) {
    const m = typeof e.message === 'string' ? TUNNEL_REFUSED.exec(e.message) : null;
    if (m) {
      const status = Number(m[1]);
      const out: ExchangeError = {
        kind: 'proxy-refused',
        message: `the proxy ${proxy} answered ${status} to the tunnel request (CONNECT ${host})`,
        phase: 'connect',
        proxyStatus: status,
      };
      if (typeof e.code === 'string') out.code = e.code;
      return out;
    }
  }
  for (const e of chain) {
    const kind = kindOf(e);
    if (kind !== 'dns' && kind !== 'refused') continue;
    const what = kind === 'dns' ? `the proxy's host name does not resolve` : 'the proxy refused the connection';
    const out: ExchangeError = {
      kind: 'proxy-unreachable',
      message: `proxy ${proxy}: ${what} (${String(e.code)}); nothing reached ${host}`,
      phase: 'connect',
    };
    if (typeof e.code === 'string') out.code = e.code;
    return out;
  }
  return undefined;
}

/** `host:port` of a proxy origin (scheme://host:port). */
function hostPort(origin: string): string {
  return hostPortOf(origin) ?? origin;
}

export interface CutContext {
  host: string;
  /** Body bytes that arrived before the end. */
  received: number;
  /** The content-length the answer announced, when it did. */
  expected?: number;
  /** From the start of the try to the cut. */
  elapsedMs: number;
}

/**
 * A body-phase failure where the other side closed or reset the connection before the body's end:
 * the answer started and was cut (a worker killed by its timeout, a proxy's read timeout, a crash).
 * undefined when the failure is something else (a malformed chunk, our own timer or signal).
 */
export function asCut(e: ExchangeError, ctx: CutContext): ExchangeError | undefined {
  if (e.phase !== 'body' || e.kind === 'aborted' || e.kind === 'timeout') return undefined;
  const short = ctx.expected === undefined || ctx.received < ctx.expected;
  const closed =
    e.kind === 'reset' ||
    e.code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    // A chunked body ended by the connection closing before its last chunk (llhttp's words).
    (e.kind === 'protocol' && (e.code === 'HPE_INVALID_EOF_STATE' || /Invalid EOF state/i.test(e.message))) ||
    (e.code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' && ctx.expected !== undefined && ctx.received < ctx.expected);
  if (!closed || !short) return undefined;
  const of = ctx.expected === undefined ? '' : ` of ${ctx.expected}`;
  const how = e.code === 'ECONNRESET' ? 'reset' : 'closed';
  const out: ExchangeError = {
    kind: 'cut',
    message: `${ctx.host} ${how} the connection ${seconds(ctx.elapsedMs)} after the request was sent, ${ctx.received}${of} body bytes received`,
    phase: 'body',
  };
  if (e.code !== undefined) out.code = e.code;
  return out;
}

/** `30.0 s`, `850 ms`. */
export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  name?: unknown;
}

const BY_CODE: Record<string, NetErrorKind> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_NONAME: 'dns',
  EAI_NODATA: 'dns',
  EAI_FAIL: 'dns',
  ECONNREFUSED: 'refused',
  UND_ERR_CONNECT_TIMEOUT: 'connect-timeout',
  ETIMEDOUT: 'connect-timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'reset',
  CERT_HAS_EXPIRED: 'tls-expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls-untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls-untrusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls-untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls-untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'tls-untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls-hostname',
  HOSTNAME_MISMATCH: 'tls-hostname',
  // Alerts a server sends about the client's certificate (mutual TLS): certificate_required (116),
  // bad_certificate (42), unsupported_certificate (43), certificate_revoked (44), certificate_expired
  // (45), certificate_unknown (46), unknown_ca (48), access_denied (49). handshake_failure (40) is
  // also what a TLS 1.2 server sends for no client certificate, but as often for no shared cipher:
  // it stays tls-other, and the diagnosis reads it with what the check presented.
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'tls-client-cert',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'tls-client-cert',
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 'tls-client-cert',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 'tls-client-cert',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'tls-client-cert',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'tls-client-cert',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'tls-client-cert',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'tls-client-cert',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'protocol',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'protocol',
  UND_ERR_HEADERS_OVERFLOW: 'protocol',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'protocol',
};

function kindOf(e: ErrorLike): NetErrorKind | undefined {
  const code = typeof e.code === 'string' ? e.code : '';
  const byCode = BY_CODE[code];
  if (byCode) return byCode;
  if (code.startsWith('HPE_') || e.name === 'HTTPParserError') return 'protocol';
  if (/^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_)/.test(code)) return 'tls-other';
  const message = typeof e.message === 'string' ? e.message : '';
  if (code === 'EPROTO' || /\b(SSL|TLS)\b|certificate/i.test(message)) return 'tls-other';
  if (/other side closed|socket hang up/i.test(message)) return 'reset';
  return undefined;
}

function phaseOf(kind: NetErrorKind, code: unknown, fallback: Phase): Phase {
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'headers';
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'body';
  switch (kind) {
    case 'dns':
    case 'refused':
    case 'connect-timeout':
    case 'tls-expired':
    case 'tls-untrusted':
    case 'tls-hostname':
    case 'tls-client-cert':
    case 'tls-other':
      return 'connect';
    default:
      return fallback;
  }
}

/** One line naming the host; the most specific message in the chain. */
function messageOf(e: ErrorLike | undefined, chain: ErrorLike[], host: string): string {
  const text = [e, ...chain].map((x) => (typeof x?.message === 'string' ? x.message.split('\n')[0]!.trim() : '')).find((m) => m.length > 0);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const line = text ?? code ?? 'request failed';
  return line.includes(host) || line.includes(host.replace(/:\d+$/, '')) ? line : `${host}: ${line}`;
}

/** err, err.cause, …, and the members of AggregateErrors, outermost first. */
function errorChain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 16) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || out.includes(e)) continue;
    out.push(e);
    const cause = (e as { cause?: unknown }).cause;
    if (cause) queue.push(cause);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
  }
  return out;
}
