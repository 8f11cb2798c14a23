// Redaction at the edges: everything an Exchange records passes through here before it is stored,
// and every writer passes its final bytes through it again (src/report/safe-output.ts). Known secrets
// are found in every form a server or an encoder might turn them into — any case, base64/base64url
// (at any byte offset), hex, %xx (canonical or every byte), JSON \u escapes, HTML entities — and as
// any run of 8 or more consecutive characters of the secret part (a key cut short is still a leak),
// also as a person would read it in a log: with zero-width characters, soft hyphens or NULs between its
// characters (UTF-16 read as bytes), in fullwidth or other compatibility forms, in spaced groups
// (decoded-view.ts, normalisedView). The matched span of the original text is replaced by the masked
// form; the rest of the text stays as it was.
// Credential-looking values (Bearer tokens, api_key=…, x-api-key) are masked even when not ours.
import { decodedView, INVISIBLE, normalisedView, readingOf, SPACING, type DecodedView } from './decoded-view.js';
import { inertBlock, inertLine } from './inert.js';
import { maskSecret, secretPrefix } from './secret.js';
import type { Header } from './types.js';

export type Redactor = (text: string) => string;

/** Shortest run of the secret part that counts as a leak (the masked form shows 4 characters). */
export const MIN_RUN = 8;

/** Shortest encoded (hex, base64) window searched: a secret of 1 or 2 bytes encodes to less. */
const MIN_ENCODED = 4;

/**
 * A secret with the form it is shown as when found: a password (MLflow's Basic credentials) is masked
 * whole (`<redacted>`), where a plain string secret (the API key, a token) shows as maskSecret does.
 */
export interface MaskedSecret {
  value: string;
  mask: string;
}

export type RedactionSecret = string | MaskedSecret;

/** A redactor for the given secrets (the API key, MLflow's token and password) plus the generic credential patterns. */
export function createRedactor(secrets: readonly RedactionSecret[]): Redactor {
  const search = secretSearch(secrets);
  return (text) => {
    const out = search === undefined || text.length === 0 ? text : redactTrailingPartial(maskRanges(text, search), search.partials);
    return out
      .replace(AUTH_SCHEME, (_m, scheme: string, space: string, token: string) => `${scheme}${space}${maskToken(token)}`)
      .replace(KEY_VALUE, (_m, lead: string, value: string) => `${lead}${maskToken(value)}`);
  };
}

/**
 * Whether `text` holds one of `secrets` in any form the redactor knows (the generic credential
 * patterns aside): for refusing an argument that holds the key (src/argv-guard.ts).
 */
export function holdsSecret(secrets: readonly RedactionSecret[]): (text: string) => boolean {
  const search = secretSearch(secrets);
  return (text) =>
    search !== undefined && text.length > 0 && (maskRanges(text, search) !== text || redactTrailingPartial(text, search.partials) !== text);
}

/** Everything a redactor searches for its secrets; undefined when it has none. */
interface SecretSearch {
  finders: SecretFinder[];
  partials: PartialForm[];
  /** An escape is worth undoing only when it decodes to a character that may be part of a secret's run. */
  keep: (c: string) => boolean;
  /** Whether the normalised view is worth building; undefined: no secret long enough for it. */
  readable?: (text: string) => boolean;
}

function secretSearch(secrets: readonly RedactionSecret[]): SecretSearch | undefined {
  // Each secret once: environments of one config often share a key.
  const byValue = new Map<string, string>();
  for (const s of secrets) {
    const { value, mask } = typeof s === 'string' ? { value: s, mask: maskSecret(s) } : s;
    if (value.length > 0 && !byValue.has(value)) byValue.set(value, mask);
  }
  const distinct = [...byValue.keys()];
  if (distinct.length === 0) return undefined;
  const compiled = distinct.map((value) => compiledSecret(value, byValue.get(value)!));
  const finders = compiled.map((c) => c.finder);
  const has = (c: string) => finders.some((f) => f.chars.has(c));
  const keep = (c: string) => {
    if (has(c.toLowerCase())) return true;
    // Not an ASCII space (`%20` stays cheap): a character the normalised view drops or reads as a secret's.
    const reading = readingOf(c.codePointAt(0)!);
    return reading === INVISIBLE || (reading !== undefined && reading !== SPACING && [...reading.toLowerCase()].every(has));
  };
  const long = distinct.filter((s) => s.length >= MIN_RUN);
  return {
    finders,
    partials: compiled.flatMap((c) => c.partials),
    keep,
    ...(long.length > 0 ? { readable: readableGate(long) } : {}),
  };
}

