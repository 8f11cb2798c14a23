// src/report/columns.ts against the libraries it stands in for: string-width measures what its fast
// path does not, and must agree where it does; wrap-ansi (hard: false, trim: true) is the word wrap
// the greedy wrap() replaced, kept here as the oracle.
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import wrapAnsi from 'wrap-ansi';
import { columns, cut, cutMiddle, wrap } from '../../../src/report/columns.js';

/** The code point ranges of columns.ts's NARROW class (kept in step with it by the first test). */
const NARROW_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e],
  [0xa0, 0xac],
  [0xae, 0x24f],
  [0x2010, 0x2027],
  [0x2030, 0x205e],
  [0x2190, 0x21ff],
  [0x2500, 0x25fc],
  [0x2800, 0x28ff],
  [0x2713, 0x2716],
];

/** Text as a report holds it: ASCII words, the report's symbols, and now and then what a server sent. */
const PIECES = [
  'a',
  'Z',
  '9',
  '-',
  '/',
  ':',
  '✔',
  '▲',
  '…',
  '·',
  '→',
  '⠋',
  'é',
  'ß',
  '漢',
  '字',
  '🙂',
  '👍🏽',
  'e\u0301',
  '\u200b',
  '\u00ad',
];
const word = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 12 }).map((p) => p.join(''));
const text = fc.array(word, { maxLength: 30 }).map((ws) => ws.join(' '));

describe('columns()', () => {
  it('every code point of the fast path is one column by string-width', () => {
    const wide: string[] = [];
    for (const [from, to] of NARROW_RANGES)
      for (let cp = from; cp <= to; cp++) if (stringWidth(String.fromCodePoint(cp)) !== 1) wide.push(cp.toString(16));
    expect(wide).toEqual([]);
    // And the class is what columns.ts uses: one code point past each end is measured by string-width.
    expect(columns('\u00ad')).toBe(stringWidth('\u00ad'));
    expect(columns('\u25fd')).toBe(2);
  });

  it('agrees with string-width on any text, coloured or not', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (t, colour) => {
        const s = colour ? `\u001b[31m${t}\u001b[39m` : t;
        expect(columns(s)).toBe(stringWidth(s));
      }),
      { numRuns: 400 },
    );
  });
});

describe('cut() and cutMiddle()', () => {
  it('fit the columns given, and leave text that fits as it is', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 40 }), (t, max) => {
        for (const cutText of [cut(t, max), cutMiddle(t, max)]) {
          expect(stringWidth(cutText)).toBeLessThanOrEqual(Math.max(max, max <= 1 ? 1 : 0));
          if (stringWidth(t) <= max) expect(cutText).toBe(t);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never split a grapheme: an accent stays on its letter, a skin tone on its hand', () => {
    expect(cut('ae\u0301bcdef', 3)).toBe('ae\u0301…');
    expect(cut('a👍🏽bcdef', 4)).toBe('a👍🏽…');
    expect(cut('a👍🏽bcdef', 3)).toBe('a…');
    expect(cutMiddle('abcdefgh', 5)).toBe('ab…gh');
  });
});

describe('wrap()', () => {
  it('wraps as wrap-ansi does (hard: false, trim: true) when the indents are equal', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 8 }), (t, width, indent) => {
        // A word of no width at all (a lone soft hyphen) loses its space in wrap-ansi: not a behaviour to copy.
        fc.pre(t.trim() !== '' && t.split(' ').every((w) => stringWidth(w) > 0));
        const oracle = wrapAnsi(t, Math.max(1, width - indent), { hard: false, trim: true })
          .split('\n')
          .map((l) => ' '.repeat(indent) + l);
        // wrap-ansi also normalises to NFC; wrap() leaves the text as it came.
        expect(wrap(t, width, indent).map((l) => l.normalize())).toEqual(oracle);
      }),
      { numRuns: 400 },
    );
  });

  it('fills the first line to its own room when the indents differ, and keeps a long word whole', () => {
    expect(wrap('Cause: the proxy answered 404 for the upload', 20, 2, 9)).toEqual([
      '  Cause: the proxy',
      '         answered',
      '         404 for the',
      '         upload',
    ]);
    const url = 'http://127.0.0.1:8080/api/mlflow/api/2.0/mlflow-artifacts/artifacts/1/run/probe.bin';
    expect(wrap(`upload via ${url} instead`, 30)).toEqual(['upload via', url, 'instead']);
    expect(wrap('   ', 30, 4)).toEqual(['    ']);
    expect(wrap('\u00ad a', 1)).toEqual(['\u00ad a']);
  });
});
