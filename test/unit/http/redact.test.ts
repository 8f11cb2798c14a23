import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedactor, redactedExcerpt, redactHeaders } from '../../../src/http/redact.js';
import { ApiKey } from '../../../src/http/secret.js';
import { client, startHttp, testKey, type TestServer } from './servers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ApiKey', () => {
  it('masks as its prefix and last 4 characters however it is printed', () => {
    const key = testKey();
    const masked = `hk_test_…${key.value.slice(-4)}`;
    expect(key.masked()).toBe(masked);
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- printing the key in a template is what this checks
    expect(`${key}`).toBe(masked);
    expect(JSON.stringify({ key })).toBe(JSON.stringify({ key: masked }));
    expect(inspect(key)).not.toContain(key.value);
    expect(inspect({ nested: { key } })).toContain(masked);
    expect(key.value.startsWith('hk_test_')).toBe(true);
  });

  it('uses the live prefix, or the first 3 characters of an unknown kind of key', () => {
    const live = new ApiKey(`hk_live_${'q'.repeat(20)}wxyz`);
    expect(live.masked()).toBe('hk_live_…wxyz');
    expect(new ApiKey(`abcdefghijklmnopqrstuvwxyz`).masked()).toBe('abc…wxyz');
    expect(new ApiKey('short').masked()).toBe('<redacted>');
  });
});

describe('createRedactor', () => {
  const key = testKey();
  const redact = createRedactor([key.value]);
  const masked = key.masked();

  it.each([
    ['plain', (k: string) => `{"detail":"bad key ${k}"}`],
    ['base64', (k: string) => Buffer.from(k).toString('base64')],
    ['base64url', (k: string) => Buffer.from(k).toString('base64url')],
    ['base64 inside Basic credentials', (k: string) => `Basic ${Buffer.from(`user:${k}`).toString('base64')}`],
    ['base64 inside a longer blob', (k: string) => Buffer.from(`xy${k}trailing`).toString('base64')],
    ['URL-encoded', (k: string) => encodeURIComponent(`${k}/+=`).replace(/%2F/g, '%2f')],
    ['in a query', (k: string) => `https://h/p?api_key=${k}&x=1`],
  ])('removes the key written %s', (_name, form) => {
    const text = form(key.value);
    const out = redact(text);
    expect(out).not.toContain(key.value);
    expect(out).not.toContain(Buffer.from(key.value).toString('base64').slice(4, 30));
  });

  it('replaces the literal key and its whole encodings with its masked form', () => {
    expect(redact(`key=${key.value};`)).toBe(`key=${masked};`);
    expect(redact(`"${Buffer.from(key.value).toString('base64')}"`)).toBe(`"${masked}"`);
    expect(redact(`"${Buffer.from(key.value).toString('base64url')}"`)).toBe(`"${masked}"`);
  });

  it('masks tokens that are not ours: Bearer, ApiKey, api_key=, x-api-key, access_token', () => {
    const other = 'sk_9f8e7d6c5b4a39281706';
    const r = createRedactor([]);
    expect(r(`Authorization: Bearer ${other}`)).toBe('Authorization: Bearer sk_…1706');
    expect(r(`ApiKey ${other}`)).toBe('ApiKey sk_…1706');
    expect(r(`/x?api_key=${other}&b=2`)).toBe('/x?api_key=sk_…1706&b=2');
    expect(r(`{"x-api-key": "${other}"}`)).toBe('{"x-api-key": "sk_…1706"}');
    expect(r(`access_token=${other}`)).toBe('access_token=sk_…1706');
  });

  it('leaves prose and unrelated parameters alone', () => {
    const r = createRedactor([]);
    const prose = '{"detail":"Bearer token required"} WWW-Authenticate: Bearer realm="api" page_token=abcdefghijklmnopqrstuvwxyz0123';
    expect(r(prose)).toBe(prose);
  });

  it('is idempotent', () => {
    const once = redact(`Bearer ${key.value} api_key=${key.value}`);
    expect(redact(once)).toBe(once);
    expect(once).toBe(`Bearer ${masked} api_key=${masked}`);
  });

  it('masks credential headers and cookie values, and redacts echoes in any other header', () => {
    const out = redactHeaders(
      [
        ['Authorization', `Bearer ${key.value}`],
        ['X-API-Key', key.value],
        ['Proxy-Authorization', 'Basic dXNlcjpwYXNzd29yZA=='],
        ['Cookie', 'session=abc123; AWSALB=xyz'],
        ['Set-Cookie', 'AWSALB=abcdef; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/'],
        ['X-Echo', `you sent ${key.value}`],
      ],
      redact,
    );
    expect(out).toEqual([
      ['authorization', `Bearer ${masked}`],
      ['x-api-key', masked],
      ['proxy-authorization', 'Basic <redacted>'],
      ['cookie', 'session=<redacted>; AWSALB=<redacted>'],
      ['set-cookie', 'AWSALB=<redacted>; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/'],
      ['x-echo', `you sent ${masked}`],
    ]);
  });

  it('cuts excerpts after redaction, so a key straddling the cut does not leave a fragment', () => {
    const text = `${'a'.repeat(2040)}${key.value}${'b'.repeat(5000)}`;
    const excerpt = redactedExcerpt(text, 2048, redact);
    expect(excerpt).toHaveLength(2048);
    expect(excerpt).not.toContain(key.value.slice(0, 8 + 4));
    expect(excerpt.endsWith('hk_test_')).toBe(true);
  });
});

describe('recorded exchanges', () => {
  it('carry no trace of the key, whatever the server echoes and however it is encoded', async () => {
    const key = testKey();
    const b64 = Buffer.from(key.value).toString('base64');
    server = await startHttp((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        res.setHeader('x-echo-auth', req.headers.authorization ?? '');
        res.setHeader('x-echo-b64', b64);
        res.setHeader('x-echo-query', req.url ?? '');
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            detail: `invalid key ${key.value}`,
            got: body,
            encoded: encodeURIComponent(key.value),
            b64url: Buffer.from(key.value).toString('base64url'),
          }),
        );
      });
    });
    const printed: string[] = [];
    const http = client({ key, keyOrigins: [server.origin], onExchange: (x) => printed.push(JSON.stringify(x)) });
    const r = await http.send({
      step: 'auth',
      label: 'validate',
      method: 'POST',
      url: `${server.url}/validate?api_key=${key.value}`,
      query: { token: key.value },
      json: { api_key: key.value, note: `Bearer ${key.value}` },
      headers: { 'x-api-key': key.value },
    });
    expect(r.status).toBe(401);
    const all = JSON.stringify(http.exchanges());
    for (const text of [all, ...printed, http.redact(r.text)]) {
      expect(text).not.toContain(key.value);
      expect(text).not.toContain(b64.replace(/=+$/, ''));
      expect(text).not.toContain(encodeURIComponent(key.value));
    }
    expect(all).toContain(key.masked());
    await http.close();
  });

  it('keep the key out of error messages', async () => {
    const key = testKey();
    const http = client({ key, keyOrigins: [] });
    const r = await http.send({ step: 'auth', label: 'x', method: 'GET', url: `http://127.0.0.1:1/${key.value}`, withKey: false });
    expect(r.exchange.error?.kind).toBe('key-boundary');
    expect(JSON.stringify(http.exchanges())).not.toContain(key.value);
    await http.close();
  });
});
