// How an exchange reads in one line, shared by the human-facing formats (terminal, Markdown,
// JUnit, GitHub) so they all describe a request the same way:
//   PUT http://…/artifacts/1/…/probe.bin → 404 text/html (hokusai-api → mlflow)
import type { ReportExchange } from './schema.js';
import { columns, cut, cutMiddle } from './columns.js';

/** Longest body excerpt any report shows on one line. */
export const EXCERPT_MAX = 120;

/**
 * `404 text/html`, or for a transport failure `refused (ECONNREFUSED)`, or for an answer that failed
 * mid-body `200 application/octet-stream, then cut (UND_ERR_SOCKET) after 65536 bytes`. A redirect
 * names its Location: the check never follows one, so where it pointed is the evidence.
 */
export function outcomeOf(x: ReportExchange, locationMax = EXCERPT_MAX): string {
  if (x.response !== undefined) {
    const type = mediaType(x.response.contentType ?? headerValue(x.response.headers, 'content-type'));
    const status = type === undefined ? String(x.response.status) : `${x.response.status} ${type}`;
    const location = x.response.status >= 300 && x.response.status < 400 ? headerValue(x.response.headers, 'location') : undefined;
    // The answer started, then failed mid-body (cut, timed out, over the cap): both are the evidence.
    const then =
      x.error === undefined
        ? ''
        : `, then ${x.error.code === undefined ? x.error.kind : `${x.error.kind} (${x.error.code})`} after ${x.response.bodySize} bytes`;
    return location === undefined ? `${status}${then}` : `${status}, redirect to ${squash(location, locationMax)} (not followed)`;
  }
  if (x.error !== undefined) return x.error.code === undefined ? x.error.kind : `${x.error.kind} (${x.error.code})`;
  return 'no response';
}

/** Who answered, outermost first: `hokusai-api → mlflow`; undefined when not fingerprinted. */
export function chainText(x: ReportExchange): string | undefined {
  if (x.chain !== undefined && x.chain.length > 0) return x.chain.join(' → ');
  // No answer at all (refused, DNS, timeout before headers): nobody to name.
  if (x.response === undefined && x.responder === 'unknown') return undefined;
  return x.responder;
}

/** `METHOD URL → outcome (chain)`, the URL shortened so the line fits in `max` characters. */
export function exchangeLine(x: ReportExchange, max = Infinity): string {
  const chain = chainText(x);
  const rest = ` → ${outcomeOf(x)}${chain === undefined ? '' : ` (${chain})`}`;
  const head = `${x.request.method} `;
  return head + shortenUrl(x.request.url, max - head.length - rest.length) + rest;
}

/**
 * The request ids the answer carried (report v1 `requestIds`: redacted, inert, bounded when recorded),
 * `x-request-id 2f1e0c9a · cf-ray 8a1b2c3d4e5f6a7b-AMS`; undefined when it carried none.
 */
export function requestIdsText(x: ReportExchange): string | undefined {
  const ids = x.requestIds ?? [];
  return ids.length === 0 ? undefined : ids.map((r) => `${r.header} ${r.value}`).join(' · ');
}

/** The body excerpt (or the transport error's message) squashed to one line. */
export function excerptOf(x: ReportExchange, max = EXCERPT_MAX): string | undefined {
  if (x.error !== undefined && x.response === undefined) return squash(x.error.message, max);
  const body = x.response?.bodyExcerpt ?? '';
  const binary = x.response?.binary;
  // A binary body's description: when it does not fit, its parts are shortened rather than cut off.
  if (binary !== undefined && columns(body) > max) {
    const head = binary.head === undefined ? '' : `, starts ${binary.head.slice(0, 16)}…`;
    return squash(`binary body, ${x.response?.bodySize ?? 0} bytes${head}, sha256 ${binary.sha256.slice(0, 12)}…`, max);
  }
  return body.trim() === '' ? undefined : squash(body, max);
}

/** Whitespace runs become one space, control characters go, and the text is cut to `max` with '…'. */
export function squash(text: string, max: number): string {
  const flat = text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cut(flat, max);
}

/**
 * Shortens a URL to `max` characters by dropping whole path segments, least telling first, and
 * keeping longest the ones that say which route was taken: `api`/`ajax-api`, `mlflow`/
 * `mlflow-artifacts` around `2.0`, then the file name. `http://h/…/ajax-api/2.0/mlflow-artifacts/…/probe.txt`.
 */
export function shortenUrl(url: string, max: number): string {
  if (columns(url) <= max) return url;
  // An absolute URL, or a path on a known origin ('/api/mlflow/…').
  const m = /^((?:[a-z][a-z0-9+.-]*:\/\/[^/?#]*)?)(\/[^?#]*|)(.*)$/i.exec(url);
  if (m === null) return cutMiddle(url, max);
  const origin = m[1] ?? '';
  const segments = (m[2] ?? '').split('/').slice(1);
  const tail = (m[3] ?? '') === '' ? '' : '?…';
  const kept = segments.map(() => true);
  const render = (): string => {
    const out: string[] = [];
    kept.forEach((k, i) => {
      if (k) out.push(segments[i] ?? '');
      else if (out[out.length - 1] !== '…') out.push('…');
    });
    return `${origin}/${out.join('/')}${tail}`;
  };
  // Drop the least telling segments first; among equals, the ones nearer the middle.
  const order = segments
    .map((seg, i) => ({ i, rank: segmentRank(segments, i, seg), mid: Math.abs(i - segments.length / 2) }))
    .filter((s) => s.rank < Infinity)
    .sort((a, b) => a.rank - b.rank || a.mid - b.mid);
  for (const { i } of order) {
    kept[i] = false;
    const candidate = render();
    if (columns(candidate) <= max) return candidate;
  }
  const candidate = render();
  return columns(candidate) <= max ? candidate : cutMiddle(candidate, max);
}

/** How much a path segment tells a reader (higher is kept longer; Infinity is never dropped). */
function segmentRank(segments: readonly string[], i: number, seg: string): number {
  if (segments[i + 1] === '2.0' || segments[i - 1] === '2.0') return 3;
  if (seg === 'ajax-api') return 3;
  if (i === segments.length - 1 || seg === '2.0') return 2;
  if (/^[0-9a-f]{8,}$/i.test(seg) || /^\d+$/.test(seg)) return 0;
  return 1;
}

/** `text/html; charset=utf-8` → `text/html`. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim();
  return type === undefined || type === '' ? undefined : type.toLowerCase();
}

/** First value of a header, case-insensitively. */
export function headerValue(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Exchanges of a target by id, for following a finding's evidence. */
export function exchangeIndex(exchanges: readonly ReportExchange[]): Map<string, ReportExchange> {
  return new Map(exchanges.map((x) => [x.id, x]));
}

/** `12ms`, `1.2s`, `2m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
