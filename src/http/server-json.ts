// A server's JSON answer as the program may hold it: parsed from the raw text (so escapes are
// decoded first), refused past a nesting depth no MLflow, auth or health answer comes near, and
// every string in it — keys and values — redacted and made single-line and inert.
import { inertLine } from './inert.js';
import type { Redactor } from './redact.js';

/** Deeper than this is not an answer of the platform; it is read as not JSON (a finding, not a crash). */
export const MAX_JSON_DEPTH = 64;

export function serverJson(text: string, redact: Redactor): unknown {
  if (text.length === 0 || jsonDepth(text) > MAX_JSON_DEPTH) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return clean(parsed, (s) => inertLine(redact(s)));
}

/** Deepest nesting of arrays/objects, counted without parsing (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

function clean(value: unknown, fix: (s: string) => string): unknown {
  if (typeof value === 'string') return fix(value);
  if (Array.isArray(value)) return value.map((v) => clean(v, fix));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties: a "__proto__" key stays a key, never a prototype.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [fix(k), clean(v, fix)]));
  }
  return value;
}
