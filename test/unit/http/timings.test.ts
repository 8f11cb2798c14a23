import { afterEach, describe, expect, it } from 'vitest';
import { client, startHttp, type TestServer } from './servers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('timings', () => {
  it('measures a fresh connection, and marks connection phases -1 on a reused one', async () => {
    server = await startHttp((_req, res) => setTimeout(() => res.end('ok'), 30));
    const http = client();
    const first = (await http.send({ step: 'health', label: 'h', method: 'GET', url: server.url })).exchange.timings;
    const second = (await http.send({ step: 'health', label: 'h', method: 'GET', url: server.url })).exchange.timings;
    expect(server.connections).toBe(1);

    expect(first.connect).toBeGreaterThanOrEqual(0);
    expect(first.dns).toBe(-1); // an IP literal: no lookup
    expect(first.ssl).toBe(-1); // plain HTTP
    expect(first.send).toBeGreaterThanOrEqual(0);
    expect(first.wait).toBeGreaterThanOrEqual(25);
    expect(first.receive).toBeGreaterThanOrEqual(0);
    expect(first.total).toBeGreaterThanOrEqual(first.wait);
    expect(first.total).toBeGreaterThanOrEqual(first.connect + first.send + first.wait + first.receive - 1);

    expect(second).toMatchObject({ dns: -1, connect: -1, ssl: -1 });
    expect(second.wait).toBeGreaterThanOrEqual(25);
    expect(second.total).toBeGreaterThanOrEqual(second.wait);
    await http.close();
  });

  it('measures DNS when the host is a name', async () => {
    server = await startHttp((_req, res) => res.end('ok'));
    const http = client();
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: `http://localhost:${server.port}/` });
    if (r.exchange.error?.kind === 'refused') return; // localhost → ::1 only on this machine
    expect(r.status).toBe(200);
    expect(r.exchange.timings.dns).toBeGreaterThanOrEqual(0);
    expect(r.exchange.timings.connect).toBeGreaterThanOrEqual(0);
    await http.close();
  });

  it('records the request headers as sent, with host and framing', async () => {
    server = await startHttp((_req, res) => res.end('ok'));
    const http = client();
    const r = await http.send({ step: 'run', label: 'runs/create', method: 'POST', url: `${server.url}/r`, json: { a: 1 } });
    const names = r.exchange.request.headers.map(([n]) => n);
    expect(names).toEqual(expect.arrayContaining(['host', 'content-type', 'content-length']));
    expect(r.exchange.request.headers).toContainEqual(['content-length', '7']);
    await http.close();
  });

  it('has no connection timings for a refused connection, only the total', async () => {
    const http = client();
    const { closedPort } = await import('./servers.js');
    const r = await http.send({ step: 'health', label: 'h', method: 'GET', url: `http://127.0.0.1:${await closedPort()}/` });
    expect(r.exchange.timings).toMatchObject({ connect: -1, send: -1, wait: -1, receive: -1 });
    expect(r.exchange.timings.total).toBeGreaterThanOrEqual(0);
    await http.close();
  });
});
