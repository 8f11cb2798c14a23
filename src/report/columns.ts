// Terminal columns: the one owner of how wide text is on a terminal. Server text may hold wide
// characters (CJK, emoji: two columns) and zero-width ones; counting code points would misalign the
// matrix and overrun the line. string-width measures, and cut() ends on a whole grapheme within the
// columns it is given.
//
// Most text here is ASCII and the report's own symbols (✔ ▲ … · →), each one column and one
// grapheme: such text is measured by its length, and string-width is used for anything else. Its
// module start alone compiles \p{RGI_Emoji} with the v flag and an Intl.Segmenter, ~40 ms of CPU per
// check (bench/README.md, figure 3), so the bundle evaluates it on first use only (build.mjs,
// lazyDependencies). test/unit/report/columns.test.ts holds the fast path to string-width: every
// code point NARROW admits is one column by string-width, and on any text columns() agrees with it.
import stringWidth from 'string-width';

/**
 * Code points that are one column wide and a grapheme each whatever follows them (no combining
 * marks, no joiners, no emoji presentation): printable ASCII, Latin-1 but the soft hyphen, Latin
 * Extended-A/B, general punctuation, arrows, box drawing, block elements and geometric shapes (but
 * ◽◾), Braille (the spinner), ✓✔✕✖.
 */
const NARROW = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u024f\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u25fc\u2800-\u28ff\u2713-\u2716]*$/;
/** SGR colour codes, which take no columns (the only escapes the reports write). */
const SGR = /\u001b\[[0-9;]*m/g;

/** `s` with colour codes removed, when every code point left is NARROW; else undefined. */
function narrowText(s: string): string | undefined {
  const plain = s.includes('\u001b') ? s.replace(SGR, '') : s;
  return NARROW.test(plain) ? plain : undefined;
}

/** How many columns `s` takes on a terminal (ANSI colour codes take none). */
export function columns(s: string): number {
  return narrowText(s)?.length ?? stringWidth(s);
}

/** `s` padded with spaces to `width` columns (never cut). */
export function padColumns(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - columns(s)));
}

let segmenter: Intl.Segmenter | undefined;
/** `text`'s graphemes: its code units when it is NARROW (each is one), else by Intl.Segmenter (made on first use). */
function graphemesOf(text: string): string[] {
  if (narrowText(text) === text) return text.split('');
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return [...segmenter.segment(text)].map((g) => g.segment);
}

/** `text` in at most `max` columns, ending with '…' when cut; never splits a grapheme. */
export function cut(text: string, max: number): string {
  if (columns(text) <= max) return text;
  if (max <= 1) return max === 1 ? '…' : '';
  let out = '';
  let used = 0;
  for (const segment of graphemesOf(text)) {
    const w = columns(segment);
    if (used + w > max - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** `text` in at most `max` columns, cut in the middle ('front…back') when it must be. */
export function cutMiddle(text: string, max: number): string {
  if (columns(text) <= max) return text;
  if (max <= 1) return '…';
  const parts = graphemesOf(text);
  const room = max - 1;
  let front = '';
  let back = '';
  let used = 0;
  for (let i = 0, j = parts.length - 1; i <= j;) {
    const takeFront = columns(front) <= columns(back);
    const piece = takeFront ? parts[i]! : parts[j]!;
    const w = columns(piece);
    if (used + w > room) break;
    used += w;
    if (takeFront) {
      front += piece;
      i++;
    } else {
      back = piece + back;
      j--;
    }
  }
  return `${front}…${back}`;
}

/**
 * Word-wraps `text` to `width` columns, the first line indented by `first`, the others by `rest`:
 * greedy, at whitespace, each line filled as far as its room goes. A word longer than a line (a URL,
 * VAR=value) keeps a line of its own, whole: it stays copyable.
 */
export function wrap(text: string, width: number, first = 0, rest = first): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [' '.repeat(first)];
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const word of words) {
    const w = columns(word);
    const room = Math.max(1, width - (lines.length === 0 ? first : rest));
    if (line !== '' && used > 0 && used + 1 + w > room) {
      lines.push(line);
      line = '';
      used = 0;
    }
    if (line === '') {
      line = word;
      used = w;
    } else {
      line = `${line} ${word}`;
      used += 1 + w;
    }
  }
  lines.push(line);
  return lines.map((l, i) => ' '.repeat(i === 0 ? first : rest) + l);
}
