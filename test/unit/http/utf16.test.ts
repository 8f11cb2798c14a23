// A body in UTF-16 (a Windows or .NET service, an IIS error page) is text, decoded as UTF-16 so that
// the redactor and a reader see its characters, not bytes with NULs between them; binary stays binary.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeText, looksBinary } from '../../../src/http/body.js';

const TEXT = '{"detail":"Zugriff verweigert — ключ недействителен"}';
const le = Buffer.from(TEXT, 'utf16le');
const be = Buffer.from(le).swap16();
const bom = (b: number[], body: Buffer) => Buffer.concat([Buffer.from(b), body]);

describe('decodeText', () => {
  it.each([
    ['UTF-16LE with a BOM', bom([0xff, 0xfe], le), 'utf-16le'],
    ['UTF-16BE with a BOM', bom([0xfe, 0xff], be), 'utf-16be'],
    ['UTF-16LE without a BOM', le, 'utf-16le'],
    ['UTF-16BE without a BOM', be, 'utf-16be'],
  ])('%s: decoded as such, not binary, and flagged as not UTF-8', (_name, bytes, encoding) => {
    const decoded = decodeText(bytes, false);
    expect(decoded).toEqual({ text: TEXT, invalidUtf8: true, encoding });
    expect(looksBinary(bytes, decoded.text)).toBe(false);
  });

  it('a body cut inside a character decodes what arrived', () => {
    const cut = le.subarray(0, 21);
    expect(decodeText(cut, true).text).toBe(TEXT.slice(0, 10));
  });

  it('UTF-8 stays UTF-8; binary and UTF-32 are not taken for UTF-16', () => {
    expect(decodeText(Buffer.from(TEXT), false)).toEqual({ text: TEXT, invalidUtf8: false });
    const gzip = gzipSync(Buffer.from(TEXT.repeat(20)));
    expect(decodeText(gzip, false).encoding).toBeUndefined();
    expect(looksBinary(gzip, decodeText(gzip, false).text)).toBe(true);
    const utf32 = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('a\0\0\0b\0\0\0', 'latin1')]);
    expect(decodeText(utf32, false).encoding).toBeUndefined();
    expect(looksBinary(utf32, decodeText(utf32, false).text)).toBe(true);
    // Little-endian 16-bit numbers below 256 have the rhythm, and read as controls: binary.
    const numbers = Buffer.from(Uint16Array.from({ length: 64 }, (_, i) => i % 32).buffer);
    expect(looksBinary(numbers, decodeText(numbers, false).text)).toBe(true);
  });
});
