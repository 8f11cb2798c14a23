// `--listen` (src/exporter/listen.ts).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/config/errors.js';
import { listenUrl, parseListen } from '../../../src/exporter/listen.js';

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    [':9464', { port: 9464 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['exporter.monitoring.svc:80', { host: 'exporter.monitoring.svc', port: 80 }],
  ])('%s', (text, expected) => {
    expect(parseListen(text)).toEqual(expected);
  });

  it.each(['9464', 'localhost', '127.0.0.1:65536', '127.0.0.1:-1', '[nope]:1', 'a b:1', '::1:9464', 'http://127.0.0.1:9464', ''])(
    '%j: one-line usage error',
    (text) => {
      let error: unknown;
      try {
        parseListen(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).lines).toHaveLength(1);
      expect((error as UsageError).lines[0]).toMatch(/^--listen ".*": .+\(expected HOST:PORT/);
    },
  );

  it('builds the URL a client uses', () => {
    expect(listenUrl('::1', 9464)).toBe('http://[::1]:9464');
    expect(listenUrl('127.0.0.1', 80)).toBe('http://127.0.0.1:80');
  });
});
