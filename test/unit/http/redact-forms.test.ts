// The redactor against every form a server might echo the key in (safety-leak.ts echoForms), and the
// pieces of the boundary around it: server JSON decoded before redaction, inert text, the last pass.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inertBlock, inertLine } from '../../../src/http/inert.js';
import { createRedactor } from '../../../src/http/redact.js';
import { jsonDepth, MAX_JSON_DEPTH, serverJson } from '../../../src/http/server-json.js';
import { defuseCommands, safeReport, safeText } from '../../../src/report/safe-output.js';
import { echoForms, findLeaks } from '../../helpers/safety-leak.js';

const newKey = () => `hk_test_${randomBytes(16).toString('hex')}`;

describe('createRedactor finds the key in every form', () => {
  const key = newKey();
  const redact = createRedactor([key]);
  for (const [form, text] of echoForms(key)) {
    it(`${form}, alone and inside prose`, () => {
      // The leak scan finds it before redaction (it is a real form), and not after.
      expect(findLeaks(`before ${text} after`, key).length, 'the form is a leak').toBeGreaterThan(0);
      for (const around of [text, `before ${text} after`, `{"scopes":["${text}"]}`]) {
        const out = redact(around);
        expect(findLeaks(out, key), out).toEqual([]);
        expect(redact(out), 'idempotent').toBe(out);
      }
    });
  }

  it('keeps the prefix, short runs and unrelated text', () => {
    const secret = key.slice(8);
    expect(redact('keys look like hk_test_… and hk_live_…')).toBe('keys look like hk_test_… and hk_live_…');
    expect(redact(`ends ${secret.slice(0, 7)}!`)).toBe(`ends ${secret.slice(0, 7)}!`);
    expect(redact('%41%42 &amp; \\u0041 nothing here')).toBe('%41%42 &amp; \\u0041 nothing here');
  });

  it('masks the whole key, with its prefix, as the masked form', () => {
    expect(redact(`key=${key.toUpperCase()};`)).toBe(`key=hk_test_…${key.slice(-4)};`);
    expect(redact(`a ${'%' + [...Buffer.from(key)].map((b) => b.toString(16)).join('%')} b`)).toBe(`a hk_test_…${key.slice(-4)} b`);
  });

  it('finds a secret holding " and \\ when JSON.stringify echoed it (escaped), also across a JSON parse', () => {
    const odd = `tok"en\\${randomBytes(8).toString('hex')}`;
    const r = createRedactor([odd]);
    const echoed = JSON.stringify({ detail: `bad token ${odd}` });
    expect(r(echoed)).not.toContain(odd.slice(6, 14));
    expect(JSON.stringify(serverJson(echoed, r))).not.toContain(odd.slice(6, 14));
    expect((serverJson(echoed, r) as { detail: string }).detail).toBe('bad token tok…' + odd.slice(-4));
  });

  it('works for a secret that is not a Hokusai key (a token named by apiKeyEnv)', () => {
    const token = `ghp_${randomBytes(18).toString('base64url')}`;
    const r = createRedactor([token]);
    expect(r(`x ${token.slice(3, 14)} y`)).not.toContain(token.slice(3, 14));
    expect(r(Buffer.from(token).toString('hex'))).not.toContain(Buffer.from(token).toString('hex').slice(0, 20));
  });

  it('finds the key at the end of a long body full of escapes', () => {
    const body = `${'lorem %20 &amp; \\u0041 ipsum '.repeat(10_000)}${key}`;
    const out = redact(body);
    expect(out.endsWith(`hk_test_…${key.slice(-4)}`)).toBe(true);
  });

  it('masks a text cut short inside the key or its encodings, from 4 characters past the shown prefix', () => {
    const masked = `hk_test_…${key.slice(-4)}`;
    const b64 = (s: string) => Buffer.from(s).toString('base64').replace(/=+$/, '');
    // [the form, where 4 characters past the prefix end in it, the prefix alone in it]
    const forms: Array<[string, number, string]> = [
      [key, 12, key.slice(0, 8)],
      [encodeURIComponent(key), 12, key.slice(0, 8)],
      [Buffer.from(key).toString('base64'), b64(key.slice(0, 12)).length, b64('hk_test_')],
      [Buffer.from(key).toString('base64url'), b64(key.slice(0, 12)).length, b64('hk_test_')],
    ];
    for (const [form, from, prefix] of forms) {
      for (let n = from; n < form.length; n++) {
        const out = redact(`{"detail":"bad key ${form.slice(0, n)}`);
        expect(out, `${form.slice(0, n)}`).toBe(`{"detail":"bad key ${masked}`);
      }
      // The prefix, which the masked form shows anyway, is not a leak: left as it is.
      expect(redact(`cut at ${prefix}`)).toBe(`cut at ${prefix}`);
    }
  });
});

