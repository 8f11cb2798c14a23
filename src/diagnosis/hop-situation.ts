// Which situation a hop's own answer shows (situations.ts; ARCHITECTURE.md, src/diagnosis, pass 2), read
// from HTTP semantics and the check's own evidence — the status, the answer's timing against the
// calls that passed through the same hop, Retry-After, and the probes — for every product alike.
// A profile's page may agree; it never decides.
import { pageReading } from './client-cert.js';
import { errorWords, headerValue, readBody } from './exchange-body.js';
import { exchangesWhere, is2xx, isArtifactCall, loginChallenge, passedBefore, statusOf } from './evidence-query.js';
import { fingerprintOf, originOf, serviceWords } from './fingerprint.js';
import type { Situation } from './situations.js';
import type { CheckExchange, Evidence } from './types.js';
import { PROBE } from './probes/ids.js';

export interface HopReading {
  situation: Situation;
  /** 'certain' when the status or the answer's own words settle it; 'likely' when it is the common cause of what was seen. */
  sure: 'certain' | 'likely';
  /** The evidence that decided it, in words a finding quotes. */
  why: string;
}

/** The situation of an answer a hop in front wrote itself; undefined for any other answer. */
export function hopReading(ev: Evidence, x: CheckExchange): HopReading | undefined {
  const fp = fingerprintOf(x);
  const status = statusOf(x);
  if (fp.writer !== 'hop' || status === undefined) return undefined;
  // Mutual TLS: its refusal says a client certificate was required, or refused (client-cert.ts).
  const cert = pageReading(x);
  if (cert)
    return { situation: cert.refusal === 'required' ? 'client-cert-required' : 'client-cert-rejected', sure: cert.sure, why: cert.why };
  const upstream = serviceWords(fp.behind);
  // The status's own reason phrase ("504 Gateway Time-out") is not words of the hop's.
  const words = errorWords(readBody(x)).replace(/\bGateway Time-?out\b/gi, '');
  const writes = x.request.method === 'PUT' || x.request.method === 'DELETE';

  if (status === 401 || status === 407) {
    return loginChallenge(x)
      ? { situation: 'login', sure: 'certain', why: `a ${status} with a login challenge of its own` }
      : { situation: 'login', sure: 'likely', why: `a ${status} that asks for credentials of its own` };
  }
  if (status === 429) return { situation: 'rate-limited', sure: 'certain', why: '429 Too Many Requests' };
  if (status === 413) return { situation: 'too-large', sure: 'certain', why: '413 Content Too Large' };
  if (status >= 500) return serverSide(ev, x, status, words, upstream, writes);
  if (status === 403) {
    if (writes && isArtifactCall(x) && refusesOnlyWrites(ev, x))
      return { situation: 'method-refused', sure: 'certain', why: `403 on ${x.request.method} while GET and POST through it pass` };
    return { situation: 'path-refused', sure: 'certain', why: '403 Forbidden, its own answer' };
  }
  if (status === 405 && writes) {
    if (isArtifactCall(x) && !refusesOnlyWrites(ev, x))
      return {
        situation: 'no-route',
        sure: 'likely',
        why: `405 on ${x.request.method}, and its own answer to the listing too: it serves the path itself`,
      };
    return { situation: 'method-refused', sure: 'certain', why: `405 Method Not Allowed on ${x.request.method}` };
  }
  if (status === 404) return { situation: 'no-route', sure: 'certain', why: '404 Not Found, its own answer' };
  if (status === 405) return { situation: 'no-route', sure: 'likely', why: `405 on ${x.request.method}: it serves the path itself` };
  return { situation: 'request-refused', sure: 'certain', why: `${status}, its own answer` };
}

