// Server text is data: before it is stored (src/http/client.ts) and again before any writer emits it
// (src/report/safe-output.ts), the characters a terminal or a CI log would act on are shown escaped —
// C0 and C1 controls (ESC, so no escape sequence survives), DEL, bidirectional overrides and marks,
// and the Unicode line and paragraph separators.

// C0 except \t and \n, DEL, C1, ALM, LRM/RLM, LS/PS, LRE…RLO, LRI…PDI.
const CONTROL_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A single-line field (a status text, a header, a JSON string): every control shown escaped, newlines included. */
export function inertLine(text: string): string {
  return text.replace(CONTROL_LINE, shown);
}

/** A multi-line text (a body excerpt): newlines and tabs kept, CRLF read as LF, every other control shown escaped. */
export function inertBlock(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CONTROL_BLOCK, shown);
}

/** `\n`, `\r`, `\t`, `\x1b`, `\u202e`: what the character was, readable and inert. */
export function shown(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
