// Starts a real forward proxy — Debian's tinyproxy — as a private instance: its own config, pid file
// and log under a temp dir, a loopback port from the OS, in the foreground as a child of the test;
// never the system service. The proxy a CI runner or a laptop behind a corporate egress reaches
// through HTTPS_PROXY/HTTP_PROXY. A missing binary fails the test, with the apt line that installs it.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect, freePort, readIfThere, terminate } from './real-proxy.js';

const BIN = '/usr/bin/tinyproxy';

export interface TinyproxyOptions {
  /** Ports CONNECT may reach (tinyproxy's ConnectPort); none: every port. */
  connectPorts?: number[];
  /** Credentials the proxy demands (BasicAuth): 407 without them. */
  basicAuth?: { user: string; password: string };
}

export interface RunningTinyproxy {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** The proxy's log so far: one line per connection, with the CONNECT it was asked for. */
  log(): string;
  stop(): Promise<void>;
}

export async function startTinyproxy(opts: TinyproxyOptions = {}): Promise<RunningTinyproxy> {
  try {
    accessSync(BIN, constants.X_OK);
  } catch {
    throw new Error(
      `${BIN} is missing: install it with \`apt-get install -y tinyproxy\` (.ci/run does); the forward-proxy tests never skip it`,
    );
  }
  let lastError: unknown;
  // The port is picked free, then handed to tinyproxy: another process may take it in between.
  for (let attempt = 1; attempt <= 4; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      lastError = err;
      if (!/Address already in use|could not bind|Unable to bind/i.test(String(err))) break;
    }
  }
  throw lastError;
}

async function startOnce(opts: TinyproxyOptions): Promise<RunningTinyproxy> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hokus-tinyproxy-'));
  const port = await freePort();
  const logFile = path.join(dir, 'tinyproxy.log');
  const lines = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 10',
    'MaxClients 50',
    'LogLevel Info',
    `LogFile "${logFile}"`,
    `PidFile "${path.join(dir, 'tinyproxy.pid')}"`,
    ...(opts.connectPorts ?? []).map((p) => `ConnectPort ${p}`),
    ...(opts.basicAuth ? [`BasicAuth ${opts.basicAuth.user} ${opts.basicAuth.password}`] : []),
  ];
  const conf = path.join(dir, 'tinyproxy.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const child = spawn(BIN, ['-d', '-c', conf], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => void (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => void (output += c.toString()));
  const log = () => `${output}${readIfThere(logFile)}`;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await terminate(child);
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    await waitListening(port, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, port, log, stop };
}

async function waitListening(port: number, child: ReturnType<typeof spawn>, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`tinyproxy exited (${child.exitCode ?? child.signalCode}) before listening:\n${log()}`);
    // tinyproxy logs a failed bind and exits; a port another process holds is also connectable.
    if (/Unable to bind|Address already in use|Could not create listening socket/i.test(log()))
      throw new Error(`tinyproxy could not bind ${port}:\n${log()}`);
    if ((await canConnect(port)) && /listening|Accepting connections/i.test(log())) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`tinyproxy did not listen on ${port} within 5 s:\n${log()}`);
}
