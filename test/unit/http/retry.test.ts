import { describe, expect, it } from 'vitest';
import { fullJitter, parseRetryAfter, retryDelay, type TryOutcome } from '../../../src/http/retry.js';
import { client, closedPort, startHttp, startRaw, type TestServer, closeAfterEach } from './servers.js';

const keep = closeAfterEach();

describe('retry policy', () => {
  const policy = { retries: 2, baseMs: 200, random: () => 0.5 };
  const base: TryOutcome = { attempt: 1, idempotent: true, replayable: true, aborted: false };

  it('retries refused and connect timeouts for any method, since nothing reached the server', () => {
    expect(retryDelay({ ...base, idempotent: false, errorKind: 'refused', errorPhase: 'connect' }, policy)).toBe(100);
    expect(retryDelay({ ...base, idempotent: false, errorKind: 'connect-timeout' }, policy)).toBe(100);
  });

  it('retries a reset only when idempotent or still connecting', () => {
    expect(retryDelay({ ...base, errorKind: 'reset', errorPhase: 'headers' }, policy)).toBe(100);
    expect(retryDelay({ ...base, idempotent: false, errorKind: 'reset', errorPhase: 'headers' }, policy)).toBeUndefined();
    expect(retryDelay({ ...base, idempotent: false, errorKind: 'reset', errorPhase: 'connect' }, policy)).toBe(100);
  });

  it('does not retry dns, TLS, timeouts, protocol errors or aborts', () => {
    for (const errorKind of ['dns', 'tls-untrusted', 'timeout', 'protocol', 'aborted', 'key-boundary'] as const) {
      expect(retryDelay({ ...base, errorKind }, policy)).toBeUndefined();
    }
    expect(retryDelay({ ...base, errorKind: 'refused', aborted: true }, policy)).toBeUndefined();
  });

  it('retries 502/503/504 for idempotent methods only, and 429 only with Retry-After', () => {
    for (const status of [502, 503, 504]) expect(retryDelay({ ...base, status }, policy)).toBe(100);
    expect(retryDelay({ ...base, status: 503, idempotent: false }, policy)).toBeUndefined();
    expect(retryDelay({ ...base, status: 429 }, policy)).toBeUndefined();
    expect(retryDelay({ ...base, status: 429, retryAfter: '1' }, policy)).toBe(1000);
    expect(retryDelay({ ...base, status: 429, retryAfter: '120' }, policy)).toBe(5000);
    expect(retryDelay({ ...base, status: 500 }, policy)).toBeUndefined();
    expect(retryDelay({ ...base, status: 200 }, policy)).toBeUndefined();
  });

  it('stops after the configured number of retries', () => {
    expect(retryDelay({ ...base, attempt: 2, status: 503 }, policy)).toBeDefined();
    expect(retryDelay({ ...base, attempt: 3, status: 503 }, policy)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped at 5 s', () => {
    expect(fullJitter(1, { baseMs: 200, random: () => 0.999 })).toBe(199);
    expect(fullJitter(3, { baseMs: 200, random: () => 0.999 })).toBe(799);
    expect(fullJitter(20, { baseMs: 200, random: () => 0.999 })).toBe(4995);
    expect(fullJitter(3, { baseMs: 200, random: () => 0 })).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:02 GMT', now)).toBe(2000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('retries on the wire', () => {
  it('retries a GET through 503, 503 to 200: three exchanges, the first two marked retried', async () => {
    let n = 0;
    const s: TestServer = keep(await startHttp((_req, res) => res.writeHead(++n < 3 ? 503 : 200).end(`try ${n}`)));
    const http = client({ retries: 2 });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    expect(r.status).toBe(200);
    expect(r.text).toBe('try 3');
    const xs = http.exchanges();
    expect(xs.map((x) => [x.id, x.attempt, x.response?.status, x.retried ?? false])).toEqual([
      ['x1', 1, 503, true],
      ['x2', 2, 503, true],
      ['x3', 3, 200, false],
    ]);
    expect(http.slept).toHaveLength(2);
    await http.close();
  });

  it('does not retry a POST whose connection was reset after the request was sent', async () => {
    const s = keep(await startRaw((socket) => socket.once('data', () => socket.resetAndDestroy())));
    const http = client({ retries: 2 });
    const r = await http.send({ step: 'run', label: 'runs/create', method: 'POST', url: `${s.url}/runs/create`, json: { a: 1 } });
    expect(r.exchange.error?.kind).toBe('reset');
    expect(r.status).toBeUndefined();
    expect(http.exchanges()).toHaveLength(1);
    expect(s.connections).toBe(1);
    await http.close();
  });

  it('retries a POST to a refused port (nothing reached the server) and reports refused', async () => {
    const port = await closedPort();
    const http = client({ retries: 2 });
    const r = await http.send({ step: 'run', label: 'runs/create', method: 'POST', url: `http://127.0.0.1:${port}/x`, json: {} });
    expect(r.exchange.error).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED', phase: 'connect' });
    expect(r.exchange.error?.message).toContain(`127.0.0.1:${port}`);
    expect(http.exchanges().map((x) => x.retried ?? false)).toEqual([true, true, false]);
    await http.close();
  });

  it('waits for Retry-After on a 429 (through the injected sleep)', async () => {
    let n = 0;
    const s = keep(await startHttp((_req, res) => (++n === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.end('ok'))));
    const http = client({ retries: 2 });
    const r = await http.send({ step: 'experiments', label: 'search', method: 'GET', url: s.url });
    expect(r.status).toBe(200);
    expect(http.slept).toEqual([1000]);
    await http.close();
  });

  it('does not retry a POST that got a 503', async () => {
    const s = keep(await startHttp((_req, res) => res.writeHead(503).end()));
    const http = client({ retries: 2 });
    const r = await http.send({ step: 'run', label: 'runs/create', method: 'POST', url: s.url, json: {} });
    expect(r.status).toBe(503);
    expect(http.exchanges()).toHaveLength(1);
    await http.close();
  });

  it('resends a streamed body from its factory on retry', async () => {
    let n = 0;
    const bodies: string[] = [];
    const s = keep(
      await startHttp((req, res) => {
        let b = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (b += c));
        req.on('end', () => {
          bodies.push(b);
          res.writeHead(++n === 1 ? 502 : 200).end();
        });
      }),
    );
    const { Readable } = await import('node:stream');
    const http = client({ retries: 1 });
    const r = await http.send({ step: 'artifact', label: 'PUT', method: 'PUT', url: s.url, body: () => Readable.from(['ab', 'cd']) });
    expect(r.status).toBe(200);
    expect(bodies).toEqual(['abcd', 'abcd']);
    await http.close();
  });

  it('stops retrying when the signal fires during the wait', async () => {
    const s = keep(await startHttp((_req, res) => res.writeHead(503).end()));
    const ac = new AbortController();
    const http = client({
      retries: 2,
      signal: ac.signal,
      sleep: () => {
        ac.abort();
        return Promise.resolve();
      },
    });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    expect(r.status).toBe(503);
    expect(http.exchanges()).toHaveLength(1);
    expect(http.exchanges()[0]?.retried).toBeUndefined();
    await http.close();
  });
});
