// "Does this text contain the key?" in every form a careless path could print it: as written, its
// base64 / base64url encodings (also inside a longer blob, at each byte offset), URL-encoded, the
// secret part without its `hk_test_` prefix, and any 8-character run of that secret part (a key cut
// short by an excerpt is still a leak; the masked form shows 4 characters only).
const PREFIX = /^hk_(test|live)_/;

export interface Leak {
  form: string;
  /** A little context around the hit, with the hit itself masked, for the assertion message. */
  context: string;
}

export function findLeaks(text: string, key: string): Leak[] {
  const leaks: Leak[] = [...findDecodedLeaks(text, key)];
  let fragmentFound = false;
  for (const [form, needle] of leakNeedles(key)) {
    const fragment = form.startsWith('8 characters');
    if (fragment && fragmentFound) continue; // one fragment hit says it all
    const at = text.indexOf(needle);
    if (at < 0) continue;
    if (fragment) fragmentFound = true;
    const context = `${text.slice(Math.max(0, at - 60), at)}<${form}>${text.slice(at + needle.length, at + needle.length + 60)}`;
    leaks.push({ form, context });
  }
  return leaks;
}

/** [name of the form, the string to look for]. */
export function leakNeedles(key: string): Array<[string, string]> {
  const out = new Map<string, string>();
  const bytes = Buffer.from(key, 'utf8');
  out.set(key, 'key');
  out.set(bytes.toString('base64').replace(/=+$/, ''), 'base64');
  out.set(bytes.toString('base64url'), 'base64url');
  out.set(encodeURIComponent(key), 'url-encoded');
  // Inside a longer base64 blob ("Basic base64(user:key)"), the key's characters depend on its offset.
  for (const shift of [1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(shift), bytes]);
    const first = Math.ceil((8 * shift) / 6);
    const last = Math.floor((8 * (shift + bytes.length)) / 6);
    out.set(shifted.toString('base64').slice(first, last), `base64 at offset ${shift}`);
    out.set(shifted.toString('base64url').slice(first, last), `base64url at offset ${shift}`);
  }
  const secret = key.replace(PREFIX, '');
  out.set(secret, 'key without prefix');
  for (let i = 0; i + 8 <= secret.length; i++) out.set(secret.slice(i, i + 8), `8 characters of the key at ${i}`);
  return [...out].map(([needle, form]) => [form, needle]);
}

/**
 * The key in a form only a decoder sees: any case, hex, %xx for every byte, JSON \u escapes, HTML
 * entities (also mixed, also encoded twice). Decodes with plain replacements — on purpose not the
 * redactor's position-mapped view (src/http/decoded-view.ts) — and looks for any 8-character run of
 * the secret part (16 hex digits for hex), case-insensitively.
 */
export function findDecodedLeaks(text: string, key: string): Leak[] {
  const secret = key.replace(PREFIX, '').toLowerCase();
  const hex = Buffer.from(key.replace(PREFIX, '')).toString('hex');
  let decoded = text;
  for (let round = 0; round < 3; round++) decoded = decodeOnce(decoded);
  const hay = decoded.toLowerCase();
  const out: Leak[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) {
    const at = hay.indexOf(secret.slice(i, i + 8));
    if (at >= 0) {
      out.push({ form: `decoded, any case: 8 characters of the key at ${i}`, context: mask(decoded, at, 8) });
      break;
    }
  }
  for (let i = 0; i + 16 <= hex.length; i += 2) {
    const at = hay.indexOf(hex.slice(i, i + 16));
    if (at >= 0) {
      out.push({ form: `hex: 8 bytes of the key at ${i / 2}`, context: mask(decoded, at, 16) });
      break;
    }
  }
  return out;
}

function decodeOnce(text: string): string {
  return text
    .replace(/&#x([0-9a-f]{1,6});?/gi, (_m, h: string) => String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)))
    .replace(/&#(\d{1,7});?/g, (_m, d: string) => String.fromCodePoint(Math.min(Number(d), 0x10ffff)))
    .replace(
      /&(lowbar|UnderBar|hyphen|dash|period|amp);?/g,
      (_m, n: string) => ({ lowbar: '_', UnderBar: '_', hyphen: '-', dash: '-', period: '.', amp: '&' })[n] ?? '',
    )
    .replace(/\\u([0-9a-f]{4})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\x([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function mask(text: string, at: number, length: number): string {
  return `${text.slice(Math.max(0, at - 60), at)}<hit>${text.slice(at + length, at + length + 60)}`;
}

/** The key written every way a careless or hostile server might echo it: [name of the form, text]. */
export function echoForms(key: string): Array<[string, string]> {
  const bytes = Buffer.from(key, 'utf8');
  const secret = key.replace(PREFIX, '');
  const swap = [...key].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');
  const everyByte = (upper: boolean) =>
    [...bytes]
      .map((b) => `%${b.toString(16).padStart(2, '0')}`)
      .map((e) => (upper ? e.toUpperCase() : e))
      .join('');
  const u = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return [
    ['exact', key],
    ['upper case', key.toUpperCase()],
    ['mixed case', swap],
    ['base64', bytes.toString('base64')],
    ['base64url', bytes.toString('base64url')],
    ['Basic base64(user:key)', `Basic ${Buffer.from(`u:${key}`).toString('base64')}`],
    ['base64 at offset 2', Buffer.from(`ab${key}`).toString('base64')],
    ['hex', bytes.toString('hex')],
    ['HEX', bytes.toString('hex').toUpperCase()],
    ['url-encoded', encodeURIComponent(key)],
    ['%xx every byte', everyByte(true)],
    ['%xx every byte, lower case', everyByte(false)],
    ['%25xx (encoded twice)', everyByte(true).replace(/%/g, '%25')],
    ['JSON \\u escapes', [...key].map(u).join('')],
    ['JSON \\u escapes, half', [...key].map((c, i) => (i % 2 ? u(c) : c)).join('')],
    ['HTML decimal entities', [...key].map((c) => `&#${c.charCodeAt(0)};`).join('')],
    ['HTML hex entities', [...key].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('')],
    ['HTML named entity', key.replace(/_/g, '&lowbar;')],
    ['10 characters mid-text', `abc${secret.slice(5, 15)}xyz`],
    ['8 characters, upper case', `(${secret.slice(9, 17).toUpperCase()})`],
  ];
}
