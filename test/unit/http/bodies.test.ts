// What the client keeps of a response body: the whole decoded text up to the cap for the rules, a
// short excerpt for people, and for a binary body a description (size, first bytes, sha256) in
// place of the bytes. Real loopback servers.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeBinary, looksBinary } from '../../../src/http/body.js';
import { readBody } from '../../../src/diagnosis/exchange-body.js';
import { client, closeAfterEach, startHttp, testKey } from './servers.js';

const keep = closeAfterEach();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Bytes that are binary by any reading: random, with a NUL up front. */
function blob(size: number): Buffer {
  const b = randomBytes(size);
  b[1] = 0;
  return b;
}

describe('response bodies', () => {
  it('keeps the whole text of a 2.5 KB JSON error for the rules and a 2,048-character excerpt for people', async () => {
    const body = JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: `Tag value '${'v'.repeat(2500)}' is too long` });
    const s = keep(await startHttp((_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(body)));
    const http = client();
    const r = await http.send({ step: 'run', label: 'runs/create', method: 'POST', url: s.url, json: {} });
    expect(r.exchange.response?.bodyExcerpt).toBe(body.slice(0, 2048));
    expect(r.exchange.response?.bodyText).toBe(body);
    const facts = readBody(r.exchange);
    expect(facts.isJson).toBe(true);
    expect(facts.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(facts.message).toMatch(/is too long$/);
    await http.close();
  });

  it('describes a binary body by size, first bytes and sha256, and never keeps its bytes as text', async () => {
    const bytes = blob(4096);
    const s = keep(await startHttp((_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes)));
    const http = client();
    const r = await http.send({ step: 'artifact', label: 'GET artifact', method: 'GET', url: s.url });
    const res = r.exchange.response!;
    expect(res.bodyExcerpt).toBe(`binary body, 4096 bytes, starts ${bytes.subarray(0, 16).toString('hex')}…, sha256 ${sha(bytes)}`);
    expect(res.binary).toEqual({ sha256: sha(bytes), head: bytes.subarray(0, 16).toString('hex') });
    expect(res.bodyText).toBeUndefined();
    expect(readBody(r.exchange).text).toBe(res.bodyExcerpt);
    await http.close();
  });

  it('withholds the first bytes of a binary body that carries the key', async () => {
    const key = testKey();
    const bytes = Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from(key.value), blob(64)]);
    const s = keep(await startHttp((_req, res) => res.end(bytes)));
    const http = client({ key, keyOrigins: [s.origin] });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    expect(r.exchange.response?.bodyExcerpt).toBe(`binary body, ${bytes.length} bytes, first bytes withheld, sha256 ${sha(bytes)}`);
    expect(r.exchange.response?.binary).toEqual({ sha256: sha(bytes) });
    expect(JSON.stringify(r.exchange)).not.toContain(Buffer.from(key.value).subarray(8, 12).toString('hex'));
    await http.close();
  });

  it('says the sha256 covers only what was read when a binary body is over the cap', async () => {
    const bytes = blob(3000);
    const s = keep(await startHttp((_req, res) => res.end(bytes)));
    const http = client({ bodyCap: 1024 });
    const r = await http.send({ step: 'artifact', label: 'GET', method: 'GET', url: s.url });
    expect(r.exchange.error?.kind).toBe('body-too-large');
    expect(r.exchange.response?.bodyExcerpt).toMatch(
      new RegExp(`^binary body, \\d+ bytes, starts [0-9a-f]{32}…, sha256 of the first 1024 bytes ${sha(bytes.subarray(0, 1024))}$`),
    );
    await http.close();
  });

  it('hashes a streamed binary read-back whole, and describes a binary upload the same way', async () => {
    const bytes = blob(200_000);
    const s = keep(
      await startHttp((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes));
      }),
    );
    const http = client();
    const r = await http.send({
      step: 'artifact',
      label: 'GET artifact',
      method: 'PUT',
      url: s.url,
      body: bytes,
      consumeBody: async (body) => {
        for await (const _ of body) void _;
      },
    });
    expect(r.exchange.response?.bodyExcerpt).toBe(
      `binary body, 200000 bytes, starts ${bytes.subarray(0, 16).toString('hex')}…, sha256 ${sha(bytes)}`,
    );
    expect(r.exchange.request.bodyExcerpt).toBe(
      `binary body, 200000 bytes, starts ${bytes.subarray(0, 16).toString('hex')}…, sha256 ${sha(bytes)}`,
    );
    await http.close();
  });

  it('keeps a JSON body with one stray byte as text (flagged invalid UTF-8), not binary', async () => {
    const body = Buffer.concat([
      Buffer.from('{"error_code": "INTERNAL_ERROR", "message": "caf'),
      Buffer.from([0xe9]),
      Buffer.from(' is closed"}'),
    ]);
    const s = keep(await startHttp((_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end(body)));
    const http = client();
    const r = await http.send({ step: 'run', label: 'runs/create', method: 'POST', url: s.url, json: {} });
    expect(r.exchange.response?.invalidUtf8).toBe(true);
    expect(r.exchange.response?.binary).toBeUndefined();
    expect(r.exchange.response?.bodyExcerpt).toBe('{"error_code": "INTERNAL_ERROR", "message": "caf\uFFFD is closed"}');
    await http.close();
  });
});

describe('looksBinary and describeBinary', () => {
  it('tells text from bytes', () => {
    const text = (s: string) => looksBinary(Buffer.from(s), s);
    expect(text('{"ok": true}\n')).toBe(false);
    expect(text('<html>\r\n\t<title>502 Bad Gateway</title>\u001b[0m</html>')).toBe(false);
    expect(text('')).toBe(false);
    expect(text('a\u0000b')).toBe(true);
    expect(text('\u0001\u0002\u0003abcdefgh')).toBe(true);
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    expect(looksBinary(png, png.toString('utf8'))).toBe(true);
  });

  it('names what the sha256 covers and when the head is withheld', () => {
    expect(describeBinary({ size: 10, sha256: 'ab', hashed: 10, head: '00ff' })).toBe('binary body, 10 bytes, starts 00ff…, sha256 ab');
    expect(describeBinary({ size: 2, sha256: 'ab', hashed: 2, head: '00ff' })).toBe('binary body, 2 bytes, starts 00ff, sha256 ab');
    expect(describeBinary({ size: 10, sha256: 'ab', hashed: 4 })).toBe(
      'binary body, 10 bytes, first bytes withheld, sha256 of the first 4 bytes ab',
    );
  });
});
