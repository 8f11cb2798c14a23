import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { client, closedPort, startHttp, startRaw, closeAfterEach } from './servers.js';

const keep = closeAfterEach();

describe('transport failures', () => {
  it('stops reading a 3 MiB body at the cap, flags it and closes the connection', async () => {
    let served = false;
    let servedSocketClosed = false;
    const s = keep(
      await startRaw((socket) => {
        socket.once('data', () => {
          served = true;
          socket.once('close', () => (servedSocketClosed = true));
          const size = 3 * 1024 * 1024;
          socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${size}\r\n\r\n`);
          const chunk = Buffer.alloc(64 * 1024, 'x');
          let sent = 0;
          const pump = (): void => {
            while (sent < size && !socket.destroyed) {
              sent += chunk.length;
              if (!socket.write(chunk)) return void socket.once('drain', pump);
            }
          };
          pump();
        });
      }),
    );
    const http = client();
    const r = await http.send({ step: 'experiments', label: 'search', method: 'GET', url: s.url });
    expect(r.exchange.error).toMatchObject({ kind: 'body-too-large', phase: 'body' });
    expect(r.exchange.response?.truncated).toBe(true);
    expect(r.exchange.response?.bodyExcerpt).toHaveLength(2048);
    expect(r.exchange.response?.bodySize).toBeGreaterThanOrEqual(1024 * 1024);
    expect(r.exchange.response?.bodySize).toBeLessThan(3 * 1024 * 1024);
    expect(r.status).toBe(200);
    expect(r.text).toHaveLength(1024 * 1024);
    expect(r.json).toBeUndefined();
    // (undici 7 then opens, and drops, a spare connection for the aborted request: nodejs/undici#5845.)
    for (let i = 0; i < 50 && !servedSocketClosed; i++) await sleep(10);
    expect(served).toBe(true);
    expect(servedSocketClosed).toBe(true);
    await http.close();
  });

  it('times out when the headers never come', async () => {
    const s = keep(await startRaw(() => {}));
    const http = client({ timeoutMs: 300 });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    expect(r.exchange.error).toMatchObject({ kind: 'timeout', phase: 'headers' });
    expect(r.status).toBeUndefined();
    await http.close();
  });

  it('times out a body that drips one byte every 100 ms', async () => {
    const s = keep(
      await startRaw((socket) => {
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n');
          const t = setInterval(() => (socket.destroyed ? clearInterval(t) : socket.write('.')), 100);
          socket.on('close', () => clearInterval(t));
        });
      }),
    );
    const http = client({ timeoutMs: 300 });
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    expect(r.exchange.error).toMatchObject({ kind: 'timeout', phase: 'body' });
    expect(r.exchange.error?.message).toContain('127.0.0.1');
    expect(r.exchange.response?.bodySize).toBeGreaterThan(0);
    await http.close();
  });

  it('lets a slow but steady streamed upload and read-back run past the whole-exchange deadline', async () => {
    const s = keep(
      await startHttp((req, res) => {
        if (req.method === 'PUT') {
          req.resume();
          req.on('end', () => res.end('{}'));
          return;
        }
        res.writeHead(200);
        let n = 0;
        const t = setInterval(() => (++n === 8 ? (clearInterval(t), res.end('.')) : res.write('.')), 60);
      }),
    );
    const http = client({ timeoutMs: 200 });
    const slowBody = () =>
      Readable.from(
        (async function* () {
          for (let i = 0; i < 8; i++) {
            await sleep(60);
            yield Buffer.from('chunk');
          }
        })(),
      );
    const put = await http.send({ step: 'artifact', label: 'PUT', method: 'PUT', url: s.url, body: slowBody });
    expect(put.exchange.error).toBeUndefined();
    expect(put.status).toBe(200);
    expect(put.exchange.request.bodySize).toBe(40);
    let got = 0;
    const get = await http.send({
      step: 'artifact',
      label: 'GET',
      method: 'GET',
      url: s.url,
      consumeBody: async (body) => {
        for await (const c of body) got += (c as Buffer).length;
      },
    });
    expect(get.exchange.error).toBeUndefined();
    expect(got).toBe(8);
    expect(get.exchange.timings.total).toBeGreaterThan(400);
    await http.close();
  });

  it('times out a streamed upload whose reply never comes', async () => {
    const s = keep(await startHttp((req) => req.resume()));
    const http = client({ timeoutMs: 300 });
    const r = await http.send({ step: 'artifact', label: 'PUT', method: 'PUT', url: s.url, body: () => Readable.from([Buffer.from('x')]) });
    expect(r.exchange.error).toMatchObject({ kind: 'timeout', phase: 'headers', code: 'UND_ERR_HEADERS_TIMEOUT' });
    await http.close();
  });

  it('reports a closed port as refused', async () => {
    const port = await closedPort();
    const http = client();
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: `http://127.0.0.1:${port}/health` });
    expect(r.exchange.error).toMatchObject({ kind: 'refused', phase: 'connect' });
    expect(r.exchange.response).toBeUndefined();
    await http.close();
  });

  it('reports a name that does not resolve as dns', async () => {
    const http = client();
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: 'http://nonexistent.invalid/health' });
    expect(r.exchange.error?.kind).toBe('dns');
    expect(r.exchange.error?.message).toContain('nonexistent.invalid');
    await http.close();
  });

  it('reports a body shorter than its content-length as a cut transfer, with what arrived', async () => {
    const s = keep(
      await startRaw((socket) => {
        socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort'));
      }),
    );
    const http = client();
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    expect(r.exchange.error?.kind).toBe('cut');
    expect(r.exchange.error?.message).toMatch(
      new RegExp(`^127\\.0\\.0\\.1:${s.port} closed the connection \\d+ ms after the request was sent, 5 of 100 body bytes received$`),
    );
    expect(r.exchange.error?.phase).toBe('body');
    expect(r.exchange.response?.bodyExcerpt).toBe('short');
    expect(r.status).toBeUndefined();
    await http.close();
  });

  it('reports malformed HTTP as protocol', async () => {
    const s = keep(await startRaw((socket) => socket.once('data', () => socket.end('HTTP/1.1 abc\r\n\r\n'))));
    const http = client();
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    expect(r.exchange.error?.kind).toBe('protocol');
    await http.close();
  });

  it("lets a request carry its own signal in place of the client's (cleanup after Ctrl-C)", async () => {
    const s = keep(await startHttp((_req, res) => res.end('deleted')));
    const checkSignal = new AbortController();
    checkSignal.abort();
    const http = client({ signal: checkSignal.signal });
    const blocked = await http.send({ step: 'cleanup', label: 'delete run', method: 'POST', url: s.url });
    expect(blocked.exchange.error?.kind).toBe('aborted');
    const cleanup = new AbortController();
    const r = await http.send({ step: 'cleanup', label: 'delete run', method: 'POST', url: s.url, signal: cleanup.signal });
    expect(r.status).toBe(200);
    expect(s.seen).toHaveLength(1);
    await http.close();
  });

  it('aborts an in-flight request when the signal fires', async () => {
    const s = keep(await startHttp(() => {}));
    const ac = new AbortController();
    const http = client({ signal: ac.signal, retries: 2 });
    setTimeout(() => ac.abort(), 50);
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    expect(r.exchange.error?.kind).toBe('aborted');
    expect(http.exchanges()).toHaveLength(1);
    const after = await http.send({ step: 'health', label: 'h', method: 'GET', url: s.url });
    expect(after.exchange.error?.kind).toBe('aborted');
    expect(s.seen).toHaveLength(1);
    await http.close();
  });
});
