// Redaction at the source: everything an Exchange records passes through here before it is stored,
// so no report format, log or HAR file can carry the key. Known secrets are replaced in every
// encoding a server might echo them in; credential-looking values (Bearer tokens, api_key=…,
// x-api-key) are masked even when they are not ours.
import { maskSecret } from './secret.js';
import type { Header } from './types.js';

export type Redactor = (text: string) => string;

/** A redactor for the given secrets (the API key) plus the generic credential patterns. */
export function createRedactor(secrets: string[]): Redactor {
  const replacements = secrets.filter((s) => s.length > 0).flatMap(secretForms);
  // Longest first, so a form that contains another is replaced whole.
  replacements.sort((a, b) => b.find.length - a.find.length);
  const partials = secrets.filter((s) => s.length > 0).flatMap(partialForms);
  return (text) => {
    let out = text;
    for (const r of replacements) {
      if (r.caseInsensitive) out = out.replace(r.regex!, r.mask);
      else if (out.includes(r.find)) out = out.replaceAll(r.find, r.mask);
    }
    return redactTrailingPartial(out, partials)
      .replace(AUTH_SCHEME, (_m, scheme: string, space: string, token: string) => `${scheme}${space}${maskToken(token)}`)
      .replace(KEY_VALUE, (_m, lead: string, value: string) => `${lead}${maskToken(value)}`);
  };
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key']);

/**
 * Redacted copies of headers: credentials replaced entirely (the scheme stays, and our own key shows
 * as its masked form, so a reader can tell which key was sent), cookie values replaced (names kept: a load balancer's cookie name is evidence), and
 * every other value run through the text redactor, since a server may echo the key in any header.
 */
export function redactHeaders(headers: readonly Header[], redact: Redactor = createRedactor([])): Header[] {
  return headers.map(([rawName, value]) => {
    const name = rawName.toLowerCase();
    if (SECRET_HEADERS.has(name)) return [name, redactCredential(value, redact)];
    if (name === 'cookie') return [name, redactCookiePairs(value, '; ', redact)];
    if (name === 'set-cookie') return [name, redactSetCookie(value, redact)];
    return [name, redact(value)];
  });
}

/** Masks a credential unless it is already masked (redaction must be idempotent). */
export function maskToken(value: string): string {
  if (value.includes('…') || value === REDACTED) return value;
  return maskSecret(value);
}

const REDACTED = '<redacted>';

// `Bearer <token>`, `ApiKey <token>`, `Basic <b64>`. A plain word after the scheme ("Bearer token
// required") is prose, not a credential, and is left alone.
const AUTH_SCHEME = /\b(Bearer|ApiKey|Basic)(\s+)(?![A-Za-z]{1,20}(?![A-Za-z0-9…._~+/-]))([A-Za-z0-9._~+/=…-]+)/gi;

// `api_key=…`, `x-api-key: …`, `"api_key": "…"`, `access_token=…` in URLs, headers echoed in
// bodies, and JSON.
const KEY_VALUE = /((?<![\w-])(?:x-api-key|api[_-]?key|apikey|access[_-]?token)["']?\s*[:=]\s*["']?)([^\s"'&,;}<>]+)/gi;

interface Replacement {
  find: string;
  mask: string;
  caseInsensitive?: boolean;
  regex?: RegExp;
}

