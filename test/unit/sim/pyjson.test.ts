// Python's json.dumps / repr, as the simulated servers need them.
import { describe, expect, it } from 'vitest';
import { PyFloat, pyFloatRepr, pyJsonDumps, pyRepr } from '../../../src/sim/http/pyjson.js';

describe('pyJsonDumps', () => {
  it('writes Flask pretty bodies, MLflow compact errors and FastAPI compact JSON', () => {
    const v = { a: [1, { b: 'x' }], e: [], o: {} };
    expect(pyJsonDumps(v, { indent: 2 })).toBe('{\n  "a": [\n    1,\n    {\n      "b": "x"\n    }\n  ],\n  "e": [],\n  "o": {}\n}');
    expect(pyJsonDumps({ error_code: 'X', message: 'm' })).toBe('{"error_code": "X", "message": "m"}');
    expect(pyJsonDumps({ detail: 'é', n: [1, 2] }, { separators: [',', ':'], ensureAscii: false })).toBe('{"detail":"é","n":[1,2]}');
  });

  it('escapes non-ASCII and control characters the way Python does', () => {
    expect(pyJsonDumps('é\u007f😀\n\u0001"')).toBe('"\\u00e9\\u007f\\ud83d\\ude00\\n\\u0001\\""');
  });

  it('leaves out undefined members (unset proto fields)', () => {
    expect(pyJsonDumps({ a: undefined, b: 1 })).toBe('{"b": 1}');
  });

  it('prints floats with repr()', () => {
    expect(pyJsonDumps({ v: new PyFloat(1) })).toBe('{"v": 1.0}');
    expect([0.25, 1e-5, 0.0001, 1e16, 1234567890123456, -2.5, 0, 1e22, 123.456].map(pyFloatRepr)).toEqual([
      '0.25',
      '1e-05',
      '0.0001',
      '1e+16',
      '1234567890123456.0',
      '-2.5',
      '0.0',
      '1e+22',
      '123.456',
    ]);
    expect([NaN, Infinity].map(pyFloatRepr)).toEqual(['NaN', 'Infinity']);
  });
});

describe('pyRepr', () => {
  it('renders values as Python would in an f-string message', () => {
    expect(pyRepr('a')).toBe("'a'");
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(pyRepr([1, 'x', null, true])).toBe("[1, 'x', None, True]");
    expect(pyRepr({ k: 1.5 })).toBe("{'k': 1.5}");
  });
});
