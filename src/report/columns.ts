// Terminal columns: the one owner of how wide text is on a terminal. Server text may hold wide
// characters (CJK, emoji: two columns) and zero-width ones; counting code points would misalign the
// matrix and overrun the line. string-width measures, wrap-ansi wraps, and cut() ends on a whole
// grapheme within the columns it is given.
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

/** How many columns `s` takes on a terminal (ANSI colour codes take none). */
export function columns(s: string): number {
  return stringWidth(s);
}

/** `s` padded with spaces to `width` columns (never cut). */
export function padColumns(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - columns(s)));
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` in at most `max` columns, ending with '…' when cut; never splits a grapheme. */
export function cut(text: string, max: number): string {
  if (columns(text) <= max) return text;
  if (max <= 1) return max === 1 ? '…' : '';
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
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
  const parts = [...graphemes.segment(text)].map((g) => g.segment);
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
 * Word-wraps `text` to `width` columns, the first line indented by `first`, the others by `rest`.
 * A word longer than a line (a URL, VAR=value) keeps a line of its own, whole: it stays copyable.
 */
export function wrap(text: string, width: number, first = 0, rest = first): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [' '.repeat(first)];
  // The first line's room, then the others': wrap-ansi wraps to one width, so the first line is
  // wrapped alone when the indents differ.
  const head = wrapAnsi(words.join(' '), Math.max(1, width - first), { hard: false, trim: true }).split('\n');
  if (first === rest || head.length === 1) return head.map((l, i) => ' '.repeat(i === 0 ? first : rest) + l);
  const firstLine = head[0]!;
  const remaining = words.join(' ').slice(firstLine.length).trim();
  const tail = wrapAnsi(remaining, Math.max(1, width - rest), { hard: false, trim: true }).split('\n');
  return [' '.repeat(first) + firstLine, ...tail.map((l) => ' '.repeat(rest) + l)];
}
