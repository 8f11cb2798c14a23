// Views of a text that the redactor searches instead of (as well as) the text itself, each with a map
// from the view back to the original text: the redactor searches the view and masks the original span.
//
// - decodedView: the text once its escapes are undone: %xx, \uXXXX, \xXX, \" \\ \/, &#NN; &#xHH; and
//   common named HTML entities. A key written partly or wholly in escapes (in any mix) is found like a
//   plain one. Only escapes that decode to a character worth seeing (one of the secret's, one that may
//   start another escape, or one the normalised view drops or folds) are undone: any other character
//   breaks a run of the secret either way, and ordinary text (`%20`, `&nbsp;`) costs nothing.
// - normalisedView: the text as a person reads it: compatibility forms folded (NFKC: fullwidth `ｈｋ`,
//   mathematical digits) to the ASCII they stand for, invisible characters dropped (zero-width
//   characters, soft hyphens, BOMs, combining marks, C0/C1 controls and NULs — UTF-16 read as single
//   bytes), and all spacing collapsed (a key in spaced groups, or with a space between every character).

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
  const marks: Mark[] = [];
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
  return viewOf(pieces.join(''), marks);
}

/** Where a replaced span sits in the view and in the original text, and how long it is in each. */
interface Mark {
  view: number;
  orig: number;
  origLength: number;
  /** 0 for a dropped span. */
  viewLength: number;
}

function viewOf(text: string, marks: readonly Mark[]): DecodedView {
  const point = (v: number): [number, number] => {
    // The last mark at or before view index v (binary search; of two at one index, the later).
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
  return { text, toOriginal: (start, end) => [point(start)[0], point(end - 1)[1]] };
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', "'": "'" };
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  lowbar: '_',
  UnderBar: '_',
  hyphen: '-',
  dash: '-',
  period: '.',
  colon: ':',
  sol: '/',
  bsol: '\\',
  equals: '=',
  plus: '+',
  percnt: '%',
  num: '#',
  excl: '!',
  quest: '?',
  commat: '@',
  dollar: '$',
  lpar: '(',
  rpar: ')',
  ast: '*',
  comma: ',',
  semi: ';',
  lsqb: '[',
  rsqb: ']',
  lcub: '{',
  rcub: '}',
  verbar: '|',
  Hat: '^',
  grave: '`',
  tilde: '~',
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

// ── The text as a person reads it ───────────────────────────────────────────────────────────────

/** What a person reads for a character: undefined (itself), '' (nothing: invisible), ' ' (spacing), or ASCII it stands for. */
export type Reading = string | undefined;

export const INVISIBLE = '';
export const SPACING = ' ';

// Readings of the non-ASCII characters met so far: Unicode data (NFKC, properties) is asked once per
// character a process sees, not once per occurrence. BMP in a table, the rest in a map.
const BMP_KNOWN = new Uint8Array(0x10000);
const BMP_READING: Array<string | undefined> = [];
const ASTRAL = new Map<number, Reading>();
const DROPPED = /^[\p{Cc}\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}]$/u;
const SPACE = /^\s$/u;
const ASCII_READING = /^[\x20-\x7e]+$/;

/**
 * How a person reads code point `cp`: ASCII controls (NUL included) are invisible and ASCII spaces are
 * spacing; outside ASCII, spaces are spacing, controls, default-ignorable characters (zero-width
 * characters, soft hyphen, BOM, variation selectors, tags) and combining marks are invisible, and a
 * character whose NFKC form is ASCII (fullwidth forms, mathematical alphanumerics, ligatures) reads
 * as that ASCII, spaces removed.
 */
export function readingOf(cp: number): Reading {
  if (cp < 0x80) return cp <= 0x20 || cp === 0x7f ? (cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) ? SPACING : INVISIBLE) : undefined;
  if (cp < 0x10000) {
    if (BMP_KNOWN[cp] === 0) {
      BMP_READING[cp] = classify(cp);
      BMP_KNOWN[cp] = 1;
    }
    return BMP_READING[cp];
  }
  if (!ASTRAL.has(cp)) ASTRAL.set(cp, classify(cp));
  return ASTRAL.get(cp);
}

function classify(cp: number): Reading {
  const c = String.fromCodePoint(cp);
  if (SPACE.test(c)) return SPACING;
  if (DROPPED.test(c)) return INVISIBLE;
  const folded = c.normalize('NFKC');
  if (folded === c || !ASCII_READING.test(folded)) return undefined;
  const bare = folded.replace(/ /g, '');
  return bare === '' ? SPACING : bare;
}

/**
 * The text as a person reads it (see readingOf): undefined when it reads as it is written. Runs of
 * dropped characters become one mark, so a key with a space between every character costs a mark per
 * gap, not per character of the text.
 */
export function normalisedView(text: string): DecodedView | undefined {
  let pieces: string[] | undefined;
  const marks: Mark[] = [];
  let last = 0;
  let viewLength = 0;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) {
      i++;
      continue;
    }
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) [cp, width] = [((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000, 2];
    }
    const reading = readingOf(cp);
    if (reading === undefined) {
      i += width;
      continue;
    }
    pieces ??= [];
    const shown = reading === SPACING ? INVISIBLE : reading;
    const before = text.slice(last, i);
    viewLength += before.length;
    const previous = marks.at(-1);
    if (shown === '' && before === '' && previous !== undefined && previous.viewLength === 0 && previous.orig + previous.origLength === i) {
      previous.origLength += width;
    } else {
      pieces.push(before, shown);
      marks.push({ view: viewLength, orig: i, origLength: width, viewLength: shown.length });
    }
    viewLength += shown.length;
    i += width;
    last = i;
  }
  if (pieces === undefined) return undefined;
  pieces.push(text.slice(last));
  return viewOf(pieces.join(''), marks);
}
