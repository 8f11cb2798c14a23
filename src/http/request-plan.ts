// From a RequestSpec to what goes on the wire: URL with query, headers, body, idempotency — and
// the key boundary: a request that would carry the key (or MLflow's Basic credentials) to an origin
// it is not configured for is refused here, before any connection is made.
import type { Readable } from 'node:stream';
import type { ApiKey, BasicCredentials } from './secret.js';
import type { ExchangeError, Header, RequestSpec } from './types.js';

export interface RequestPlan {
  url: URL;
  /** Real values, in the order given to undici. */
  headers: Header[];
  body?: string | Buffer | (() => Readable);
  /** Byte length of a string/Buffer body, or the declared length of a streamed one. */
  bodySize?: number;
  /** Text of a string/JSON/Buffer body, for the excerpt. */
  bodyText?: string;
  idempotent: boolean;
}

export interface PlanContext {
  key?: ApiKey;
  /** MLflow's Basic credentials: sent instead of the key (MLflow's client prefers them to a token), same boundary. */
  basic?: BasicCredentials;
  /** Normalised origins (URL.origin) the key may be sent to. */
  keyOrigins: ReadonlySet<string>;
  userAgent?: string;
}

export type PlanResult = { ok: true; plan: RequestPlan } | { ok: false; error: ExchangeError; url: string; headers: Header[] };

export function planRequest(spec: RequestSpec, ctx: PlanContext): PlanResult {
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    return { ok: false, error: { kind: 'other', message: `invalid URL: ${spec.url}` }, url: spec.url, headers: [] };
  }
  for (const [name, value] of Object.entries(spec.query ?? {})) url.searchParams.append(name, String(value));

  const headers = new Map<string, string>();
  if (ctx.userAgent) headers.set('user-agent', ctx.userAgent);
  const sentBasic = spec.withKey !== false ? ctx.basic : undefined;
  const sentKey = spec.withKey !== false && !sentBasic ? ctx.key : undefined;
  if (sentBasic) headers.set('authorization', sentBasic.header());
  else if (sentKey) headers.set('authorization', `Bearer ${sentKey.value}`);

  const plan: RequestPlan = { url, headers: [], idempotent: spec.idempotent ?? IDEMPOTENT.has(spec.method) };
  if (spec.json !== undefined) {
    plan.bodyText = JSON.stringify(spec.json);
    plan.body = plan.bodyText;
    plan.bodySize = Buffer.byteLength(plan.bodyText);
    headers.set('content-type', 'application/json');
  } else if (typeof spec.body === 'string') {
    plan.body = spec.body;
    plan.bodyText = spec.body;
    plan.bodySize = Buffer.byteLength(spec.body);
  } else if (Buffer.isBuffer(spec.body)) {
    plan.body = spec.body;
    plan.bodyText = spec.body.subarray(0, 64 * 1024).toString('utf8');
    plan.bodySize = spec.body.length;
  } else if (typeof spec.body === 'function') {
    plan.body = spec.body;
    if (spec.bodyLength !== undefined) {
      plan.bodySize = spec.bodyLength;
      headers.set('content-length', String(spec.bodyLength));
    }
  }
  for (const [name, value] of Object.entries(spec.headers ?? {})) headers.set(name.toLowerCase(), value);
  plan.headers = [...headers];

  // The key must not leave for a foreign origin, whether as our Authorization header or put into
  // the URL or a header by the caller.
  const key = ctx.key?.value;
  const carriesKey =
    sentKey !== undefined || (key !== undefined && (url.href.includes(key) || plan.headers.some(([, v]) => v.includes(key))));
  // The password, or the header's base64 token, anywhere in the URL or a header counts as sending them.
  const basicForms = ctx.basic?.secrets().map((s) => s.value) ?? [];
  const carriesBasic =
    sentBasic !== undefined || basicForms.some((form) => url.href.includes(form) || plan.headers.some(([, v]) => v.includes(form)));
  if ((carriesKey || carriesBasic) && !ctx.keyOrigins.has(url.origin)) {
    const what = carriesBasic ? "MLflow's Basic credentials" : 'API key';
    return {
      ok: false,
      error: {
        kind: 'key-boundary',
        message: `not sending the ${what} to ${url.origin}: ${carriesBasic ? 'they are' : 'it is'} configured only for ${[...ctx.keyOrigins].join(', ') || 'no origin'}`,
      },
      url: url.href,
      headers: plan.headers,
    };
  }
  return { ok: true, plan };
}

/** Origins as URL.origin spells them (default ports dropped, lower case); invalid ones are skipped. */
export function normaliseOrigins(origins: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const o of origins) {
    try {
      out.add(new URL(o).origin);
    } catch {
      // Not a URL: it cannot match any request.
    }
  }
  return out;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