/** The secret as written, base64/base64url (also as a fragment of a longer blob), URL-encoded. */
function secretForms(secret: string): Replacement[] {
  const mask = maskSecret(secret);
  const forms = new Set<string>([secret]);
  const bytes = Buffer.from(secret, 'utf8');
  for (const b64 of [bytes.toString('base64'), bytes.toString('base64url')]) {
    forms.add(b64);
    forms.add(b64.replace(/=+$/, ''));
  }
  // Embedded in a longer base64 blob (`Basic base64(user:key)`), the key's encoding depends on its
  // byte offset mod 3: keep, for each offset, the characters that depend on the key's bytes only.
  if (bytes.length >= 8) {
    for (const shift of [1, 2]) {
      const shifted = Buffer.concat([Buffer.alloc(shift), bytes]);
      const first = Math.ceil((8 * shift) / 6);
      const last = Math.floor((8 * (shift + bytes.length)) / 6);
      forms.add(shifted.toString('base64').slice(first, last));
      forms.add(shifted.toString('base64url').slice(first, last));
    }
    forms.add(bytes.toString('base64').slice(0, Math.floor((8 * bytes.length) / 6)));
    forms.add(bytes.toString('base64url').slice(0, Math.floor((8 * bytes.length) / 6)));
  }
  const out: Replacement[] = [...forms].filter((f) => f.length > 0).map((find) => ({ find, mask }));
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) {
    // %xx escapes may come back in either case.
    out.push({ find: encoded, mask, caseInsensitive: true, regex: new RegExp(escapeRegExp(encoded), 'gi') });
  }
  return out;
}

interface PartialForm {
  form: string;
  /** Shortest start of `form` worth hiding: longer than the prefix the masked form shows anyway. */
  min: number;
  mask: string;
}

/** The key and its base64/base64url/URL encodings, whose first part may end a text cut short. */
function partialForms(secret: string): PartialForm[] {
  const mask = maskSecret(secret);
  const bytes = Buffer.from(secret, 'utf8');
  const shown = mask.includes('…') ? mask.slice(0, mask.indexOf('…')).length : 0;
  return [
    { form: secret, min: shown + 4, mask },
    ...[bytes.toString('base64'), bytes.toString('base64url'), encodeURIComponent(secret)].map((form) => ({ form, min: 8, mask })),
  ].filter((p) => p.form.length > p.min);
}

/**
 * A body cut short (a wrong content-length, a reset, the size cap) can end with the start of the
 * key, which no longer matches it whole: that start is masked too.
 */
function redactTrailingPartial(text: string, partials: readonly PartialForm[]): string {
  for (const p of partials) {
    for (let n = p.form.length - 1; n >= p.min; n--) {
      if (text.endsWith(p.form.slice(0, n))) return `${text.slice(0, text.length - n)}${p.mask}`;
    }
  }
  return text;
}

/** `Scheme credential` → `Scheme hk_test_…abcd` for our key, `Scheme <redacted>` for anything else. */
function redactCredential(value: string, redact: Redactor): string {
  const m = /^([A-Za-z][\w-]*)(\s+)(\S.*)$/.exec(value);
  const [scheme, credential] = m ? [`${m[1]}${m[2]}`, m[3]!] : ['', value];
  const redacted = redact(credential);
  return `${scheme}${redacted.includes('…') ? redacted : REDACTED}`;
}

function redactCookiePairs(value: string, separator: string, redact: Redactor): string {
  return value
    .split(/;\s*/)
    .map((pair) => {
      const eq = pair.indexOf('=');
      // The name stays (evidence), but a server may put anything there, the key included.
      return eq < 0 ? REDACTED : `${redact(pair.slice(0, eq))}=${REDACTED}`;
    })
    .join(separator);
}

function redactSetCookie(value: string, redact: Redactor): string {
  const semi = value.indexOf(';');
  const pair = semi < 0 ? value : value.slice(0, semi);
  const attributes = semi < 0 ? '' : value.slice(semi);
  return `${redactCookiePairs(pair, '; ', redact)}${redact(attributes)}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The first `chars` characters of `text`, redacted. Redaction runs on a wider window first, so a
 * secret that straddles the cut is still recognised whole.
 */
export function redactedExcerpt(text: string, chars: number, redact: Redactor): string {
  const margin = 1024;
  for (let window = chars + margin; ; window *= 2) {
    const whole = window >= text.length;
    const out = redact(whole ? text : text.slice(0, window));
    // Redaction shortens text; if it shortened the window too much, the cut might reach a partial
    // secret at the window's end: widen and redo.
    if (whole || out.length >= chars + margin / 2) return out.slice(0, chars);
  }
}
