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
  const leaks: Leak[] = [];
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
