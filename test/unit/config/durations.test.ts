import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/config/durations.js';
import { UsageError } from '../../../src/config/errors.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
    ['1m500ms', 60_500],
    ['1.5s', 1500],
    ['0', 0],
    ['0s', 0],
    ['30', 30_000],
    ['2.5', 2500],
    [' 10s ', 10_000],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'abc', '10x', '-1s', '10 s', '1h 30m', 's', '10S', '1m1m', '.5s', '1e3', '10sec'])(
    'refuses %j with one line naming the value and the expected forms',
    (text) => {
      let error: unknown;
      try {
        parseDuration(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UsageError);
      const lines = (error as UsageError).lines;
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`invalid duration ${JSON.stringify(text)}`);
      expect(lines[0]).toContain('1h30m');
    },
  );

  it('never echoes a value shaped like an API key', () => {
    const key = `hk_test_${Math.random().toString(36).slice(2)}`;
    expect(() => parseDuration(key)).toThrow(UsageError);
    expect(() => parseDuration(key)).not.toThrow(key);
  });
});
