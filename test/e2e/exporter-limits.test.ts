// The exporter's limits (src/exporter/limits.ts) one by one, in-process with small values so each
// shows within a test: a client too slow with its headers gets 408 and is closed, a silent one and an
// idle keep-alive one are closed, and scrapes beyond the in-flight limits get a one-line 503 counted
// by reason — while a scrape within them is answered from its check; the documented values admit 20
// environments scraped at once. Those values under load: test/e2e/exporter-hostile.test.ts.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/config/resolve.js';
import { startExporter, type Exporter } from '../../src/exporter/server.js';
import { ApiKey } from '../../src/http/secret.js';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { eventually, gateRegister, parseExposition, scrape, untilHeld, value, type Gate } from '../helpers/exporter.js';

let stack: Stack;
let gate: Gate;
let exporter: Exporter;
const logs: string[] = [];

beforeAll(async () => {
  stack = await startStack({ pendingPolls: 0 });
  gate = await gateRegister(stack.registryUrl);
  const settings = resolveSettings({ flags: { registryUrl: gate.url, authUrl: stack.authUrl, retries: '0' }, env: {}, cwd: process.cwd() });
  exporter = await startExporter({
    environments: new Map([['prod', { settings, key: { key: new ApiKey(stack.apiKey), hadWhitespace: false } }]]),
    version: '0.0.0-test',
    env: {},
    listen: { host: '127.0.0.1', port: 0 },
    log: (line) => void logs.push(line),
    limits: { headersTimeoutMs: 400, requestTimeoutMs: 400, keepAliveTimeoutMs: 300, maxScrapesInFlight: 2, maxChecksInFlight: 1 },
  });
});
afterAll(async () => {
  gate?.release();
  await exporter?.close();
  await Promise.all([gate?.close(), stack?.close()]);
});

/** A raw connection to the exporter: what it answered, and when it closed the connection. */
async function rawClient(): Promise<{ socket: Socket; answer: () => string; closed: Promise<void> }> {
  const { hostname, port } = new URL(exporter.url);
  const socket = connect(Number(port), hostname);
  let data = '';
  socket.on('data', (d: Buffer) => (data += d.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, answer: () => data, closed };
}

describe('slow and idle clients', () => {
  it('a client dribbling its headers past the headers timeout gets 408 and is closed', async () => {
    const client = await rawClient();
    client.socket.write('GET /metrics HTTP/1.1\r\nHost: exporter\r\n');
    let n = 0;
    const drip = setInterval(() => client.socket.write(`X-Drip-${n++}: 1\r\n`), 50);
    await client.closed;
    clearInterval(drip);
    expect(client.answer()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('a client that sends nothing is closed', async () => {
    const client = await rawClient();
    await client.closed;
    expect(client.answer()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n|^$/);
  });

  it('a keep-alive connection with no next request is closed', async () => {
    const client = await rawClient();
    client.socket.write('GET /metrics HTTP/1.1\r\nHost: exporter\r\n\r\n');
    await client.closed;
    expect(client.answer()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(client.answer()).toContain('Keep-Alive: timeout=');
  });

  it('a request head over the size limit gets 431 and is closed', async () => {
    const client = await rawClient();
    client.socket.write(`GET /metrics HTTP/1.1\r\nHost: exporter\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    await client.closed;
    expect(client.answer()).toMatch(/^HTTP\/1\.1 431 /);
  });
});

describe('scrapes and checks in flight', () => {
  it('answers beyond the limits with a 503 each, counted by reason, and the scrapes within them from the check', async () => {
    gate.arm();
    const own = async () => parseExposition((await scrape(`${exporter.url}/metrics`)).body);
    // The one check allowed is held inside register.
    const first = scrape(`${exporter.url}/probe?env=prod`, 30);
    await untilHeld(gate, 'the check to reach register');
    // Another budget would start a second check: over maxChecksInFlight (1).
    expect(await scrape(`${exporter.url}/probe?env=prod`, 20)).toEqual({
      status: 503,
      body: "busy: the exporter's limit of 1 checks running at once is reached; try again later\n",
    });
    // The same budget joins the running check; then two scrapes are being answered.
    const joined = scrape(`${exporter.url}/probe?env=prod`, 30);
    await eventually('two scrapes in flight', async () =>
      value(await own(), 'hokus_check_exporter_scrapes_in_flight') === 2 ? true : undefined,
    );
    // A third at once: over maxScrapesInFlight (2).
    expect(await scrape(`${exporter.url}/probe?env=prod`, 30)).toEqual({
      status: 503,
      body: "busy: the exporter's limit of 2 /probe requests answered at once is reached; try again later\n",
    });

    gate.release();
    const answers = await Promise.all([first, joined]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(value(parseExposition(answers[0].body), 'hokus_check_success', { env: 'default' })).toBe(1);
    expect(answers[1].body).toBe(answers[0].body);

    const after = await own();
    expect(value(after, 'hokus_check_exporter_probe_errors_total', { reason: 'too_many_checks' })).toBe(1);
    expect(value(after, 'hokus_check_exporter_probe_errors_total', { reason: 'too_many_scrapes' })).toBe(1);
    expect(value(after, 'hokus_check_exporter_scrapes_total', { env: 'prod', shared: 'true' })).toBe(1);
    expect(value(after, 'hokus_check_exporter_scrapes_in_flight')).toBe(0);
  });
});

describe('the documented limits (EXPORTER_LIMITS)', () => {
  it('admit a Prometheus job that scrapes 20 environments in the same second: 20 checks at once, each answered', async () => {
    const held = await gateRegister(stack.registryUrl);
    const names = Array.from({ length: 20 }, (_, i) => `env${i + 1}`);
    const settings = resolveSettings({
      flags: { registryUrl: held.url, authUrl: stack.authUrl, retries: '0' },
      env: {},
      cwd: process.cwd(),
    });
    const key = { key: new ApiKey(stack.apiKey), hadWhitespace: false };
    const wide = await startExporter({
      environments: new Map(names.map((n) => [n, { settings, key }])),
      version: '0.0.0-test',
      env: {},
      listen: { host: '127.0.0.1', port: 0 },
      log: () => undefined,
    });
    try {
      const answers = Promise.all(names.map((n) => scrape(`${wide.url}/probe?env=${n}`, 60)));
      // Every check is inside register at once, before any is let through: 20 in flight.
      await eventually('20 checks held in register', () => (held.holding() === 20 ? true : undefined));
      held.release();
      const done = await answers;
      expect(done.map((a) => a.status)).toEqual(names.map(() => 200));
      // (The settings name no environment of a config file, so each answer's env label is `default`.)
      for (const a of done) expect(value(parseExposition(a.body), 'hokus_check_success', { env: 'default' })).toBe(1);
    } finally {
      held.release();
      await wide.close();
      await held.close();
    }
  }, 60_000);
});
