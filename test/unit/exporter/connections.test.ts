// The connection limit (src/exporter/connections.ts) on a bare HTTP server: at the limit a new
// connection closes the one idle longest; a connection with a request in progress is never closed,
// and when all are busy the new one is.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { limitConnections } from '../../../src/exporter/connections.js';

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server whose /hold requests wait until released; dropped connections are counted by reason. */
async function start(max: number) {
  const held: ServerResponse[] = [];
  const dropped: string[] = [];
  server = createServer((req, res) => (req.url === '/hold' ? held.push(res) : res.end('ok')));
  const count = limitConnections(server, max, (reason) => dropped.push(reason));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, held, dropped, count };
}

/** A client socket; `closed` resolves when the server closes it. */
async function open(port: number, request?: string): Promise<{ socket: Socket; closed: Promise<void>; answer: () => string }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let data = '';
  socket.on('data', (d: Buffer) => (data += d.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (request !== undefined) socket.write(request);
  return { socket, closed, answer: () => data };
}

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`gave up waiting for ${what}`);
};

describe('limitConnections', () => {
  it('at the limit, closes the connection idle longest to admit a new one', async () => {
    const { port, dropped, count } = await start(3);
    const first = await open(port);
    const second = await open(port, 'GET /partial HTTP/1.1\r\nHost: x\r\n'); // still sending its headers
    const third = await open(port);
    await until('three connections held', () => count() === 3);
    const fourth = await open(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await first.closed;
    await until('the fourth answered', () => fourth.answer().includes('200 OK'));
    expect(dropped).toEqual(['evicted']);
    expect([second.socket.destroyed, third.socket.destroyed]).toEqual([false, false]);
    expect(count()).toBe(3);
  });

  it('never closes a connection with a request in progress; with all busy, the new one is closed', async () => {
    const { port, held, dropped, count } = await start(2);
    const busy = [await open(port, 'GET /hold HTTP/1.1\r\nHost: x\r\n\r\n'), await open(port, 'GET /hold HTTP/1.1\r\nHost: x\r\n\r\n')];
    await until('both requests in progress', () => held.length === 2);
    const late = await open(port);
    await late.closed;
    expect(dropped).toEqual(['refused']);
    for (const res of held) res.end('done');
    for (const b of busy) await until('the held answer', () => b.answer().includes('done'));
    expect(count()).toBe(2);
  });

  it('counts idleness from the last answer: a keep-alive connection just answered outlives a newer silent one', async () => {
    const { port, dropped, count } = await start(2);
    const older = await open(port);
    const silent = await open(port);
    await until('two held', () => count() === 2);
    older.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await until('the older one answered', () => older.answer().includes('200 OK'));
    const newest = await open(port);
    await silent.closed;
    expect(dropped).toEqual(['evicted']);
    expect([older.socket.destroyed, newest.socket.destroyed]).toEqual([false, false]);
  });
});
