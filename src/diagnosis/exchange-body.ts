// What a recorded exchange's body says, read once: JSON fields the rules care about (MLflow's
// error_code/message, FastAPI's detail, the API's error), HTML titles, plain text.
import type { Exchange, Header } from '../http/types.js';

export interface BodyFacts {
  /** The excerpt, trimmed. */
  text: string;
  /** Parsed JSON object (undefined when the body is not a JSON object). */
  json?: Record<string, unknown>;
  isJson: boolean;
  isHtml: boolean;
  /** `<title>…</title>` of an HTML body. */
  htmlTitle?: string;
  /** MLflow-style `error_code` (also the proxy's rewritten RESOURCE_NOT_FOUND). */
  errorCode?: string;
  /** MLflow-style `message`, or the API's `message`. */
  message?: string;
  /** FastAPI `detail`, as text (objects are JSON-encoded). */
  detail?: string;
  /** The API's `error` ('FORBIDDEN', 'REGISTRY_ADMIN_REQUIRED'), also when nested in `detail`. */
  error?: string;
}

/**
 * Reads the whole body up to the read cap (bodyText), not only the excerpt people see: a 2.5 KB
 * MLflow error still parses. A binary body reads as its description. Read once per response.
 */
export function readBody(x: Exchange): BodyFacts {
  const res = x.response;
  if (!res) return { text: '', isJson: false, isHtml: false };
  const cached = READ.get(res);
  if (cached) return cached;
  const facts = readFacts(res);
  READ.set(res, facts);
  return facts;
}

const READ = new WeakMap<NonNullable<Exchange['response']>, BodyFacts>();

function readFacts(res: NonNullable<Exchange['response']>): BodyFacts {
  const text = (res.bodyText ?? res.bodyExcerpt).trim();
  const facts: BodyFacts = { text, isJson: false, isHtml: false };
  const json = parseObject(text);
  if (json) {
    facts.json = json;
    facts.isJson = true;
    if (typeof json.error_code === 'string') facts.errorCode = json.error_code;
    if (typeof json.message === 'string') facts.message = json.message;
    if (typeof json.error === 'string') facts.error = json.error;
    const detail = json.detail;
    if (typeof detail === 'string') facts.detail = detail;
    else if (detail !== undefined && detail !== null) {
      facts.detail = JSON.stringify(detail);
      const nested = typeof detail === 'object' ? (detail as Record<string, unknown>).error : undefined;
      if (facts.error === undefined && typeof nested === 'string') facts.error = nested;
    }
    return facts;
  }
  // An excerpt may be cut mid-JSON: still read the error code when it is there.
  const code = /"error_code"\s*:\s*"([A-Z_]+)"/.exec(text)?.[1];
  if (code) facts.errorCode = code;
  const contentType = (res.contentType ?? headerValue(res.headers, 'content-type') ?? '').toLowerCase();
  // MLflow's `/health` says `OK` as text/html: markup, not the content type, makes a page.
  facts.isHtml = /^<(!doctype html|html|head|body)/i.test(text) || (contentType.includes('html') && /<[a-z][^>]*>/i.test(text));
  if (facts.isHtml) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    if (title) facts.htmlTitle = title;
  }
  return facts;
}

/** All values of a header, in the order received (a proxied reply has two `server`s). */
export function headerValues(headers: readonly Header[] | undefined, name: string): string[] {
  const wanted = name.toLowerCase();
  return (headers ?? []).filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
}

export function headerValue(headers: readonly Header[] | undefined, name: string): string | undefined {
  return headerValues(headers, name)[0];
}

/** The most telling short text of a body: error_code + message, detail, HTML title, or the text. */
export function bodySummary(facts: BodyFacts, max = 160): string {
  let s: string;
  if (facts.errorCode) s = facts.message ? `${facts.errorCode}: ${facts.message}` : facts.errorCode;
  else if (facts.detail !== undefined)
    s = facts.json && typeof facts.json.detail === 'string' ? `"${facts.detail}"` : `detail ${facts.detail}`;
  else if (facts.error) s = facts.message ? `${facts.error}: ${facts.message}` : facts.error;
  else if (facts.htmlTitle) s = `HTML page "${facts.htmlTitle}"`;
  else s = facts.text.replace(/\s+/g, ' ');
  return clip(s, max);
}

export function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The words of an error body, for matching: detail, message, then the raw text. */
export function errorWords(facts: BodyFacts): string {
  return [facts.detail, facts.message, facts.error, facts.json ? undefined : facts.text].filter((s) => s !== undefined).join(' ');
}