/** What one secret compiles to: its finder (a regex over a few hundred windows) and partial forms. */
interface CompiledSecret {
  finder: SecretFinder;
  partials: PartialForm[];
}

// A redactor is made per check, and the exporter runs a check of each environment per scrape:
// each secret's regexes are compiled once per process, not once per check. Bounded (most recent
// kept): a process holds a handful of keys, one per configured environment.
const COMPILED = new Map<string, CompiledSecret>();
const COMPILED_MAX = 64;

function compiledSecret(secret: string, mask: string): CompiledSecret {
  const id = `${mask}\u0000${secret}`;
  let c = COMPILED.get(id);
  if (c) {
    COMPILED.delete(id);
  } else {
    c = { finder: secretFinder(secret, mask), partials: partialForms(secret, mask) };
    if (COMPILED.size >= COMPILED_MAX) COMPILED.delete(COMPILED.keys().next().value!);
  }
  COMPILED.set(id, c);
  return c;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key']);

/**
 * Redacted copies of headers: credentials replaced entirely (the scheme stays, and our own key shows
 * as its masked form, so a reader can tell which key was sent), cookie values replaced (names kept: a load balancer's cookie name is evidence), and
 * every other value run through the text redactor, since a server may echo the key in any header.
 */
export function redactHeaders(headers: readonly Header[], redact: Redactor = createRedactor([])): Header[] {
  return headers.map(([rawName, rawValue]): Header => {
    // Names too: a server chooses them, and may put the key (or an escape sequence) there.
    const name = inertLine(redact(rawName.toLowerCase()));
    const value = inertLine(rawValue);
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

/** Where, in one encoded form of the secret, a window of it starts. */
interface Place {
  form: string;
  at: number;
}

/** One regex over every window of one case class; a hit is extended as far as the form goes on. */
interface Matcher {
  regex: RegExp;
  windows: Map<string, Place[]>;
  caseInsensitive: boolean;
}

interface SecretFinder {
  mask: string;
  matchers: Matcher[];
  /** The secret's characters, lower case: the only ones an escape must decode to for the view to matter. */
  chars: Set<string>;
}

function secretFinder(secret: string, mask: string): SecretFinder {
  const bytes = Buffer.from(secret, 'utf8');
  const prefixChars = secretPrefix(secret).length;
  const prefixBytes = Buffer.byteLength(secret.slice(0, prefixChars), 'utf8');
  const insensitive: Array<[string, number, number]> = []; // [form, first window start, window length]
  const sensitive: Array<[string, number, number]> = [];
  // The secret as written (any case), and its hex (any case): 2 hex digits a byte.
  insensitive.push([secret, prefixChars, MIN_RUN]);
  encoded(insensitive, [bytes.toString('hex'), 2 * prefixBytes, 2 * MIN_RUN]);
  // base64 / base64url: inside a longer blob (`Basic base64(user:key)`) the key's characters depend
  // on its byte offset mod 3, so each offset keeps the characters that depend on the key's bytes only.
  const b64Window = Math.ceil((MIN_RUN * 8) / 6);
  for (const shift of [0, 1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(shift), bytes]);
    const first = Math.ceil((8 * shift) / 6);
    const last = Math.floor((8 * (shift + bytes.length)) / 6);
    const from = Math.max(0, Math.floor((8 * (shift + prefixBytes)) / 6) - first);
    for (const encoding of ['base64', 'base64url'] as const)
      encoded(sensitive, [shifted.toString(encoding).slice(first, last), from, b64Window]);
  }
  // The whole encoding, its last character and padding included.
  const fromB64 = Math.floor((8 * prefixBytes) / 6);
  for (const encoding of ['base64', 'base64url'] as const) encoded(sensitive, [bytes.toString(encoding), fromB64, b64Window]);
  const chars = new Set([...secret.toLowerCase(), ...bytes.toString('base64'), ...bytes.toString('base64url')].map((c) => c.toLowerCase()));
  return { mask, chars, matchers: [matcher(insensitive, true), matcher(sensitive, false)].filter((m): m is Matcher => m !== undefined) };
}

/**
 * An encoded form, unless it is too short to mean anything: the base64 of a 1-byte secret at byte
 * offset 1 is no character at all, and an empty window would match everywhere.
 */
function encoded(forms: Array<[string, number, number]>, form: [string, number, number]): void {
  if (form[0].length >= MIN_ENCODED) forms.push(form);
}

function matcher(forms: Array<[string, number, number]>, caseInsensitive: boolean): Matcher | undefined {
  const windows = new Map<string, Place[]>();
  for (const [form, from, size] of forms) {
    // A secret part shorter than a window: the whole form is the one window.
    const [start, length] = form.length - from >= size ? [from, size] : [0, form.length];
    if (length === 0) continue;
    for (let at = start; at + length <= form.length; at++) {
      const w = form.slice(at, at + length);
      const k = caseInsensitive ? w.toLowerCase() : w;
      const places = windows.get(k) ?? [];
      places.push({ form, at });
      windows.set(k, places);
    }
  }
  if (windows.size === 0) return undefined;
  const source = [...windows.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
  return { regex: new RegExp(source, caseInsensitive ? 'gi' : 'g'), windows, caseInsensitive };
}

type Range = [start: number, end: number];

/** Every span of `text` that holds a run of a secret (in any form), masked. */
function maskRanges(text: string, { finders, keep, readable }: SecretSearch): string {
  // Most texts (header values, short bodies) hold no secret: that path allocates nothing but the
  // regex scans and, for a normalised view, one pass over the characters (readableGate).
  let found: Array<[number, number, string]> | undefined;
  const search = (view: string, toOriginal: ((r: Range) => Range) | undefined): void => {
    for (const f of finders) {
      for (const m of f.matchers) {
        m.regex.lastIndex = 0;
        if (!m.regex.test(view)) continue;
        for (const r of runs(view, m)) (found ??= []).push([...(toOriginal ? toOriginal(r) : r), f.mask]);
      }
    }
  };
  search(text, undefined);
  // Twice: an escape inside an escape (`%255F`, JSON inside a JSON string) is undone too.
  let view: DecodedView | undefined = decodedView(text, keep);
  let deepest = text;
  let map: ((r: Range) => Range) | undefined;
  for (let depth = 0; view && depth < 2; depth++) {
    const v: DecodedView = view;
    const outer = map ?? ((r: Range): Range => r);
    const toOriginal = (r: Range): Range => outer(v.toOriginal(r[0], r[1]));
    search(v.text, toOriginal);
    [deepest, map] = [v.text, toOriginal];
    view = decodedView(v.text, keep);
  }
  // The text as a person reads it (escapes undone first: a fullwidth letter may be written `\uff48`).
  if (readable?.(deepest)) {
    const normal = normalisedView(deepest);
    if (normal) {
      const outer = map ?? ((r: Range): Range => r);
      search(normal.text, (r) => outer(normal.toOriginal(r[0], r[1])));
    }
  }
  if (found === undefined) return text;
  found.sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  for (let i = 0; i < found.length;) {
    let [start, end] = found[i]!;
    const mask = found[i]![2];
    i++;
    while (i < found.length && found[i]![0] <= end) end = Math.max(end, found[i++]![1]);
    if (start < cursor) start = cursor;
    out += text.slice(cursor, start) + mask;
    cursor = end;
  }
  return out + text.slice(cursor);
}

// ── The gate of the normalised view ────────────────────────────────────────────────────────────
//
// Building a normalised view of every text would cost an allocation per text that has a space. One
// pass over the characters decides instead, on the text as a person reads it (readingOf: spacing and
// invisible characters skipped, compatibility forms folded): its last 8 characters, 4 bits each (the
// low nibble: `a` and `A` alike), make a 32-bit key looked up among the secrets' windows — 8 characters
// of the secret part, or 8 hex digits of the key (a spaced hex dump). Nothing to keep but that key:
// older characters shift out. A hit is a reason to look, not a verdict (other characters share a
// nibble): the matchers decide on the view. A text of printable ASCII without spacing or NUL reads as
// it is written: it skips even that pass (native scans only), as most header values and URLs do.

/** The last 8 characters' low nibbles. */
function nibblesOf(window: string): number {
  let h = 0;
  for (let i = 0; i < window.length; i++) h = (h << 4) | (window.charCodeAt(i) & 15);
  return h;
}

/** Where a window's key falls in the filter. */
const slot = (h: number): number => Math.imul(h, 0x9e3779b1) >>> 16;

function readableGate(secrets: readonly string[]): (text: string) => boolean {
  // A 2^16-bit filter in front of the exact set: text that is not a secret almost never probes it.
  const filter = new Uint32Array(2048);
  const windows = new Set<number>();
  const add = (form: string, from: number) => {
    for (let at = Math.max(0, Math.min(from, form.length - MIN_RUN)); at + MIN_RUN <= form.length; at++) {
      const h = nibblesOf(form.slice(at, at + MIN_RUN));
      windows.add(h);
      filter[slot(h) >>> 5]! |= 1 << (slot(h) & 31);
    }
  };
  for (const secret of secrets) {
    const prefix = secretPrefix(secret);
    add(secret, prefix.length);
    add(Buffer.from(secret, 'utf8').toString('hex'), 2 * Buffer.byteLength(prefix));
  }
  const seen = (h: number): boolean => {
    const at = slot(h);
    return (filter[at >>> 5]! & (1 << (at & 31))) !== 0 && windows.has(h);
  };
  return (text) => {
    if (!hasSpacing(text) && !text.includes('\u0000') && Buffer.byteLength(text, 'utf8') === text.length) return false;
    let h = 0;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      // U+FFFD, what bytes that are not UTF-8 decode to (a binary body is full of them), reads as itself.
      if ((c <= 0x20 || c >= 0x7f) && c !== 0xfffd) {
        if (c === 0x20 || (c <= 0x0d && c >= 0x09)) continue;
        // Outside printable ASCII: what a person reads there (not inlined: rare in most texts).
        const reading = readingAt(text, i);
        if (c >= 0xd800 && c <= 0xdbff) i++;
        if (reading === SPACING || reading === INVISIBLE) continue;
        if (reading !== undefined) {
          // Fullwidth `ｈ`, or a ligature read as several characters.
          for (let k = 0; k < reading.length; k++) {
            h = (h << 4) | (reading.charCodeAt(k) & 15);
            if (seen(h)) return true;
          }
          continue;
        }
      }
      h = (h << 4) | (c & 15);
      const at = Math.imul(h, 0x9e3779b1) >>> 16;
      if ((filter[at >>> 5]! & (1 << (at & 31))) !== 0 && windows.has(h)) return true;
    }
    return false;
  };
}

/** Spacing in ASCII (native scans): with NUL and non-ASCII, what makes a text read otherwise than it is written. */
const hasSpacing = (text: string): boolean => text.includes(' ') || text.includes('\n') || text.includes('\t') || text.includes('\r');

/** readingOf the code point at `text[i]` (a surrogate pair read whole). */
function readingAt(text: string, i: number): string | undefined {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return readingOf(((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000);
  }
  return readingOf(c);
}

const sameCase = (a: string, b: string): boolean => a === b;
const anyCase = (a: string, b: string): boolean => a === b || a.toLowerCase() === b.toLowerCase();

function runs(text: string, m: Matcher): Range[] {
  const out: Range[] = [];
  const same = m.caseInsensitive ? anyCase : sameCase;
  m.regex.lastIndex = 0;
  for (let hit = m.regex.exec(text); hit !== null; hit = m.regex.exec(text)) {
    const p = hit.index;
    const w = hit[0];
    let best: Range = [p, p + w.length];
    for (const { form, at } of m.windows.get(m.caseInsensitive ? w.toLowerCase() : w) ?? []) {
      let left = 0;
      while (p - left > 0 && at - left > 0 && same(text[p - left - 1]!, form[at - left - 1]!)) left++;
      let right = w.length;
      while (p + right < text.length && at + right < form.length && same(text[p + right]!, form[at + right]!)) right++;
      if (right + left > best[1] - best[0]) best = [p - left, p + right];
    }
    out.push(best);
    // Never on the same spot twice, whatever matched: an empty hit would otherwise loop for ever.
    m.regex.lastIndex = Math.max(best[1], p + 1);
  }
  return out;
}

interface PartialForm {
  form: string;
  /** Shortest start of `form` worth hiding: longer than the prefix the masked form shows anyway. */
  min: number;
  mask: string;
  /** Last character → the starts of `form` (longest first) that end with it and are worth hiding. */
  endingIn: Map<string, string[]>;
}

/** The key and its base64/base64url/URL encodings, whose first part may end a text cut short. */
function partialForms(secret: string, mask: string): PartialForm[] {
  const bytes = Buffer.from(secret, 'utf8');
  const shown = mask.includes('…') ? mask.slice(0, mask.indexOf('…')) : '';
  // In each form, the characters that encode the shown prefix alone, plus 4: as for the key itself.
  const b64Shown = Math.floor((8 * Buffer.byteLength(shown, 'utf8')) / 6);
  const forms = [
    { form: secret, min: shown.length + 4 },
    { form: bytes.toString('base64'), min: Math.max(8, b64Shown + 4) },
    { form: bytes.toString('base64url'), min: Math.max(8, b64Shown + 4) },
    { form: encodeURIComponent(secret), min: Math.max(8, encodeURIComponent(shown).length + 4) },
  ];
  return (
    forms
      // A form equal to an earlier one (a key of URL-safe characters is its own %-encoding) once.
      .filter((p, i) => p.form.length > p.min && forms.findIndex((q) => q.form === p.form) === i)
      .map(({ form, min }) => {
        const endingIn = new Map<string, string[]>();
        for (let n = form.length - 1; n >= min; n--) {
          const start = form.slice(0, n);
          const last = form[n - 1]!;
          endingIn.set(last, [...(endingIn.get(last) ?? []), start]);
        }
        return { form, min, mask, endingIn };
      })
  );
}

/**
 * A body cut short (a wrong content-length, a reset, the size cap) can end with the start of the
 * key, which no longer matches it whole: that start is masked too.
 */
function redactTrailingPartial(text: string, partials: readonly PartialForm[]): string {
  const last = text.at(-1);
  if (last === undefined) return text;
  for (const p of partials) {
    // Only the starts that end in the text's last character can end the text (longest first).
    for (const start of p.endingIn.get(last) ?? []) {
      if (text.endsWith(start)) return `${text.slice(0, text.length - start.length)}${p.mask}`;
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
    if (whole || out.length >= chars + margin / 2) return inertBlock(out.slice(0, chars));
  }
}

// ── Workflow commands ───────────────────────────────────────────────────────────────────────────
//
// The GitHub Actions runner reads every line of a step's stdout and stderr for workflow commands
// (actions/runner, src/Runner.Worker/ActionCommandManager.cs): a line whose start, after whitespace,
// is `::` (ActionCommand.TryParseV2), and — the legacy form — a line holding `##[` ANYWHERE
// (ActionCommand.TryParse: `message.IndexOf("##[")`). `##[stop-commands]tok` ends every later command
// (the check's own annotations included), `##[error]` forges an annotation, `##[add-mask]e` masks every
// `e` of the log. Server text is data: the one rule that defuses both, applied by the last pass of
// every writer (src/report/safe-output.ts), usage messages (src/argv-guard.ts) and the annotation
// writer's own text (src/report/github.ts). It lives beside the redactor that each of them applies
// just before it: argv-guard may import http/ only (ARCHITECTURE.md, code map).

/** The second `#` of `##[`, shown so: readable, and never `##[` in plain text, JSON (`\u0023` is `#`) or XML (`&#35;`). */
const SECOND_HASH: Record<'text' | 'json' | 'xml', string> = { text: ' #', json: '\\u0023', xml: '&#35;' };
/** The first `:` of a line's leading `::`, shown so (a JSON text never starts a line inside a string). */
const FIRST_COLON: Record<'text' | 'json' | 'xml', string> = { text: ': ', json: ':', xml: '&#58;' };

/**
 * `##[` anywhere becomes `# #[`, and `::` at the start of a line (after blanks, Unicode ones
 * included) becomes `: :`: visible, and no longer a command. In JSON and XML the character is escaped
 * instead, so the document reads back unchanged.
 */
export function defuseCommands(text: string, format: 'text' | 'json' | 'xml' = 'text'): string {
  const legacy = text.includes('##[') ? text.replace(/(?<=#)#(?=\[)/g, SECOND_HASH[format]) : text;
  return format === 'json' ? legacy : legacy.replace(/(^|\n)([^\S\n]*):(?=:)/g, `$1$2${FIRST_COLON[format]}`);
}
