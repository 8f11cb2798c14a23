import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/config/errors.js';
import { parseSize } from '../../../src/config/sizes.js';

describe('parseSize', () => {
  it.each([
    ['123', 123],
    ['0', 0],
    ['1B', 1],
    ['64KiB', 65_536],
    ['4KiB', 4096],
    ['200MiB', 209_715_200],
    ['1GiB', 1_073_741_824],
    ['1.5KiB', 1536],
    ['1KB', 1000],
    ['1MB', 1_000_000],
    ['2GB', 2_000_000_000],
    ['1mib', 1_048_576],
    ['10 MiB', 10_485_760],
  ])('reads %j as %i bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'big', '-1', '1.5.2MiB', '1XB', 'MiB', '1 Mi B'])('refuses %j with one line naming the value', (text) => {
    expect(() => parseSize(text)).toThrow(UsageError);
    expect(() => parseSize(text)).toThrow(`invalid size ${JSON.stringify(text)}`);
  });

  it('calls a lone "M" ambiguous and offers both readings', () => {
    expect(() => parseSize('200M')).toThrow('"M" is ambiguous: did you mean MiB (1024-based) or MB (1000-based)?');
  });

  it('refuses a size beyond what a number can count exactly', () => {
    expect(() => parseSize('99999999TiB')).toThrow('too large');
  });
});
