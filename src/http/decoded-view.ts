// The text a reader would see once the escapes in it are undone: %xx, \uXXXX, \xXX, \" \\ \/,
// &#NN; &#xHH; and common named HTML entities — with a map from the view back to the original text.
// The redactor searches the view and masks the original span, so a key written partly or wholly in
// escapes (in any mix) is found like a plain one. Only escapes that decode to a character worth
// seeing (one of the secret's, or one that may start another escape) are undone: any other character
// breaks a run of the secret either way, and ordinary text (`%20`, `&nbsp;`) costs nothing.

export interface DecodedView {
  text: string;
  /** The original span [start, end) that view span [start, end) came from. */
  toOriginal(start: number, end: number): [number, number];
}

const ESCAPE = /%[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\["\\/']|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});?/g;
const MAY_ESCAPE = /[%\\&]/;

/** Characters that start or make up an escape: kept decoded, so an escape inside an escape is undone next round. */
const ESCAPE_CHARS = '%\\&#;xuXU0123456789abcdefABCDEF';

/** undefined when no escape in the text decodes to a character `keep` accepts. */
export function decodedView(text: string, keep: (c: string) => boolean): DecodedView | undefined {
  if (!MAY_ESCAPE.test(text)) return undefined;
  const pieces: string[] = [];
  // For each decoded escape: where it sits in the view and in the original, and its lengths.
  const marks: Array<{ view: number; orig: number; origLength: number; viewLength: number }> = [];
  let last = 0;
  let viewLength = 0;
  ESCAPE.lastIndex = 0;
  for (let m = ESCAPE.exec(text); m !== null; m = ESCAPE.exec(text)) {
    const char = decode(m[0]);
    if (char === undefined || !(keep(char) || ESCAPE_CHARS.includes(char))) continue;
    const before = text.slice(last, m.index);
    pieces.push(before, char);
    viewLength += before.length;
    marks.push({ view: viewLength, orig: m.index, origLength: m[0].length, viewLength: char.length });
    viewLength += char.length;
    last = m.index + m[0].length;
  }
  if (marks.length === 0) return undefined;
  pieces.push(text.slice(last));
  const point = (v: number): [number, number] => {
    // The last escape at or before view index v (binary search).
    let lo = 0;
    let hi = marks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid]!.view <= v) [found, lo] = [mid, mid + 1];
      else hi = mid - 1;
    }
    if (found < 0) return [v, v + 1];
    const k = marks[found]!;
    if (v < k.view + k.viewLength) return [k.orig, k.orig + k.origLength];
    const o = k.orig + k.origLength + (v - k.view - k.viewLength);
    return [o, o + 1];
  };
  return { text: pieces.join(''), toOriginal: (start, end) => [point(start)[0], point(end - 1)[1]] };
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', "'": "'" };
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", lowbar: '_', UnderBar: '_', hyphen: '-', dash: '-', period: '.',
  colon: ':', sol: '/', bsol: '\\', equals: '=', plus: '+', percnt: '%', num: '#', excl: '!', quest: '?', commat: '@',
  dollar: '$', lpar: '(', rpar: ')', ast: '*', comma: ',', semi: ';', lsqb: '[', rsqb: ']', lcub: '{', rcub: '}',
  verbar: '|', Hat: '^', grave: '`', tilde: '~',
};

function decode(escape: string): string | undefined {
  const c = escape[0];
  if (c === '%') return String.fromCharCode(parseInt(escape.slice(1), 16));
  if (c === '\\') {
    const kind = escape[1]!;
    if (kind === 'u' || kind === 'x') return String.fromCharCode(parseInt(escape.slice(2), 16));
    return SIMPLE_ESCAPES[kind];
  }
  const body = escape.slice(1).replace(/;$/, '');
  if (body.startsWith('#x') || body.startsWith('#X')) return codePoint(parseInt(body.slice(2), 16));
  if (body.startsWith('#')) return codePoint(Number(body.slice(1)));
  return NAMED[body];
}

function codePoint(n: number): string | undefined {
  return n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}
