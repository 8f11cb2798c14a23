// Runs the matrix for one real proxy: the embedded stack behind it, the proxy started once with a
// site per fault, the check run in-process per cell (resolveSettings → runChecks, as the CLI does),
// and each cell's outcome appended to a TSV under the OS temp dir that `npm run matrix` prints.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { closedPort } from '../helpers/safety-servers.js';
import { makeCertificates } from '../helpers/safety-tls.js';
import { runCheckInProcess } from '../helpers/safety-inprocess.js';
import { startProxy, type ProxyKind, type RunningProxy, type Site } from '../helpers/real-proxy.js';
import { tempDir } from '../helpers/tmp.js';
import { CELLS, type Cell, type Certs, type Upstreams } from './matrix.js';

/** Where each proxy's run writes its rows (proxy, fault, exit, root step, code, responder, status): `npm run matrix` prints them. */
export const MATRIX_DIR = path.join(os.tmpdir(), 'hokus-check-real-proxies');

export interface Outcome {
  exit: number;
  step?: string;
  code?: string;
  responder?: string;
  status?: number;
  /** What the terminal showed, for failure messages. */
  terminal: string;
}

interface ReportShape {
  targets: Array<{
    steps: Array<{ id: string; rootCause: boolean; status: string }>;
    findings: Array<{ code: string; step: string; rootCause: boolean; evidence: string[]; severity: string }>;
    exchanges: Array<{
      id: string;
      label: string;
      responder?: string;
      request: { method: string; url: string };
      response?: { status: number; headers: Array<[string, string]>; bodyExcerpt: string };
      timings: { total: number };
    }>;
  }>;
}

export function defineMatrix(kind: ProxyKind): void {
  const cells = CELLS.filter((c) => (!c.only || c.only.includes(kind)) && !c.notFor?.[kind]);
  const notApplicable = CELLS.filter((c) => c.notFor?.[kind]);
  const tmp = tempDir();
  let stack: Stack;
  let silent: net.Server;
  let proxy: RunningProxy;
  /** Caddy picks a certificate by SNI across all sites, never by port: its TLS cells get their own instance. */
  const own = new Map<Cell, RunningProxy>();
  let caFile: string;
  const sitesOf = new Map<Cell, Site[]>();
  const matrixFile = path.join(MATRIX_DIR, `matrix-${kind}.tsv`);
  /** The answer each faulty cell's root finding cites first (test/fixtures/proxies/pages.json is made from these). */
  const pagesFile = path.join(MATRIX_DIR, `pages-${kind}.jsonl`);
  /** What the terminal showed for each cell, for reading the causes and fixes as a user sees them. */
  const terminalFile = path.join(MATRIX_DIR, `terminal-${kind}.txt`);

  beforeAll(async () => {
    const [s, certs, closed, quiet] = await Promise.all([startStack({ pendingPolls: 0 }), certificates(), closedPort(), silentServer()]);
    stack = s;
    silent = quiet.server;
    // The shared experiment exists before cells run side by side (they would race to create it).
    stack.seed.experiment('hokus-check');
    const upstreams: Upstreams = {
      api: stack.registryUrl,
      auth: stack.authUrl,
      mlflow: stack.mlflowUrl,
      closed: `http://127.0.0.1:${closed}`,
      silent: quiet.url,
    };
    caFile = tmp.file('ca.pem');
    writeFileSync(caFile, certs.caPem);
    for (const cell of cells) sitesOf.set(cell, cell.sites(upstreams, certs, kind));
    const alone = (c: Cell) => kind === 'caddy' && sitesOf.get(c)!.some((site) => site.tls);
    const shared = cells.filter((c) => !alone(c));
    const [main, ...separate] = await Promise.all([
      startProxy(
        kind,
        shared.flatMap((c) => sitesOf.get(c)!),
      ),
      ...cells.filter(alone).map(async (c) => [c, await startProxy(kind, sitesOf.get(c)!)] as const),
    ]);
    proxy = main;
    for (const entry of separate) own.set(entry[0], entry[1]);
    mkdirSync(MATRIX_DIR, { recursive: true });
    // A fault this proxy cannot express is a row of the matrix too, saying why.
    writeFileSync(matrixFile, notApplicable.map((c) => `${[kind, c.fault, 'n/a', '-', c.notFor![kind], '-', '-'].join('\t')}\n`).join(''));
    writeFileSync(pagesFile, '');
    writeFileSync(terminalFile, '');
  }, 60_000);

  afterAll(async () => {
    await Promise.all([proxy?.stop(), ...[...own.values()].map((p) => p.stop())]);
    silent?.close();
    await stack?.close();
    tmp.remove();
  });

  describe.concurrent(`${kind} in front of the embedded stack`, () => {
    for (const cell of cells) {
      const want = cell.expect(kind);
      const title =
        want.exit === 0
          ? `${cell.fault}: exit 0, no findings`
          : `${cell.fault}: ${String(want.code)} at ${want.step}, answered by ${want.responder}`;
      it(title, async () => {
        const site = sitesOf.get(cell)![0]!;
        const serving = own.get(cell) ?? proxy;
        const url = withScheme(serving.url(site.name), cell.scheme) + (cell.registryPath ?? '');
        const got = await runCell(
          cell,
          url,
          cell.authSite ? withScheme(serving.url(cell.authSite), cell.authScheme) : stack.authUrl,
          cell.ca ? caFile : undefined,
          tmp.path,
          stack.apiKey,
        );
        if (got.answer)
          appendFileSync(pagesFile, `${JSON.stringify({ proxy: kind, fault: cell.fault, responder: got.responder, ...got.answer })}\n`);
        appendFileSync(terminalFile, `=== ${kind} · ${cell.fault}\n${got.terminal}\n`);
        appendFileSync(
          matrixFile,
          `${[kind, cell.fault, got.exit, got.step ?? '-', got.code ?? '-', got.responder ?? '-', got.status ?? '-'].join('\t')}\n`,
        );
        const context = `${kind} · ${cell.fault}${cell.pending ? ` (pending: ${cell.pending})` : ''}\n${got.terminal}\n${serving.errorLog().slice(-2000)}`;
        if (want.exit === 0) {
          expect({ exit: got.exit, code: got.code }, context).toEqual({ exit: 0, code: undefined });
          expect(got.findings, context).toEqual([]);
          expect(
            got.steps.filter((st) => st !== 'pass' && st !== 'skipped'),
            context,
          ).toEqual([]);
          return;
        }
        const actual = {
          exit: got.exit,
          step: got.step,
          code: got.code,
          responder: got.responder,
          ...(want.status ? { status: got.status } : {}),
        };
        expect(actual, context).toEqual({
          ...want,
          code: want.code instanceof RegExp ? (expect.stringMatching(want.code) as unknown) : want.code,
        });
      });
    }
  });
}

