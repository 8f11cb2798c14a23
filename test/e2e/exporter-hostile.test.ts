// Connection limits (src/exporter/limits.ts): the exporter, spawned as a user runs it but with at most
// 1024 file descriptors, faces 1,000 idle TCP connections and 100 slow-loris ones that dribble a
// header line every half second — more sockets than it could ever hold — and /probe still answers.
// The bound is the exporter's own (src/exporter/limits.ts): at most 256 connections open, the
// longest-held one without a request in progress closed to admit a new one, headers within 10 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORTER_LIMITS } from '../../src/exporter/limits.js';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { parseExposition, scrape, spawnExporter, value } from '../helpers/exporter.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
let config = '';

beforeAll(async () => {
  stack = await startStack({ pendingPolls: 0 });
  config = tmp.file('hokus-check.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      environments: { prod: { registryUrl: stack.registryUrl, authUrl: stack.authUrl, apiKeyEnv: 'HK_PROD', retries: 0 } },
    }),
  );
});
afterAll(async () => {
  await stack?.close();
  tmp.remove();
});

const IDLE = 1000;
const LORIS = 100;

/**
 * A separate process (its own fd limit raised, so the test runner's is not the bound) that opens
 * `loris` slow-loris connections and `idle` idle ones to `port`, prints one JSON line once every
 * connection attempt settled, and holds them until it is killed.
 */
const HOLDER = `
import net from 'node:net';
const [port, idle, loris] = process.argv.slice(1).map(Number);
const sockets = [];
let connected = 0, failed = 0, closedByServer = 0;
function open(onConnect) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    sockets.push(s);
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    s.once('connect', () => { connected++; onConnect?.(s); resolve(); });
    s.once('close', () => { if (s.connecting) failed++; else closedByServer++; resolve(); });
  });
}
for (let i = 0; i < loris; i++) {
  await open((s) => {
    s.write('GET /probe?env=prod HTTP/1.1\\r\\nHost: exporter\\r\\n');
    let n = 0;
    const drip = setInterval(() => (s.destroyed ? clearInterval(drip) : s.write('X-Drip-' + n++ + ': ' + n + '\\r\\n')), 500);
  });
}
for (let i = 0; i < idle; i += 50) await Promise.all(Array.from({ length: Math.min(50, idle - i) }, () => open()));
process.stdout.write(JSON.stringify({ connected, failed, closedByServer }) + '\\n');
setInterval(() => undefined, 60_000);
`;

async function holdSockets(port: number): Promise<{ child: ChildProcess; opened: { connected: number; failed: number } }> {
  const child = spawn(
    'bash',
    [
      '-c',
      'ulimit -n 4096 2>/dev/null; exec "$0" "$@"',
      process.execPath,
      '--input-type=module',
      '-e',
      HOLDER,
      String(port),
      String(IDLE),
      String(LORIS),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const opened = await new Promise<{ connected: number; failed: number }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out) as { connected: number; failed: number });
    });
    child.once('exit', () => reject(new Error(`the socket holder exited: ${err}`)));
  });
  return { child, opened };
}

describe('hokus-check exporter under 1,000 idle and 100 slow-loris connections, 1024 file descriptors', () => {
  it('keeps answering /probe (a passing check) and /metrics, holding no more connections than its limit', async () => {
    const exporter = await spawnExporter(['--config', config], { HK_PROD: stack.apiKey }, { fdLimit: 1024 });
    let holder: ChildProcess | undefined;
    try {
      const port = Number(new URL(exporter.url).port);
      const held = await holdSockets(port);
      holder = held.child;
      // The attack reached the exporter: more connections than it may hold were accepted by the kernel.
      expect(held.opened.connected).toBeGreaterThan(EXPORTER_LIMITS.maxConnections);

      const probe = await scrape(`${exporter.url}/probe?env=prod`, 30);
      expect(probe.status, probe.body).toBe(200);
      expect(value(parseExposition(probe.body), 'hokus_check_success', { env: 'prod' }), probe.body).toBe(1);

      const own = await scrape(`${exporter.url}/metrics`);
      expect(own.status).toBe(200);
      const series = parseExposition(own.body);
      expect(value(series, 'hokus_check_exporter_connections_open')).toBeLessThanOrEqual(EXPORTER_LIMITS.maxConnections);
      expect(value(series, 'hokus_check_exporter_connections_dropped_total', { reason: 'evicted' })).toBeGreaterThan(0);
      expect(exporter.child.exitCode).toBeNull();
      // The report quotes these numbers.
      console.info(
        `held ${JSON.stringify(held.opened)}; exporter: connections_open ${value(series, 'hokus_check_exporter_connections_open')}, ` +
          `dropped evicted ${value(series, 'hokus_check_exporter_connections_dropped_total', { reason: 'evicted' })}, ` +
          `refused ${value(series, 'hokus_check_exporter_connections_dropped_total', { reason: 'refused' })}`,
      );
    } finally {
      holder?.kill('SIGKILL');
      exporter.child.kill('SIGTERM');
      const { code } = await exporter.exited;
      exporter.child.kill('SIGKILL');
      expect(code, exporter.stderr()).toBe(0);
    }
  }, 120_000);
});
