// For the exporter's tests (test/e2e/exporter-*.test.ts): the command in-process over a captured Io
// with the process's signals played by the test (SIGTERM, SIGHUP), the binary spawned (optionally
// under a low file-descriptor limit), reading Prometheus text exposition, and a gate that holds
// chosen requests to a stack until the test lets them through (a check kept in flight).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExporterFlags } from '../../src/cli-flags.js';
import { exporterCommand } from '../../src/commands/exporter.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { createFactory, type Factory } from '../../src/factory.js';
import type { Io } from '../../src/io.js';
import { BIN } from './cli.js';
import { forward } from './forward.js';

type SignalHandler = Parameters<Io['onSignal']>[0];

export interface InProcessExporter {
  /** Resolves with the command's exit code. */
  done: Promise<number>;
  /** What it wrote to stderr/stdout, in order. */
  logs: string[];
  /** Ctrl-C / SIGTERM, as the process's handlers deliver them. */
  signal(s: 'SIGINT' | 'SIGTERM'): void;
  /** SIGHUP (a closed SSH session, `kill -HUP`), as the process's handlers deliver it. */
  hangup(): void;
  /** Resolves with the URL once it listens; rejects if the command ends first. */
  listening(): Promise<string>;
}

/**
 * `hokus-check exporter` run in-process with `flags` (those not given as commander fills them), the
 * given environment and working directory.
 */
export function runExporterInProcess(flags: Partial<ExporterFlags>, env: Record<string, string>, cwd: string): InProcessExporter {
  const logs: string[] = [];
  let onSignal: SignalHandler | undefined;
  const io: Io = {
    out: (t) => void logs.push(t),
    err: (t) => void logs.push(t),
    interactive: false,
    color: false,
    readStdin: () => Promise.resolve(''),
    stdoutStream: { columns: 100 } as NodeJS.WriteStream,
    onSignal: (handler) => {
      onSignal = handler;
      return () => (onSignal = undefined);
    },
  };
  const f: Factory = createFactory({ io, env, cwd, version: '0.0.0-test' });
  const done = exporterCommand({ listen: DEFAULTS.listen, env: [], ...flags }, f);
  const listening = () =>
    new Promise<string>((resolve, reject) => {
      let settled = false;
      void done.then((code) => {
        if (!settled) reject(new Error(`the exporter ended (exit ${code}) before listening:\n${logs.join('')}`));
        settled = true;
      });
      const poll = () => {
        if (settled) return;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(logs.join(''));
        if (m) {
          settled = true;
          resolve(m[1]!);
        } else setTimeout(poll, 20);
      };
      poll();
    });
  return { done, logs, signal: (s) => onSignal?.(s), hangup: () => onSignal?.('SIGHUP'), listening };
}

export interface SpawnedExporter {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/**
 * The binary as a user starts it (`hokus-check exporter --listen 127.0.0.1:0 …`); resolves once it
 * listens. `fdLimit`: started through `bash -c 'ulimit -n N; exec node …'`, so the process can hold
 * at most N file descriptors.
 */
export async function spawnExporter(
  args: string[],
  env: Record<string, string>,
  opts: { fdLimit?: number } = {},
): Promise<SpawnedExporter> {
  const argv = [BIN, 'exporter', '--listen', '127.0.0.1:0', ...args];
  const child =
    opts.fdLimit === undefined
      ? spawn(process.execPath, argv, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('bash', ['-c', `ulimit -n ${opts.fdLimit} && exec "$0" "$@"`, process.execPath, ...argv], {
          env: { PATH: process.env.PATH ?? '', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`exporter exited early:\n${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Text exposition → samples; throws on a line that is neither a comment nor a sample. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample with this name whose labels include `labels` (or `fallback` when none). */
export function value(samples: Sample[], name: string, labels: Record<string, string> = {}, fallback?: number): number {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length === 0 && fallback !== undefined) return fallback;
  if (hits.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${hits.length} samples`);
  return hits[0]!.value;
}

/** Polls `probeOnce` (sync or async) until it returns a value; bounded by attempts, not by a clock assertion. */
export async function eventually<T>(
  what: string,
  probeOnce: () => T | undefined | Promise<T | undefined>,
  detail: () => string = () => '',
  attempts = 300,
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const result = await Promise.resolve()
      .then(probeOnce)
      .catch(() => undefined);
    if (result !== undefined) return result;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}\n${detail()}`);
}

/** GET with an optional scrape timeout header; status and body. */
export async function scrape(url: string, scrapeTimeoutSeconds?: number): Promise<{ status: number; body: string }> {
  const res = await fetch(
    url,
    scrapeTimeoutSeconds === undefined ? {} : { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': String(scrapeTimeoutSeconds) } },
  );
  return { status: res.status, body: await res.text() };
}

export interface Gate {
  url: string;
  /** Requests held now. */
  holding(): number;
  /** Lets every held request (and any later one, until arm()) through. */
  release(): void;
  /** Holds again. */
  arm(): void;
  close(): Promise<void>;
}

/** A gate to `upstream` that holds each registered-models/create: a check kept in flight inside register. */
export function gateRegister(upstream: string): Promise<Gate> {
  return startGate(upstream, (path) => path.includes('registered-models/create'));
}

/** Waits until `gate` holds a request (`what` names it, should it never). */
export function untilHeld(gate: Gate, what: string): Promise<true> {
  return eventually(what, () => (gate.holding() > 0 ? true : undefined));
}

/** A reverse proxy to `upstream` that holds each request `hold(path)` picks until release(). */
export async function startGate(upstream: string, hold: (path: string) => boolean): Promise<Gate> {
  let held = 0;
  let open = false;
  const waiting: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const send = () => forward(req, res, upstream);
    if (open || !hold(req.url ?? '/')) return send();
    held++;
    req.pause();
    const go = () => {
      held--;
      req.resume();
      send();
    };
    waiting.push(go);
    // A client that gave up (its check's deadline) is not forwarded later: no late side effect.
    res.once('close', () => {
      const at = waiting.indexOf(go);
      if (at >= 0) {
        waiting.splice(at, 1);
        held--;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holding: () => held,
    release: () => {
      open = true;
      for (const go of waiting.splice(0)) go();
    },
    arm: () => void (open = false),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
