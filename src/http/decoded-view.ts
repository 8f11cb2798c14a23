// The text a reader would see once the escapes in it are undone: %xx, \uXXXX, \xXX, \" \\ \/,
// &#NN; &#xHH; and common named HTML entities — with, for every decoded character, the span of the
// original text it came from. The redactor searches the view and masks the original span, so a key
// written partly or wholly in escapes (in any mix) is found like a plain one.

export interface DecodedView {
  text: string;
  /** Original index where decoded character i starts. */
  start: number[];
  /** Original index just past decoded character i. */
  end: number[];
}

const MAY_ESCAPE = /[%\\&]/;

/** undefined when the text holds no escape at all (the common case: nothing to build). */
export function decodedView(text: string): DecodedView | undefined {
  if (!MAY_ESCAPE.test(text)) return undefined;
  const out: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  let changed = false;
  for (let i = 0; i < text.length; ) {
    const hit = escapeAt(text, i);
    if (hit) {
      // An astral character decodes to two code units: both map to the same span.
      for (const unit of hit.char.split('')) {
        out.push(unit);
        start.push(i);
        end.push(i + hit.length);
      }
      i += hit.length;
      changed = true;
    } else {
      out.push(text[i]!);
      start.push(i);
      end.push(i + 1);
      i += 1;
    }
  }
  return changed ? { text: out.join(''), start, end } : undefined;
}

/** A view of a view, mapped back onto the original text (`%255F`, a JSON string inside JSON). */
export function compose(outer: DecodedView, inner: DecodedView): DecodedView {
  return {
    text: inner.text,
    start: inner.start.map((s) => outer.start[s]!),
    end: inner.end.map((e) => outer.end[e - 1]!),
  };
}

const HEX2 = /^[0-9a-fA-F]{2}$/;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const ENTITY = /^&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]{2,8}));?/;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', "'": "'" };
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", lowbar: '_', UnderBar: '_', hyphen: '-', dash: '-', period: '.',
  colon: ':', sol: '/', bsol: '\\', equals: '=', plus: '+', percnt: '%', num: '#', excl: '!', quest: '?', commat: '@',
  dollar: '$', lpar: '(', rpar: ')', ast: '*', comma: ',', semi: ';', lsqb: '[', rsqb: ']', lcub: '{', rcub: '}',
  verbar: '|', Hat: '^', grave: '`', tilde: '~', nbsp: ' ',
};

function escapeAt(text: string, i: number): { char: string; length: number } | undefined {
  const c = text[i];
  if (c === '%') {
    const hex = text.slice(i + 1, i + 3);
    return HEX2.test(hex) ? { char: String.fromCharCode(parseInt(hex, 16)), length: 3 } : undefined;
  }
  if (c === '\\') {
    const next = text[i + 1];
    if (next === 'u') {
      const hex = text.slice(i + 2, i + 6);
      return HEX4.test(hex) ? { char: String.fromCharCode(parseInt(hex, 16)), length: 6 } : undefined;
    }
    if (next === 'x') {
      const hex = text.slice(i + 2, i + 4);
      return HEX2.test(hex) ? { char: String.fromCharCode(parseInt(hex, 16)), length: 4 } : undefined;
    }
    const simple = next === undefined ? undefined : SIMPLE_ESCAPES[next];
    return simple === undefined ? undefined : { char: simple, length: 2 };
  }
  if (c === '&') {
    const m = ENTITY.exec(text.slice(i, i + 12));
    if (!m) return undefined;
    const code = m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? parseInt(m[2], 16) : undefined;
    if (code !== undefined) return code <= 0x10ffff ? { char: String.fromCodePoint(code), length: m[0].length } : undefined;
    const named = NAMED[m[3]!];
    return named === undefined ? undefined : { char: named, length: m[0].length };
  }
  return undefined;
}
