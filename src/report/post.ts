// Sends the report bundle to a report collector as multipart/form-data (RFC 7578),
// with three parts, through the same HTTP client settings as the check. No Authorization header is ever sent (the API key is for the
// platform, not for wherever reports go) and redirects are not followed. Sample request body:
//   --------------------------123456
//   Content-Disposition: form-data; name="report.json"; filename="report.json"
//   Content-Type: application/json
import FormData from 'form-data';
import type { ExchangeError, Http } from '../http/types.js';
import { renderHar } from './har.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { createRedactor, type Redactor } from '../http/redact.js';
import { safeText } from './safe-output.js';
import type { Report } from './schema.js';

export interface PostOptions {
  /**
   * The client to send with: built by the caller from the same settings as the check's
   * (src/commands/http-settings.ts: --ca-file, --insecure, proxy variables, User-Agent), with no
   * key and no origin the key may go to, and no retries (a POST is never resent).
   */
  http: Http;
  /** Its per-request timeout, for the message when the collector does not answer. */
  timeoutMs: number;
  /** The key's redactor: every part passes the last redaction pass before it leaves (another origin). */
  redact?: Redactor;
}

export async function postReportBundle(url: string, report: Report, opts: PostOptions): Promise<{ status: number; shownUrl: string }> {
  const shown = displayUrl(url);
  const redact = opts.redact ?? createRedactor([]);
  const form = new FormData();
  form.append('report.json', safeText(renderJson(report), redact, { format: 'json' }), {
    filename: 'report.json',
    contentType: 'application/json',
  });
  form.append('report.md', safeText(renderMarkdown(report), redact), {
    filename: 'report.md',
    contentType: 'text/markdown; charset=utf-8',
  });
  form.append('report.har', safeText(renderHar(report), redact, { format: 'json' }), {
    filename: 'report.har',
    contentType: 'application/json',
  });
  // Every part is a string: the whole body is known up front, with its length (some collectors
  // refuse chunked bodies).
  const body = form.getBuffer();
  const res = await opts.http.send({
    step: 'post',
    label: 'POST report',
    method: 'POST',
    url,
    body,
    headers: form.getHeaders(),
    withKey: false,
    retries: 0,
    idempotent: false,
  });
  const status = res.status;
  if (status !== undefined && status >= 200 && status < 300) return { status, shownUrl: shown };
  if (status !== undefined) {
    const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
    throw new Error(`the report collector at ${shown} answered ${status}${redirect}`);
  }
  const e = res.exchange.error;
  const reason =
    e?.kind === 'aborted'
      ? 'aborted'
      : e?.kind === 'timeout' || e?.kind === 'connect-timeout'
        ? `no answer within ${opts.timeoutMs} ms`
        : describe(e);
  throw new Error(`cannot post the report to ${shown}: ${reason}`);
}

/** The URL as errors show it: no credentials, no query (either could hold a secret). */
function displayUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('cannot post the report: the URL is not valid');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`cannot post the report: ${u.protocol} URLs are not supported`);
  if (u.username !== '' || u.password !== '') throw new Error('cannot post the report: the URL must not contain credentials');
  return `${u.origin}${u.pathname}`;
}

function describe(e: ExchangeError | undefined): string {
  if (e === undefined) return 'no answer';
  const message = e.message.split('\n')[0] ?? '';
  return e.code !== undefined && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
