// `--har`: every exchange as HTTP Archive 1.2 (W3C draft "HTTP Archive (HAR) format", Jan Odvarko's
// HAR 1.2 spec), already redacted, one page per target; opens in browser devtools' network panel.
// Custom fields start with `_` as the spec asks. Sample:
//   {"log": {"version": "1.2", "creator": {"name": "hokus-check", "version": "0.1.0"},
//    "pages": [{"id": "prod", "title": "hokus-check prod (check deadbeef)", …}],
//    "entries": [{"pageref": "prod", "request": {"method": "PUT", …}, "response": {"status": 404, …}, "_step": "artifact",
//                 "_spanId": "00f067aa0ba902b7", "_requestIds": [{"name": "x-request-id", "value": "2f1e0c9a"}]}]}}
// The request's `traceparent` is one of its headers; the page carries the check's `_traceId`.
import type { Report, ReportExchange, ReportTarget } from './schema.js';
import { headerValue } from './exchange-text.js';

export function renderHar(report: Report): string {
  const har = {
    log: {
      version: '1.2',
      creator: { name: 'hokus-check', version: report.tool.version },
      pages: report.targets.map((t) => page(t)),
      entries: report.targets.flatMap((t) => t.exchanges.map((x) => entry(t, x))),
      comment: `hokus-check report, verdict ${report.verdict}; secrets are redacted`,
    },
  };
  return `${JSON.stringify(har, null, 2)}\n`;
}

function page(t: ReportTarget): Record<string, unknown> {
  return {
    startedDateTime: t.startedAt,
    id: pageId(t),
    title: `hokus-check ${t.name} (check ${t.checkId})`,
    pageTimings: { onContentLoad: -1, onLoad: -1 },
    comment: `verdict ${t.verdict}`,
    ...(t.traceId === undefined ? {} : { _traceId: t.traceId }),
  };
}

function entry(t: ReportTarget, x: ReportExchange): Record<string, unknown> {
  const timings = harTimings(x);
  return {
    pageref: pageId(t),
    startedDateTime: x.startedAt,
    time: timings.time,
    request: request(x),
    response: response(x),
    cache: {},
    timings: timings.phases,
    comment: x.label,
    _id: x.id,
    _step: x.step,
    ...(x.probe === undefined ? {} : { _probe: x.probe }),
    _label: x.label,
    _attempt: x.attempt,
    ...(x.retried ? { _retried: true } : {}),
    ...(x.responder === undefined ? {} : { _responder: x.responder }),
    ...(x.chain === undefined ? {} : { _chain: x.chain }),
    ...(x.error === undefined ? {} : { _error: { ...x.error } }),
    ...(x.spanId === undefined ? {} : { _spanId: x.spanId }),
    // The ids the answer carried, as HAR names headers: what finds this request in the servers' logs.
    ...(x.requestIds === undefined ? {} : { _requestIds: x.requestIds.map((r) => ({ name: r.header, value: r.value })) }),
  };
}

function request(x: ReportExchange): Record<string, unknown> {
  const q = x.request;
  const size = q.bodySize ?? (q.bodyExcerpt === undefined ? 0 : Buffer.byteLength(q.bodyExcerpt));
  return {
    method: q.method,
    url: q.url,
    httpVersion: 'HTTP/1.1',
    headers: q.headers.map(([name, value]) => ({ name, value })),
    queryString: queryString(q.url),
    cookies: [],
    headersSize: -1,
    bodySize: size,
    ...(q.bodyExcerpt === undefined
      ? {}
      : {
          postData: {
            mimeType: headerValue(q.headers, 'content-type') ?? 'application/octet-stream',
            text: q.bodyExcerpt,
            ...(size > Buffer.byteLength(q.bodyExcerpt) ? { comment: `first bytes of ${size}` } : {}),
          },
        }),
  };
}

function response(x: ReportExchange): Record<string, unknown> {
  const r = x.response;
  if (r === undefined) {
    // A transport failure: HAR's convention (and Chrome's) is status 0 with the reason alongside.
    const kind = x.error?.kind ?? 'no response';
    return {
      status: 0,
      statusText: kind,
      httpVersion: '',
      headers: [],
      cookies: [],
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      _error: x.error === undefined ? kind : `${kind}: ${x.error.message}`,
    };
  }
  const excerptBytes = Buffer.byteLength(r.bodyExcerpt);
  const partial = r.truncated || r.bodySize > excerptBytes;
  return {
    status: r.status,
    statusText: r.statusText ?? '',
    httpVersion: 'HTTP/1.1',
    headers: r.headers.map(([name, value]) => ({ name, value })),
    cookies: [],
    content: {
      size: r.bodySize,
      mimeType: r.contentType ?? headerValue(r.headers, 'content-type') ?? 'x-unknown',
      text: r.bodyExcerpt,
      ...(r.binary !== undefined
        ? { comment: 'binary body: described (size, first bytes, sha256), not included' }
        : partial
          ? {
              comment: `excerpt: first ${excerptBytes} of ${r.bodySize} bytes${r.truncated ? ' (body over the cap, stream cancelled)' : ''}`,
            }
          : {}),
    },
    redirectURL: headerValue(r.headers, 'location') ?? '',
    headersSize: -1,
    bodySize: r.bodySize,
  };
}

/**
 * HAR timings: blocked/dns/connect/ssl may be -1 (not measured or did not happen); send, wait and
 * receive must not be. `time` is the sum of the measured phases (ssl is part of connect). When the
 * total is known but a phase was not, the unaccounted time is shown as waiting.
 */
function harTimings(x: ReportExchange): { time: number; phases: Record<string, number> } {
  const t = x.timings;
  const opt = (v: number): number => (v >= 0 ? round(v) : -1);
  const req = (v: number): number => (v >= 0 ? round(v) : 0);
  const phases = {
    blocked: opt(t.blocked),
    dns: opt(t.dns),
    connect: opt(t.connect),
    ssl: t.ssl >= 0 && t.connect >= 0 ? round(Math.min(t.ssl, t.connect)) : -1,
    send: req(t.send),
    wait: req(t.wait),
    receive: req(t.receive),
  };
  const sum = (): number =>
    [phases.blocked, phases.dns, phases.connect, phases.send, phases.wait, phases.receive].filter((v) => v > 0).reduce((a, b) => a + b, 0);
  if (t.total >= 0 && sum() < t.total) phases.wait = round(phases.wait + (t.total - sum()));
  return { time: round(sum()), phases };
}

function queryString(url: string): Array<{ name: string; value: string }> {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/** Page ids are target names; entries point at them with pageref. */
function pageId(t: ReportTarget): string {
  return t.name;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