/** `url` with `scheme` instead of its own, when given (http:// to a TLS port, and the reverse). */
function withScheme(url: string, scheme: 'http' | 'https' | undefined): string {
  return scheme ? url.replace(/^https?:/, `${scheme}:`) : url;
}

interface Captured {
  method: string;
  path: string;
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

async function runCell(
  cell: Cell,
  url: string,
  authUrl: string,
  caFile: string | undefined,
  cwd: string,
  key: string,
): Promise<Outcome & { findings: string[]; steps: string[]; answer?: Captured }> {
  const target = cell.shape === 'mlflow' ? { mlflowUrl: url } : { registryUrl: url, authUrl };
  const flags = { ...target, timeout: '3s', ...(caFile ? { caFile } : {}), ...(cell.flags ?? {}) };
  const run = await runCheckInProcess({ flags, outputs: { json: '-' }, key, cwd });
  let report: ReportShape;
  try {
    report = JSON.parse(run.out) as ReportShape;
  } catch {
    return { exit: run.code, terminal: `${run.err}\n${run.out}`, findings: [], steps: [] };
  }
  const t = report.targets[0]!;
  const root = t.findings.find((f) => f.rootCause);
  const first = root?.evidence[0];
  const x = first ? t.exchanges.find((e) => e.id === first) : undefined;
  return {
    exit: run.code,
    ...(root ? { step: root.step, code: root.code } : { step: t.steps.find((s) => s.rootCause)?.id }),
    ...(root ? { responder: x?.response ? (x.responder ?? 'unknown') : 'none' } : {}),
    ...(x?.response ? { status: x.response.status } : {}),
    // Each exchange's time too: the timing rules (a round timeout after fast calls) read them.
    terminal: `${run.err}\n${t.exchanges.map((e) => `${e.id} ${e.label} ${e.response?.status ?? 'no answer'} ${Math.round(e.timings.total)} ms`).join('\n')}`,
    findings: t.findings.map((f) => `${f.severity} ${f.code} at ${f.step}`),
    steps: t.steps.map((st) => st.status),
    ...(x?.response
      ? {
          answer: {
            method: x.request.method,
            path: new URL(x.request.url).pathname,
            status: x.response.status,
            // Only what names the writer; dates and ports change from run to run.
            headers: x.response.headers
              .filter(([n]) => /^(server|content-type|via|location|retry-after|www-authenticate)$/i.test(n))
              .map(([n, v]) => [n, n.toLowerCase() === 'location' ? v.replace(/:\d+/, ':PORT') : v] as [string, string]),
            body: x.response.bodyExcerpt,
          },
        }
      : {}),
  };
}

async function certificates(): Promise<Certs & { caPem: string }> {
  const ca = await makeCertificates();
  const now = Date.now();
  const self = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 86_400_000),
    notAfterDate: new Date(now + 10 * 86_400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return {
    caPem: ca.caPem,
    good: ca.good,
    expired: ca.expired,
    otherHost: ca.otherHost,
    selfSigned: { key: self.private, cert: self.cert },
  };
}

/** A TCP server that accepts every connection and never says a word. */
async function silentServer(): Promise<{ server: net.Server; url: string }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = server.close.bind(server);
  server.close = (cb) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  };
  return { server, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` };
}
