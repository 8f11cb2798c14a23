// The HTTP client every step, probe, sweep and --post-report uses. Each try becomes one redacted
// Exchange; send() never throws for HTTP or transport failures. Redirects are never followed
// (a redirect is evidence, and following it could carry the key elsewhere).
import { Transform, pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { setTimeout as delay, setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { BINARY_HEAD_BYTES, type BinaryFacts, decodeText, describeBinary, looksBinary, readCapped, sha256Hex, streamTo } from './body.js';
import { asCut, classifyError, type Phase } from './classify.js';
import { createDispatchers, proxyOrigin, type Dispatchers } from './dispatcher.js';
import { ExchangeLog } from './exchange-log.js';
import { inertLine } from './inert.js';
import { createRedactor, redactedExcerpt, redactHeaders } from './redact.js';
import { normaliseOrigins, planRequest, type PlanContext, type RequestPlan } from './request-plan.js';
import { requestIdsOf } from './request-ids.js';
import { retryDelay, retryLoop, type RetryPolicy } from './retry.js';
import type { ApiKey, BasicCredentials } from './secret.js';
import { serverJson } from './server-json.js';
import { TryTrace, traceDispatch } from './timings.js';
import { tlsAlertOf } from './tls-alerts.js';
import { newSpanId, traceparent } from './trace-context.js';
import type { Exchange, ExchangeError, ExchangeRequest, ExchangeResponse, Header, Http, HttpResult, RequestSpec } from './types.js';

import type { ClientCertOptions, ProxyEnv } from './dispatcher.js';
export type { ProxyEnv } from './dispatcher.js';

export interface HttpOptions {
  key?: ApiKey;
  /** MLflow's Basic credentials: sent instead of the key, to the same origins only, redacted like it. */
  basic?: BasicCredentials;
  /** Origins (scheme://host:port) the key may be sent to; any other → 'key-boundary', nothing sent. */
  keyOrigins: string[];
  /** Per request: headers + body. */
  timeoutMs: number;
  /** Connect, including TLS. */
  connectTimeoutMs: number;
  /** Transient retries. */
  retries: number;
  /** Backoff base (default 200 ms): exponential with full jitter; Retry-After honoured, capped at 5 s. */
  retryBaseMs?: number;
  /** TLS verification off. */
  insecure?: boolean;
  /** Extra CA PEM (--ca-file contents). */
  ca?: string | Buffer;
  /** Ctrl-C / deadline: aborts in-flight requests → error kind 'aborted'. */
  signal: AbortSignal;
  /** Default 1 MiB: response bodies are read up to this, the stream cancelled past it. */
  bodyCap?: number;
  /** Default 2048: characters of excerpt stored in the exchange. */
  excerptChars?: number;
  /** Called once per finished exchange (for --verbose), already redacted. */
  onExchange?: (x: Exchange) => void;
  /** 'hokus-check/<version>'. */
  userAgent?: string;
  /** For jitter (tests). */
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Proxy settings from the environment the CLI was given; no proxy when absent. */
  proxyEnv?: ProxyEnv;
  /** Mutual TLS: the client certificate, presented on TLS connections to its origins (the target's) only. */
  clientCert?: ClientCertOptions;
  /**
   * W3C trace context: every try carries `traceparent` with this trace id and a fresh span id
   * (src/http/trace-context.ts), as every request carries the User-Agent. None when absent.
   */
  traceId?: string;
}

export function createHttp(opts: HttpOptions): Http {
  const redact = createRedactor([...(opts.key ? [opts.key.value] : []), ...(opts.basic?.secrets() ?? [])]);
  const dispatchers = createDispatchers(opts);
  const log = new ExchangeLog(opts.onExchange);
  const planContext: PlanContext = { keyOrigins: normaliseOrigins(opts.keyOrigins) };
  if (opts.key) planContext.key = opts.key;
  if (opts.basic) planContext.basic = opts.basic;
  if (opts.userAgent) planContext.userAgent = opts.userAgent;
  const policy: RetryPolicy = { retries: opts.retries, baseMs: opts.retryBaseMs ?? 200, random: opts.random ?? Math.random };
  const settings: TrySettings = {
    dispatchers,
    redact,
    timeoutMs: opts.timeoutMs,
    bodyCap: opts.bodyCap ?? 1024 * 1024,
    excerptChars: opts.excerptChars ?? 2048,
    ...(opts.traceId ? { traceId: opts.traceId } : {}),
  };

  async function send(spec: RequestSpec): Promise<HttpResult> {
    const planned = planRequest(spec, planContext);
    if (!planned.ok) {
      const { id, slot } = log.begin();
      const request: ExchangeRequest = { method: spec.method, url: redact(planned.url), headers: redactHeaders(planned.headers, redact) };
      const error = { ...planned.error, message: inertLine(redact(planned.error.message)) };
      const exchange = { ...identity(spec, id, 1), request, error, timings: { ...NO_TIMINGS } };
      log.finish(slot, exchange);
      return { exchange, text: '', json: undefined };
    }
    const plan = planned.plan;
    // Cleanup passes its own signal: it must still run after the check's signal fired.
    const signal = spec.signal ?? opts.signal;
    const last = await retryLoop<TryResult>({
      attempt: (attempt) => {
        const { id, slot } = log.begin();
        return tryOnce(spec, plan, identity(spec, id, attempt), signal, settings).then((r) => ({ ...r, slot }));
      },
      decide: (r, attempt) =>
        retryDelay(
          {
            attempt,
            idempotent: plan.idempotent,
            replayable: true, // bodies are strings, buffers or stream factories
            aborted: signal.aborted,
            ...(r.exchange.error ? { errorKind: r.exchange.error.kind } : {}),
            ...(r.exchange.error?.phase ? { errorPhase: r.exchange.error.phase } : {}),
            ...(r.exchange.response ? { status: r.exchange.response.status } : {}),
            ...(r.retryAfter !== undefined ? { retryAfter: r.retryAfter } : {}),
          },
          spec.retries === undefined ? policy : { ...policy, retries: spec.retries },
        ),
      settle: (r, retrying) => {
        if (retrying) r.exchange.retried = true;
        log.finish(r.slot, r.exchange);
      },
      cancelled: (r) => {
        delete r.exchange.retried;
      },
      sleep: opts.sleep ?? abortableSleep,
      signal,
    });
    return last.result;
  }

  return {
    send,
    exchanges: () => log.all(),
    redact,
    ...(opts.traceId ? { traceId: opts.traceId } : {}),
    // A request undici still holds (see settleOnAbort) would keep close() waiting: give the
    // graceful close a moment, then tear down.
    close: async () => {
      const grace = new AbortController();
      const late = delay(CLOSE_GRACE_MS, 'late' as const, { signal: grace.signal }).catch(() => 'closed' as const);
      const outcome = await Promise.race([dispatchers.close().then(() => 'closed' as const), late]);
      grace.abort();
      if (outcome === 'late') await dispatchers.destroy();
    },
  };
}

interface TrySettings {
  dispatchers: Dispatchers;
  redact: (text: string) => string;
  timeoutMs: number;
  bodyCap: number;
  excerptChars: number;
  traceId?: string;
}

interface TryResult {
  slot: number;
  exchange: Exchange;
  result: HttpResult;
  retryAfter?: string;
}

/** What was read of a response body: the text (capped read) or the first bytes (streamed read). */
interface BodyRead {
  text?: string;
  /** The bytes read (capped read). */
  bytes?: Buffer;
  head?: Buffer;
  /** sha256 of every byte (streamed read). */
  sha256?: string;
  size: number;
  truncated: boolean;
  invalidUtf8?: boolean;
}

type Identity = Pick<Exchange, 'id' | 'step' | 'probe' | 'label' | 'attempt' | 'startedAt'>;

/** Thrown by byteLimit: the streamed body went past the request's maxBodyBytes. */
class OverLimit extends Error {}

/** Passes at most `limit` bytes, then fails the stream with OverLimit. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(new OverLimit(`over ${limit} bytes`));
      else done(null, chunk);
    },
  });
}

/** One try: dispatch, read the body (capped, or streamed to consumeBody), record the exchange. */
async function tryOnce(
  spec: RequestSpec,
  planned: RequestPlan,
  who: Identity,
  callerSignal: AbortSignal,
  s: TrySettings,
): Promise<Omit<TryResult, 'slot'>> {
  const trace = new TryTrace();
  const { plan, spanId } = withTraceparent(planned, s.traceId);
  const timeoutMs = spec.timeoutMs ?? s.timeoutMs;
  const route = s.dispatchers.route(plan.url);
  const via = route.proxy === undefined ? undefined : proxyOrigin(route.proxy);
  const timers = tryTimers(trace, timeoutMs, {
    streamedUpload: typeof plan.body === 'function',
    streamedRead: spec.consumeBody !== undefined,
  });
  const signal = AbortSignal.any([callerSignal, timers.signal]);
  let read: Read;
  try {
    read = await dispatchAndRead(spec, plan, route.dispatcher, signal, trace, s, () => timers.headersCame());
  } finally {
    timers.clear();
    trace.finish();
  }
  // undici validates a keep-alive socket on the next turn of the event loop before reusing it; a
  // request dispatched before then opens a new connection. Sequential steps should share one.
  if (read.res && !read.failed) await yieldToEventLoop();

  const rawHeaders = read.res ? headerPairs(read.res.headers as unknown as string[]) : [];
  const error = errorOf(spec, plan, read, rawHeaders, { trace, timeoutMs, timedOut: timers.timedOut(), callerSignal, via, s });
  const exchange: Exchange = { ...who, request: recordRequest(spec, plan, trace, s), timings: trace.timings() };
  if (via) exchange.via = via;
  if (route.clientCert) exchange.clientCert = true;
  if (spanId !== undefined) exchange.spanId = spanId;
  // The body goes to steps, probes and rules, whose details and reasons reach every output,
  // shortened: a key cut short there no longer matches the redactor, so it is redacted here, whole,
  // before any cut.
  const { res, body } = read;
  const redactedText = body?.text !== undefined ? s.redact(body.text) : undefined;
  if (res && body) exchange.response = recordResponse(res, rawHeaders, body, redactedText, s);
  // From the recorded (redacted, inert) headers: a request id is server text like any other header.
  const requestIds = exchange.response ? requestIdsOf(exchange.response.headers) : [];
  if (requestIds.length > 0) exchange.requestIds = requestIds;
  if (error) exchange.error = error;

  const usable = res !== undefined && (!error || error.kind === 'body-too-large');
  // A binary body reaches steps as no text at all: its bytes must not surface in a detail.
  const text = usable && redactedText !== undefined && exchange.response?.binary === undefined ? redactedText : '';
  // JSON must be UTF-8 (RFC 8259 §8.1): bytes that are not were mangled on the way (or were never
  // JSON), and a body decoded with replacement characters is not the answer the server meant.
  // Parsed from the raw text, then every string redacted and made inert: a key written in \u escapes
  // is only a key once decoded (src/http/server-json.ts).
  const json = usable && !body?.truncated && !body?.invalidUtf8 ? serverJson(body?.text ?? '', s.redact) : undefined;
  const result: HttpResult = { exchange, text, json };
  if (usable) result.status = res.statusCode;
  const retryAfter = rawHeaders.find(([name]) => name === 'retry-after')?.[1];
  return retryAfter === undefined ? { exchange, result } : { exchange, result, retryAfter };
}

/** The plan with this try's `traceparent` (a span of the check's trace, after the planned headers). */
function withTraceparent(planned: RequestPlan, traceId: string | undefined): { plan: RequestPlan; spanId?: string } {
  if (traceId === undefined) return { plan: planned };
  const spanId = newSpanId();
  return { plan: { ...planned, headers: [...planned.headers, ['traceparent', traceparent(traceId, spanId)]] }, spanId };
}

/**
 * A try's own clock. undici's timers are idle timers of coarse (~0.5 s) resolution; these are exact
 * and bound the whole exchange, so a slow-drip body cannot hold a step. A streamed upload may take
 * long before the reply and a streamed read-back long after it: those rely on undici's idle timers.
 */
function tryTimers(
  trace: TryTrace,
  timeoutMs: number,
  streams: { streamedUpload: boolean; streamedRead: boolean },
): { signal: AbortSignal; headersCame: () => void; timedOut: () => string | undefined; clear: () => void } {
  const local = new AbortController();
  let timedOut: string | undefined;
  const expire = (what: string) => () => {
    timedOut = what;
    local.abort(new Error(what));
  };
  const headersTimer = setTimeout(() => {
    if (trace.headersSent === undefined) expire(`no connection within ${timeoutMs} ms`)();
    else if (!streams.streamedUpload) expire(`no response headers within ${timeoutMs} ms`)();
  }, timeoutMs);
  const totalTimer =
    streams.streamedUpload || streams.streamedRead
      ? undefined
      : setTimeout(expire(`no complete response within ${2 * timeoutMs} ms`), 2 * timeoutMs);
  return {
    signal: local.signal,
    headersCame: () => clearTimeout(headersTimer),
    timedOut: () => timedOut,
    clear: () => {
      clearTimeout(headersTimer);
      clearTimeout(totalTimer);
    },
  };
}

/** What a try got: the answer's head, what was read of its body, and the error that ended it, if one did. */
interface Read {
  res?: Dispatcher.ResponseData;
  body?: BodyRead;
  failed: boolean;
  failure?: unknown;
}

/** Sends the request and reads the answer: capped into memory, or (a 2xx for consumeBody) streamed to it, bounded. */
async function dispatchAndRead(
  spec: RequestSpec,
  plan: RequestPlan,
  dispatcher: Dispatcher,
  signal: AbortSignal,
  trace: TryTrace,
  s: TrySettings,
  headersCame: () => void,
): Promise<Read> {
  const timeoutMs = spec.timeoutMs ?? s.timeoutMs;
  const upload = typeof plan.body === 'function' ? plan.body() : undefined;
  const read: Read = { failed: false };
  try {
    signal.throwIfAborted();
    const requestOptions: Dispatcher.RequestOptions = {
      origin: plan.url.origin,
      path: plan.url.pathname + plan.url.search,
      method: spec.method,
      headers: plan.headers.flat(),
      body: upload ?? (plan.body as string | Buffer | undefined) ?? null,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      responseHeaders: 'raw',
    };
    const response = await settleOnAbort(
      signal,
      traceDispatch(trace, () => dispatcher.request(requestOptions)),
    );
    read.res = response;
    headersCame();
    if (spec.consumeBody && response.statusCode >= 200 && response.statusCode < 300) {
      const consume = spec.consumeBody;
      const limit = spec.maxBodyBytes;
      // pipeline (not pipe): an abort or error of the body reaches the limiter and the consumer.
      const limited = (b: Readable) => consume(pipeline(b, byteLimit(limit!), () => undefined));
      const got = await streamTo(response.body, limit === undefined ? consume : limited, s.excerptChars + 1024);
      // Over the bound: the rest is not read (an endless or padded read-back), and it is said so.
      const over = got.error instanceof OverLimit;
      read.body = { head: got.head, sha256: got.sha256, size: got.size, truncated: over };
      if (got.error !== undefined && !over) [read.failed, read.failure] = [true, got.error];
    } else {
      const got = await readCapped(response.body, s.bodyCap);
      read.body = { ...decodeText(got.bytes, got.truncated), bytes: got.bytes, size: got.size, truncated: got.truncated };
      if (got.error !== undefined) [read.failed, read.failure] = [true, got.error];
    }
  } catch (err) {
    [read.failed, read.failure] = [true, err];
  } finally {
    if (upload && !upload.destroyed) upload.destroy();
  }
  return read;
}

/** The try's error, named (classify.ts), redacted and inert: a body over its bound, a cut transfer, a timeout with how long it waited. */
function errorOf(
  spec: RequestSpec,
  plan: RequestPlan,
  read: Read,
  rawHeaders: Header[],
  ctx: {
    trace: TryTrace;
    timeoutMs: number;
    timedOut: string | undefined;
    callerSignal: AbortSignal;
    via: string | undefined;
    s: TrySettings;
  },
): ExchangeError | undefined {
  const { res, body } = read;
  const { trace, timeoutMs, timedOut, callerSignal, via, s } = ctx;
  const host = plan.url.host;
  if (body?.truncated) {
    const cap = spec.consumeBody && spec.maxBodyBytes !== undefined ? spec.maxBodyBytes : s.bodyCap;
    return { kind: 'body-too-large', message: `${host}: response body over the ${cap}-byte bound; stopped reading`, phase: 'body' };
  }
  if (!read.failed) return undefined;
  const phase: Phase = res ? 'body' : trace.headersSent !== undefined ? 'headers' : 'connect';
  // A TLS 1.3 server refuses a client certificate after the request went out: undici reports the
  // close that follows its alert, and the alert is what the try failed on (tls-alerts.ts).
  const alert = res ? undefined : tlsAlertOf(trace.connection);
  const classified = classifyError(alert ?? read.failure, {
    host,
    phase,
    aborted: callerSignal.aborted,
    abortReason: callerSignal.reason,
    ...(timedOut ? { timedOut } : {}),
    ...(via ? { via } : {}),
  });
  // The answer started and the connection ended before its end: a cut transfer, named with when.
  const cut =
    res && body
      ? asCut(classified, { host, received: body.size, elapsedMs: trace.timings().total, ...declaredLength(rawHeaders) })
      : undefined;
  const named = cut ?? classified;
  const error: ExchangeError = { ...named, message: inertLine(s.redact(named.message)) };
  if (error.kind === 'timeout' && timedOut) error.waitedMs = timedOut.startsWith('no complete response') ? 2 * timeoutMs : timeoutMs;
  else if (error.kind === 'timeout') error.waitedMs = timeoutMs;
  return error;
}

function recordRequest(spec: RequestSpec, plan: RequestPlan, trace: TryTrace, s: TrySettings): ExchangeRequest {
  const request: ExchangeRequest = {
    method: spec.method,
    url: s.redact(plan.url.href),
    headers: redactHeaders(sentHeaders(plan, trace), s.redact),
  };
  const excerpt = requestExcerpt(plan, s);
  if (excerpt !== undefined) request.bodyExcerpt = excerpt;
  const size = typeof plan.body === 'function' && trace.bytesSent > 0 ? trace.bytesSent : plan.bodySize;
  if (size !== undefined) request.bodySize = size;
  return request;
}

function recordResponse(
  res: Dispatcher.ResponseData,
  headers: Header[],
  body: BodyRead,
  redactedText: string | undefined,
  s: TrySettings,
): ExchangeResponse {
  const response: ExchangeResponse = {
    status: res.statusCode,
    headers: redactHeaders(headers, s.redact),
    bodyExcerpt: '',
    bodySize: body.size,
    truncated: body.truncated,
  };
  const binary = binaryFacts(body, s.redact);
  if (binary) {
    response.bodyExcerpt = describeBinary(binary);
    response.binary = binary.head === undefined ? { sha256: binary.sha256 } : { sha256: binary.sha256, head: binary.head };
  } else if (redactedText !== undefined) {
    response.bodyExcerpt = redactedExcerpt(redactedText, s.excerptChars, s.redact);
    response.bodyText = redactedText;
  } else {
    response.bodyExcerpt = redactedExcerpt(body.head ? decodeText(body.head, true).text : '', s.excerptChars, s.redact);
  }
  const statusText = (res as { statusText?: string }).statusText;
  if (statusText) response.statusText = inertLine(s.redact(statusText));
  const contentType = response.headers.find(([name]) => name === 'content-type')?.[1];
  if (contentType !== undefined) response.contentType = contentType;
  if (body.invalidUtf8) response.invalidUtf8 = true;
  return response;
}

/** Size, sha256 and first bytes of a body that is not text; undefined for text. */
function binaryFacts(body: BodyRead, redact: (text: string) => string): BinaryFacts | undefined {
  const bytes = body.bytes ?? body.head;
  if (!bytes || bytes.length === 0) return undefined;
  const text = body.text ?? decodeText(bytes, true).text;
  if (!looksBinary(bytes, text)) return undefined;
  const facts: BinaryFacts = {
    size: body.size,
    sha256: body.sha256 ?? sha256Hex(bytes),
    hashed: body.sha256 !== undefined ? body.size : bytes.length,
  };
  // The head is shown as hex: withheld when the bytes around it hold the key (in any encoding the
  // redactor knows) or a credential, so no part of a secret is shown even hex-encoded.
  const window = bytes.subarray(0, BINARY_HEAD_BYTES + 1024).toString('latin1');
  if (redact(window) === window) facts.head = bytes.subarray(0, BINARY_HEAD_BYTES).toString('hex');
  return facts;
}

/** A request body's excerpt: its text, or for a binary upload its description. */
function requestExcerpt(plan: RequestPlan, s: TrySettings): string | undefined {
  if (plan.bodyText === undefined) return undefined;
  if (Buffer.isBuffer(plan.body)) {
    const binary = binaryFacts({ bytes: plan.body, text: plan.bodyText, size: plan.body.length, truncated: false }, s.redact);
    if (binary) return describeBinary(binary);
  }
  return redactedExcerpt(plan.bodyText, s.excerptChars, s.redact);
}

/** The headers as undici wrote them (host and connection included), else as we planned them. */
function sentHeaders(plan: RequestPlan, trace: TryTrace): Header[] {
  if (!trace.requestHead) return plan.headers;
  const out: Header[] = [];
  for (const line of trace.requestHead.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) out.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
  }
  // undici writes the framing header after the head it publishes.
  if (plan.bodySize !== undefined) out.push(['content-length', String(plan.bodySize)]);
  else if (typeof plan.body === 'function') out.push(['transfer-encoding', 'chunked']);
  return out;
}

/** The content-length an answer announced, when it is one number. */
function declaredLength(headers: Header[]): { expected?: number } {
  const value = headers.find(([name]) => name === 'content-length')?.[1];
  return value !== undefined && /^\d+$/.test(value.trim()) ? { expected: Number(value.trim()) } : {};
}

/** undici's raw [name, value, name, value, …] → [name, value] pairs, names lower-cased. */
function headerPairs(raw: string[]): Header[] {
  const out: Header[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  return out;
}

/**
 * Rejects as soon as the signal fires. undici only honours an abort once the request is on a
 * connection; one still waiting for a connection would otherwise hold the step past every timer.
 */
function settleOnAbort(signal: AbortSignal, pending: Promise<Dispatcher.ResponseData>): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(asError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (response) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) response.body.destroy();
        else resolve(response);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(asError(err));
      },
    );
  });
}

function identity(spec: RequestSpec, id: string, attempt: number): Identity {
  const who: Identity = { id, step: spec.step, label: spec.label, attempt, startedAt: new Date().toISOString() };
  if (spec.probe !== undefined) who.probe = spec.probe;
  return who;
}

async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal });
}

const CLOSE_GRACE_MS = 1000;

const NO_TIMINGS = { blocked: -1, dns: -1, connect: -1, ssl: -1, send: -1, wait: -1, receive: -1, total: 0 };

/** An abort reason or a failure as an Error (a DOMException is one), for a rejection. */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
