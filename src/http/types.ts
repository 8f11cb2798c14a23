// Shared shapes of the HTTP layer. An Exchange is the unit of evidence: every request the check
// (or a follow-up probe) makes becomes one, already redacted when it is recorded.
import type { Readable } from 'node:stream';

/** Phase timings in milliseconds, HAR-style: -1 where a phase was not measured or did not happen. */
export interface Timings {
  blocked: number;
  dns: number;
  connect: number;
  ssl: number;
  send: number;
  wait: number;
  receive: number;
  total: number;
}

/** Transport failure classes; each maps onto a NET_* / TLS_* diagnosis code. */
export type NetErrorKind =
  | 'dns'
  | 'refused'
  | 'connect-timeout'
  | 'timeout' // headers or body did not arrive in time
  | 'reset'
  | 'tls-expired'
  | 'tls-untrusted'
  | 'tls-hostname'
  | 'tls-client-cert' // the server refused our client certificate, or its absence, with a TLS alert (mutual TLS)
  | 'tls-other'
  | 'aborted' // our own signal: Ctrl-C or the check's deadline
  | 'body-too-large' // response body over the cap; stream cancelled
  | 'cut' // the answer started, then the connection closed (or was reset) before the body's end
  | 'protocol' // malformed HTTP: bad content-length, bad headers, …
  | 'key-boundary' // refused before sending: the key would go to an origin it is not configured for
  | 'proxy-unreachable' // the forward proxy (HTTPS_PROXY/HTTP_PROXY) did not resolve or refused the connection
  | 'proxy-refused' // the forward proxy answered the tunnel request (CONNECT) with a non-2xx status
  | 'other';

export interface ExchangeError {
  kind: NetErrorKind;
  /** Node/undici error code, e.g. ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, CERT_HAS_EXPIRED. */
  code?: string;
  message: string;
  /** Where it happened: connect (incl. DNS/TLS), waiting for headers, or reading the body. */
  phase?: 'connect' | 'headers' | 'body';
  /** For 'timeout': how long the request was waited for (the per-request timeout, ms). */
  waitedMs?: number;
  /** For 'proxy-refused': the status the proxy answered CONNECT with (403, 407, 502, …). */
  proxyStatus?: number;
}

export type Header = [name: string, value: string];

/** A request id an answer carried (a header of src/http/request-ids.ts): redacted, inert, bounded. */
export interface RequestId {
  /** The header's name, lower case: 'x-request-id', 'cf-ray', … */
  header: string;
  value: string;
}

export interface ExchangeRequest {
  method: string;
  /** Redacted absolute URL. */
  url: string;
  /** Redacted, in the order sent. */
  headers: Header[];
  bodyExcerpt?: string;
  bodySize?: number;
}

export interface ExchangeResponse {
  status: number;
  statusText?: string;
  /** Redacted; multi-valued headers kept as separate entries (a proxied reply has two `server`s). */
  headers: Header[];
  contentType?: string;
  /** First bytes of the body as text (redacted); for a binary body, its description (size, first bytes, sha256). */
  bodyExcerpt: string;
  /**
   * The whole decoded body up to the read cap (redacted), for the diagnosis rules: an error body
   * longer than the excerpt still parses. Not carried into reports; undefined for a binary body.
   */
  bodyText?: string;
  /** Set when the body is binary (an artifact, non-UTF-8 bytes): it is described, never quoted. */
  binary?: { sha256: string; head?: string };
  /** Bytes received (for streamed bodies, all of them). */
  bodySize: number;
  /** The body was over the cap and the stream was cancelled. */
  truncated: boolean;
  /** Body bytes were not valid UTF-8. */
  invalidUtf8?: boolean;
}

export interface Exchange {
  /** 'x1', 'x2', … in the order requests were started, unique within one target's check. */
  id: string;
  /** The step that made it ('auth', 'artifact', …), also for follow-up probes made on its behalf. */
  step: string;
  /** Set on follow-up probe requests: the probe's id ('auth-without-service-id', 'ajax-artifact', …). */
  probe?: string;
  /** A short name a person recognises: 'experiments/search', 'PUT artifact'. */
  label: string;
  /** 1 for the first try, 2.. for retries. */
  attempt: number;
  startedAt: string;
  request: ExchangeRequest;
  response?: ExchangeResponse;
  error?: ExchangeError;
  timings: Timings;
  /** The forward proxy the try was tunnelled through (HTTPS_PROXY/HTTP_PROXY): scheme, host, port. */
  via?: string;
  // Who answered is not recorded here: the diagnosis keeps it beside the exchange
  // (diagnosis/fingerprint.ts, fingerprintOf), so a recorded exchange is never written to again.
  /** Set on a failed try that was retried. */
  retried?: boolean;
  /** The try's TLS connection had the client certificate to present (--client-cert): sent if the server asked for one. */
  clientCert?: boolean;
  /** The span id this try sent in its W3C `traceparent` (src/http/trace-context.ts); absent with --no-trace-context. */
  spanId?: string;
  /** The request ids the answer carried (src/http/request-ids.ts), in its order; absent when none. */
  requestIds?: RequestId[];
}

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestSpec {
  step: string;
  probe?: string;
  label: string;
  method: Method;
  /** Absolute URL. */
  url: string;
  query?: Record<string, string | number>;
  /** JSON body: sets Content-Type: application/json. */
  json?: unknown;
  /** Raw body. A function makes a fresh stream for each try, so a retry can resend it. */
  body?: string | Buffer | (() => Readable);
  /** Declared length of a streamed body, when known (sent as content-length). */
  bodyLength?: number;
  headers?: Record<string, string>;
  /** Send the API key (default true). Refused (error 'key-boundary') when the origin is not allowed. */
  withKey?: boolean;
  /** Override the idempotency used for retries (default: GET/HEAD/PUT/DELETE true, POST/PATCH false). */
  idempotent?: boolean;
  /** Transient retries for this request (default: the client's); probes use 0 — evidence, not a goal. */
  retries?: number;
  /** Per-request timeout in ms (default: the client's). */
  timeoutMs?: number;
  /** Replaces the client's abort signal for this request (cleanup runs on its own budget after Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Streamed read of the response body (artifact read-back): receives the raw body and must consume
   * it. When absent the body is read up to the cap and returned as text.
   */
  consumeBody?: (body: Readable) => Promise<void>;
  /**
   * With consumeBody: read at most this many bytes (a read-back's size is known); past it the rest is
   * not read and the exchange says so (error kind 'body-too-large'). A drip is cut by the idle timeout.
   */
  maxBodyBytes?: number;
}

export interface HttpResult {
  exchange: Exchange;
  /** undefined when the request failed at the transport level (exchange.error is set). */
  status?: number;
  /** Full body text up to the cap ('' when streamed to consumeBody, binary, or on error). */
  text: string;
  /** Parsed JSON body when the text parses, else undefined. */
  json: unknown;
}

/** The one way steps and probes talk to the network. Never throws for HTTP or transport failures. */
export interface Http {
  send(spec: RequestSpec): Promise<HttpResult>;
  /** Every exchange so far, in start order. */
  exchanges(): readonly Exchange[];
  /** Redact a string for output (the key, Bearer values, api_key= values). */
  redact(text: string): string;
  /** The W3C trace id every request of this client carries in `traceparent`; absent when trace context is off. */
  readonly traceId?: string;
  close(): Promise<void>;
}
