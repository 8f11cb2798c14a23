// Sends the report bundle to a report collector as multipart/form-data (RFC 7578),
// streamed, with three parts. No Authorization header is ever sent (the API key is for the
// platform, not for wherever reports go) and redirects are not followed. Sample request body:
//   --------------------------123456
//   Content-Disposition: form-data; name="report.json"; filename="report.json"
//   Content-Type: application/json
import { PassThrough } from 'node:stream';
import FormData from 'form-data';
import { Agent, request } from 'undici';
import { renderHar } from './har.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { createRedactor, type Redactor } from '../http/redact.js';
import { safeText } from './safe-output.js';
import type { Report } from './schema.js';

export interface PostOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** Extra CA certificates (PEM) to trust. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Skip TLS verification (--insecure). */
  insecure?: boolean;
  /** The key's redactor: every part passes the last redaction pass before it leaves (another origin). */
  redact?: Redactor;
}

export async function postReportBundle(url: string, report: Report, opts: PostOptions): Promise<{ status: number; shownUrl: string }> {
  const shown = displayUrl(url);
  const redact = opts.redact ?? createRedactor([]);
  const form = new FormData();
  form.append('report.json', safeText(renderJson(report), redact, { format: 'json' }), { filename: 'report.json', contentType: 'application/json' });
  form.append('report.md', safeText(renderMarkdown(report), redact), { filename: 'report.md', contentType: 'text/markdown; charset=utf-8' });
  form.append('report.har', safeText(renderHar(report), redact, { format: 'json' }), { filename: 'report.har', contentType: 'application/json' });
  const headers: Record<string, string> = { ...form.getHeaders(), 'user-agent': `hokus-check/${report.tool.version}` };
  // Every part is a string, so the length is known up front; some collectors refuse chunked bodies.
  headers['content-length'] = String(form.getLengthSync());
  const body = form.pipe(new PassThrough());

  const agent = new Agent({
    connect: { ...(opts.ca === undefined ? {} : { ca: opts.ca }), rejectUnauthorized: opts.insecure !== true },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([opts.signal, timeout]);
  try {
    const res = await request(url, { method: 'POST', headers, body, dispatcher: agent, signal });
    await res.body.dump();
    if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, shownUrl: shown };
    const redirect = res.statusCode >= 300 && res.statusCode < 400 ? ' (redirects are not followed)' : '';
    throw new PostError(`the report collector at ${shown} answered ${res.statusCode}${redirect}`);
  } catch (err) {
    body.destroy();
    if (err instanceof PostError) throw err;
    const reason = opts.signal.aborted ? 'aborted' : timeout.aborted ? `no answer within ${opts.timeoutMs} ms` : describe(err);
    throw new Error(`cannot post the report to ${shown}: ${reason}`);
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

class PostError extends Error {}

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

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = (e.cause?.message ?? e.message ?? String(err)).split('\n')[0] ?? '';
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}