function serverSide(ev: Evidence, x: CheckExchange, status: number, words: string, upstream: string, writes: boolean): HopReading {
  const small = smallUploadPassed(ev, x);
  if (small)
    return {
      situation: 'too-large',
      sure: 'likely',
      why: `a ${status} on the upload of ${x.request.bodySize ?? '?'} bytes, while the same upload of ${small.request.bodySize ?? '?'} bytes into the run passed (${small.id})`,
    };
  if (status === 504 || status === 524) {
    // A gateway that gives up waiting has waited: a 504 within a fraction of a second says the
    // upstream refused or could not be reached at once (some gateways answer 504 for that too).
    const ms = x.timings.total;
    if (ms > 0 && ms < FAST_MS && !TIMED_OUT.test(words))
      return {
        situation: 'upstream-unreachable',
        sure: 'likely',
        why: `a ${status} after only ${Math.round(ms)} ms: it did not wait for ${upstream}, it could not reach it`,
      };
    return { situation: 'upstream-timeout', sure: 'certain', why: `${status} Gateway Timeout${waitedWords(x)}` };
  }
  if (TIMED_OUT.test(words))
    return { situation: 'upstream-timeout', sure: 'certain', why: `its ${status} says it timed out${waitedWords(x)}` };
  // Words of a connection that failed outrank a round interval (a hop may retry its connect for a second).
  const failed = CONNECT_FAILED.exec(words)?.[0];
  const round = failed === undefined ? roundTimeout(ev, x) : undefined;
  if (round) return { situation: 'upstream-timeout', sure: 'likely', why: round };
  if (status === 501 && writes) return { situation: 'method-refused', sure: 'certain', why: `501 Not Implemented on ${x.request.method}` };
  if (status === 503) {
    // A 503 is a limit only when something passed through the hop before it, or its words say so:
    // on the first call through it, a Retry-After says "later", not "too many" (Varnish sends
    // Retry-After: 5 with its "Backend fetch failed").
    const retryAfter = headerValue(x.response?.headers, 'retry-after');
    const later = retryAfter !== undefined ? ` with Retry-After: ${retryAfter.slice(0, 20)}` : '';
    if (RATE_WORDS.test(words)) return { situation: 'rate-limited', sure: 'likely', why: `its 503${later} speaks of a limit` };
    const before = passedBefore(ev, x);
    if (before)
      return {
        situation: 'rate-limited',
        sure: 'likely',
        why: `a ${failed === undefined && !later ? 'fast ' : ''}503${later} after ${before.label} (${before.id}) passed through it to ${upstream} — or ${upstream} went away during the check`,
      };
    if (failed === undefined)
      return {
        situation: 'upstream-unreachable',
        sure: 'likely',
        why: `a 503${later} on the first call through it to ${upstream}: nothing behind it to send it to (a rate limit would answer after calls pass)`,
      };
  }
  if (failed !== undefined && status !== 501 && status !== 505)
    return { situation: 'upstream-unreachable', sure: 'certain', why: `its ${status} says "${failed}"` };
  if (status === 502 || (status >= 520 && status <= 530))
    return {
      situation: 'upstream-unreachable',
      sure: 'certain',
      why: `${status}: ${status === 502 ? 'Bad Gateway' : 'the origin is unreachable'}`,
    };
  if (status === 500)
    return { situation: 'upstream-unreachable', sure: 'likely', why: '500 of its own: it failed to get an answer from its upstream' };
  return { situation: 'request-refused', sure: 'certain', why: `${status}, its own answer` };
}

/** Below this, a 504 did not wait for anything: no hop's upstream timeout is that short. */
const FAST_MS = 900;

/** Words of an answer that gave up waiting: "timed out", "timeout", "time-out". */
const TIMED_OUT = /\btim(e|ed|ing)[ -]?out\b|\btimeout\b/i;
/** Words of a hop that could not connect to its upstream (any product's, in plain English or errno). */
const CONNECT_FAILED =
  /no server is available|no healthy upstream|connection refused|could ?n[o']t connect|cannot connect|unable to connect|failed to connect|connect(ion)? (error|failure|failed)|no route to host|host unreachable|name resolution failed|could not resolve|ECONNREFUSED|EHOSTUNREACH|ENOTFOUND|dial tcp/i;
const RATE_WORDS = /rate[ -]?limit|too many requests|throttl|quota|limit exceeded/i;

/** Round timeouts proxies and load balancers are configured with, in seconds. */
const ROUND_SECONDS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 45, 50, 60, 75, 90, 100, 120, 150, 180, 240, 300, 600, 900];

