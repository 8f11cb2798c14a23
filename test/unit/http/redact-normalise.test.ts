// The key written to be read by a person but missed by a byte match: zero-width characters or soft
// hyphens between its characters, fullwidth (or other compatibility) forms, spaced groups, spaces
// between every character, UTF-16 bytes read as single bytes. The redactor matches a normalised view
// (NFKC, invisible characters and NULs dropped, spacing collapsed) and masks the matched span of the
// original text, so everything around it reads as before.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/http/redact.js';
import { findLeaks } from '../../helpers/safety-leak.js';

const key = `hk_test_${randomBytes(16).toString('hex')}`;
const masked = `hk_test_…${key.slice(-4)}`;
const secret = key.slice(8);
const redact = createRedactor([key]);

const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];
const fullwidth = (s: string) => [...s].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
const groups = (s: string, n: number) => s.match(new RegExp(`.{1,${n}}`, 'g'))!.join(' ');

/** What a person reads: compatibility forms folded, invisible characters and NULs gone, no spacing. */
function asRead(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u0000\u00ad\u200b-\u200d\u2060\ufeff]|\\x00|\\u0000/g, '')
    .replace(/\s+/g, '');
}

const FORMS: Array<[string, string]> = [
  ...INVISIBLE.map((c): [string, string] => [
    `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} between every character`,
    [...key].join(c),
  ]),
  ['U+200B in the secret part only', `hk_test_${[...secret].join('\u200b')}`],
  ['zero-width joiners every 3 characters', key.replace(/(.{3})/g, '$1\u200d')],
  ['fullwidth', fullwidth(key)],
  ['fullwidth secret part, every other character', `hk_test_${[...secret].map((c, i) => (i % 2 ? fullwidth(c) : c)).join('')}`],
  ['fullwidth with soft hyphens', [...fullwidth(key)].join('\u00ad')],
  ['mathematical bold digits and letters', [...key].map((c) => (/[0-9]/.test(c) ? String.fromCodePoint(0x1d7ce + Number(c)) : c)).join('')],
  ['spaced groups of 4', `hk_test_ ${groups(secret, 4)}`],
  ['spaced groups of 4, upper case', `HK_TEST_ ${groups(secret.toUpperCase(), 4)}`],
  ['a space between every character', [...key].join(' ')],
  ['no-break spaces between groups of 2', `hk_test_\u00a0${groups(secret, 2).replace(/ /g, '\u00a0')}`],
  ['tabs and newlines between groups of 8', `hk_test_\n${groups(secret, 8).replace(/ /g, '\t')}`],
  ['hex dump, spaced bytes', [...Buffer.from(key)].map((b) => b.toString(16).padStart(2, '0')).join(' ')],
  ['UTF-16LE bytes read as latin1', Buffer.from(key, 'utf16le').toString('latin1')],
  ['UTF-16BE bytes read as latin1', Buffer.from(key, 'utf16le').swap16().toString('latin1')],
  ['UTF-16LE with a BOM, read as UTF-8', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(key, 'utf16le')]).toString('utf8')],
];

describe('createRedactor finds the key written to fool a byte match', () => {
  for (const [name, form] of FORMS) {
    it(`${name}: the span is masked, the text around it kept`, () => {
      expect(findLeaks(asRead(`before ${form} after`), key).length, 'the form reads as the key').toBeGreaterThan(0);
      const out = redact(`before ${form} after`);
      expect(findLeaks(asRead(out), key), out).toEqual([]);
      expect(out.startsWith('before ')).toBe(true);
      expect(out.endsWith(' after')).toBe(true);
      expect(out).toContain(masked);
      expect(redact(out), 'idempotent').toBe(out);
    });
  }

  it('masks exactly the span that held the key', () => {
    expect(redact(`a ${[...key].join('\u200b')} b`)).toBe(`a ${masked} b`);
    expect(redact(`{"k":"${fullwidth(key)}","n":1}`)).toBe(`{"k":"${masked}","n":1}`);
    expect(redact(`key: hk_test_ ${groups(secret, 4)}.`)).toBe(`key: ${masked}.`);
    expect(redact(`x ${[...secret.slice(4, 16)].join(' ')} y`)).toBe(`x ${masked} y`);
  });

  it('also inside escapes: fullwidth characters written as \\u escapes', () => {
    const escaped = [...fullwidth(key)].map((c) => `\\u${c.charCodeAt(0).toString(16)}`).join('');
    const out = redact(`{"detail":"${escaped}"}`);
    expect(out).toBe(`{"detail":"${masked}"}`);
  });

  it('leaves ordinary text alone: prose, spaced words, non-Latin text, invisible characters without a key', () => {
    const texts = [
      `the quick brown fox ${secret.slice(0, 4)} jumps ${secret.slice(20, 23)} over`,
      'Die Anfrage ist ungültig — bitte prüfen Sie den Schlüssel. 日本語のエラーメッセージです。',
      'ｆｕｌｌｗｉｄｔｈ text, soft\u00adhyphen, zero\u200bwidth, a b c d e f g h i j',
      `hex ${[...Buffer.from('not the key at all')].map((b) => b.toString(16)).join(' ')}`,
    ];
    for (const text of texts) expect(redact(text)).toBe(text);
  });
});