describe('createRedactor over many keys (the exporter: one per environment)', () => {
  // More keys than the process keeps compiled (64), each also in another redactor: every redactor
  // still finds each of its keys, and only its own.
  const keys = Array.from({ length: 70 }, newKey);
  const all = createRedactor([...keys, ...keys]);
  const one = keys.map((k) => createRedactor([k]));

  it('finds every key, whole, cut short and encoded, with duplicates given once', () => {
    for (const k of keys) {
      for (const text of [`a ${k} b`, `cut ${k.slice(0, 20)}`, Buffer.from(`u:${k}`).toString('base64')]) {
        const out = all(text);
        expect(findLeaks(out, k), out).toEqual([]);
      }
    }
  });

  it('keeps each redactor to its own key when used interleaved', () => {
    const text = keys.map((k) => `[${k}]`).join(' ');
    keys.forEach((k, i) => {
      const out = one[i]!(text);
      expect(findLeaks(out, k), `key ${i}`).toEqual([]);
      const other = keys[(i + 1) % keys.length]!;
      expect(out).toContain(other);
    });
  });
});

describe('server JSON', () => {
  const key = newKey();
  const redact = createRedactor([key]);
  it('is decoded first, then every string (keys too) is redacted and made single-line', () => {
    const escaped = [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const text = `{"scopes":["${escaped}","\\n::set-output name=verdict::pass\\n","\\u001b]8;;x\\u0007\\u202e"],"${escaped}":1,"__proto__":{"x":1}}`;
    const json = serverJson(text, redact) as Record<string, unknown>;
    const flat = JSON.stringify(json);
    expect(findLeaks(flat, key)).toEqual([]);
    const scopes = json.scopes as string[];
    expect(scopes[1]).toBe('\\n::set-output name=verdict::pass\\n');
    expect(scopes[2]).toBe('\\x1b]8;;x\\x07\\u202e');
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(Object.hasOwn(json, '__proto__')).toBe(true);
  });

  it(`refuses nesting past ${MAX_JSON_DEPTH} (read as not JSON), counting brackets outside strings only`, () => {
    expect(serverJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, redact)).toBeUndefined();
    expect(jsonDepth('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"[["}')).toBe(
      1,
    );
    expect(serverJson(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`, redact)).toBeDefined();
  });
});

describe('inert text', () => {
  it('shows C0, C1, ESC, DEL, bidi controls and line separators escaped', () => {
    expect(inertLine('a\nb\r\tc\u001b[2J\u009b\u007f\u202e\u2066\u2028')).toBe('a\\nb\\r\\tc\\x1b[2J\\x9b\\x7f\\u202e\\u2066\\u2028');
    expect(inertBlock('line 1\r\nline 2\n\u001b]0;title\u0007')).toBe('line 1\nline 2\n\\x1b]0;title\\x07');
  });

  it('the last pass defuses every line that would start a workflow command, whatever its indent', () => {
    expect(defuseCommands('ok\n::set-output name=x::y\n  ::error::z\nnot :: this')).toBe(
      'ok\n: :set-output name=x::y\n  : :error::z\nnot :: this',
    );
    const key = newKey();
    const out = safeText(`x ${key}\n\u001b[31mred\u001b[0m\u001b]8;;u\u0007`, createRedactor([key]), { keepColour: true });
    expect(out).toBe(`x hk_test_…${key.slice(-4)}\n\u001b[31mred\u001b[0m\\x1b]8;;u\\x07`);
  });

  it('keeps JSON and XML files valid', () => {
    const key = newKey();
    const json = safeText(JSON.stringify({ a: `\u0085 ${key} \u202e`, b: 'api_key=abc' }), createRedactor([key]), { format: 'json' });
    expect(JSON.parse(json)).toEqual({ a: `\u0085 hk_test_…${key.slice(-4)} \u202e`, b: 'api_key=<redacted>' });
    expect(json).not.toMatch(/[\u0085\u202e]/);
    expect(safeText('<x a="api_key=abc"/>', createRedactor([]), { format: 'xml' })).toBe('<x a="api_key=&lt;redacted&gt;"/>');
  });

  it('safeReport makes every string single-line except body excerpts', () => {
    const r = safeReport({ a: 'x\ny', list: ['\u001b[1m'], ex: { bodyExcerpt: 'l1\nl2\u0007' } }, createRedactor([]));
    expect(r).toEqual({ a: 'x\\ny', list: ['\\x1b[1m'], ex: { bodyExcerpt: 'l1\nl2\\x07' } });
  });
});