/**
 * "answered after 1.0 s, a round timeout, while earlier calls through it took at most 40 ms": the
 * answer (or the close) came at a round interval and the calls before it through the same origin
 * were much faster. Undefined when it did not, or nothing earlier shows the hop is fast.
 */
export function roundTimeout(ev: Evidence, x: CheckExchange): string | undefined {
  const ms = x.timings.total;
  const round = roundOf(ms);
  if (round === undefined) return undefined;
  const origin = originOf(x.request.url);
  const how = `${x.response ? 'answered' : 'closed'} after ${(ms / 1000).toFixed(1)} s — a round ${round} s timeout —`;
  // Every try of this request came at the same round interval: a fixed timeout, whatever the load.
  const tries = exchangesWhere(ev, {}).filter(
    (y) =>
      y.label === x.label && y.step === x.step && y.probe === x.probe && originOf(y.request.url) === origin && statusOf(y) === statusOf(x),
  );
  if (tries.length >= 2 && tries.every((y) => roundOf(y.timings.total) === round)) return `${how} on each of its ${tries.length} tries`;
  // Other requests only: the retried tries of this one waited the same timeout.
  const earlier = exchangesWhere(ev, {}).filter(
    (y) => y.label !== x.label && y.response !== undefined && idOf(y) < idOf(x) && originOf(y.request.url) === origin,
  );
  if (earlier.length === 0) return undefined;
  // The fastest earlier call shows what the hop takes when its upstream answers (on a busy machine
  // some earlier calls are slow too).
  const fastest = Math.min(...earlier.map((y) => y.timings.total));
  if (!(fastest * 2 < ms)) return undefined;
  return `${how} while ${earlier.length === 1 ? 'the earlier call' : `the fastest of the ${earlier.length} earlier calls`} through it took ${Math.round(fastest)} ms`;
}

/** The round timeout (in seconds) an answer after `ms` came at, if any. */
function roundOf(ms: number): number | undefined {
  if (!(ms >= 900)) return undefined;
  return ROUND_SECONDS.find((s) => ms >= s * 1000 - 50 && ms <= s * 1000 + Math.max(350, s * 50));
}

function waitedWords(x: CheckExchange): string {
  return x.timings.total > 0 ? `, after ${(x.timings.total / 1000).toFixed(1)} s` : '';
}

/**
 * The hop refuses the write but not the path: the artifact listing (GET) through it was not its own
 * refusal, and a tracking call passed (POST).
 */
function refusesOnlyWrites(ev: Evidence, x: CheckExchange): boolean {
  const listing = exchangesWhere(ev, { step: 'artifact', probe: PROBE.artifactListing, finalOnly: true }).at(-1);
  if (listing && !is2xx(listing) && fingerprintOf(listing).writer === 'hop') return false;
  return (
    passedBefore(ev, x) !== undefined ||
    ev.exchanges.some((y) => y !== x && is2xx(y) && originOf(y.request.url) === originOf(x.request.url))
  );
}

function idOf(x: CheckExchange): number {
  return Number(x.id.slice(1));
}

/**
 * The artifact PUT `x` failed on the way (the connection closed or reset during the upload, or a hop
 * answered a 5xx itself) while the `small-upload` probe — a few bytes into the same run through the
 * same path — passed: the size is what differs. Returns the probe's exchange.
 */
export function smallUploadPassed(ev: Evidence, x: CheckExchange): CheckExchange | undefined {
  if (x.step !== 'artifact' || x.probe !== undefined || x.request.method !== 'PUT') return undefined;
  const cut = x.response === undefined && x.error !== undefined && ['reset', 'cut', 'protocol', 'other'].includes(x.error.kind);
  const hop5xx = x.response !== undefined && x.response.status >= 500 && fingerprintOf(x).writer === 'hop';
  if (!cut && !hop5xx) return undefined;
  return exchangesWhere(ev, { step: 'artifact', probe: PROBE.smallUpload, finalOnly: true }).find(
    (y) => y.request.method === 'PUT' && is2xx(y),
  );
}
