// Starts a real reverse proxy (nginx, HAProxy, Apache httpd, Caddy — Debian's packages) as a private
// instance: its own config, pid file and logs under a temp dir, loopback ports from the OS, in the
// foreground as a child of the test; never the system service. One process serves every site a test
// file needs (one port per site). In CI a missing binary fails the test; elsewhere too, with the
// apt line that installs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeCa } from './safety-tls.js';
import { BINARIES, render, type ProxyKind, type Site } from './real-proxy-configs.js';

export type { Login, ProxyKind, Route, RouteAction, Site, Pems } from './real-proxy-configs.js';
export { LOGIN_PASSWORD } from './real-proxy-configs.js';

export interface RunningProxy {
  kind: ProxyKind;
  /** Origin of a site: 'http://127.0.0.1:PORT' (https for TLS sites). */
  url(site: string): string;
  /** The proxy's error log so far (for failure messages). */
  errorLog(): string;
  stop(): Promise<void>;
}

const PACKAGE: Record<ProxyKind, string> = {
  nginx: 'nginx',
  haproxy: 'haproxy',
  apache: 'apache2',
  caddy: 'caddy',
  mitmproxy: 'mitmproxy',
  'node-gateway': 'nodejs',
};

/** Throws with the install command when the proxy's binary is missing: a proxy is never skipped. */
export function requireBinary(kind: ProxyKind): void {
  try {
    accessSync(BINARIES[kind], constants.X_OK);
  } catch {
    throw new Error(
      `${BINARIES[kind]} is missing: install it with \`apt-get install -y ${PACKAGE[kind]}\` (.ci/run does); the real-proxy tests never skip a proxy`,
    );
  }
}

export async function startProxy(kind: ProxyKind, sites: readonly Site[]): Promise<RunningProxy> {
  requireBinary(kind);
  let lastError: unknown;
  // Ports are picked free, then handed to the proxy: another process may take one in between.
  for (let attempt = 1; attempt <= 4; attempt++) {
    try {
      return await startOnce(kind, sites);
    } catch (err) {
      lastError = err;
      if (!/address already in use|EADDRINUSE|cannot bind|could not bind|Address in use/i.test(String(err))) break;
    }
  }
  throw lastError;
}

async function startOnce(kind: ProxyKind, sites: readonly Site[]): Promise<RunningProxy> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `hokus-${kind}-`));
  // Apache, started as root, serves its files as `nobody`.
  chmodSync(dir, 0o755);
  const ports = new Map<string, number>();
  // All at once: a port closed and picked again at once could come back for the next site.
  const picked = await freePorts(sites.length);
  sites.forEach((site, i) => ports.set(site.name, picked[i]!));
  const root = process.getuid?.() === 0;
  const { files, argv, processes, env } = render(kind, sites, { dir, ports, root, ownCaPem: await ownCaPem() });
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, text, { mode: name.endsWith('.key') || name.endsWith('.pem') ? 0o600 : 0o644 });
  }
  let output = '';
  const children = (processes ?? [argv]).map(([bin, ...args]) => {
    const child = spawn(bin!, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => void (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => void (output += c.toString()));
    return child;
  });
  const errorLog = () => `${output}${readIfThere(path.join(dir, 'error.log'))}${readIfThere(path.join(dir, 'caddy.log'))}`;
  const stop = once(async () => {
    await Promise.all(children.map(terminate));
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await Promise.all(children.map((child) => waitListening(child, [...ports.values()], errorLog)));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    kind,
    url: (name) => {
      const site = sites.find((s) => s.name === name);
      if (!site) throw new Error(`no site ${name}`);
      return `${site.tls ? 'https' : 'http'}://127.0.0.1:${ports.get(name)}`;
    },
    errorLog,
    stop,
  };
}

/** `n` distinct ports the OS says are free now: all bound to port 0 together, read, then closed. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const srv = net.createServer();
          srv.once('error', reject);
          srv.listen(0, '127.0.0.1', () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((srv) => (srv.address() as net.AddressInfo).port);
  await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  return ports;
}

let ownCa: Promise<string> | undefined;
/** The CA of RenderContext.ownCaPem: made once per test process. */
function ownCaPem(): Promise<string> {
  ownCa ??= makeCa('hokus-check test proxy CA', Date.now()).then((ca) => `${ca.private.trim()}\n${ca.cert.trim()}\n`);
  return ownCa;
}

/** A port the OS says is free now: bind port 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitListening(child: ChildProcess, ports: number[], log: () => string): Promise<void> {
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`${child.spawnfile} exited (${code ?? signal}) before listening:\n${log()}`)));
  });
  exited.catch(() => undefined);
  const ready = (async () => {
    // mitmproxy's Python takes seconds to start, more with a dozen of them on two busy cores.
    for (let i = 0; i < 600; i++) {
      const open = await Promise.all(ports.map(canConnect));
      if (open.every(Boolean)) {
        // Connectable is not proof: another process may hold a port that this proxy failed to bind
        // (freePort's pick raced with it). Every proxy here logs a failed bind at once; give it a moment.
        await new Promise((r) => setTimeout(r, 250));
        if (BIND_FAILED.test(log()))
          throw new Error(`${child.spawnfile}: address already in use (a port picked free was taken):\n${log()}`);
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${child.spawnfile} exited after its ports opened:\n${log()}`);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${child.spawnfile} did not listen on ${ports.join(', ')} within 30 s:\n${log()}`);
  })();
  await Promise.race([ready, exited]);
}

const BIND_FAILED = /address already in use|could not bind|cannot bind|bind\(\) to \S+ failed/i;

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    // nginx, HAProxy, Apache and Caddy all stop on SIGTERM (Apache -X, nginx without a master too).
    child.kill('SIGTERM');
  });
}

export function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
