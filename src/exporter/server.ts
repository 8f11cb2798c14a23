// The exporter's HTTP server, in blackbox_exporter's shape:
//   GET /probe?env=NAME  one check of that environment, answered as Prometheus text (report/prometheus.ts)
//   GET /metrics         the exporter's own metrics (metrics.ts)
//   GET /                a short page naming both
// A scrape that overlaps a running check of the same environment AND the same budget joins it
// (single-flight.ts, flightKey below) and is answered with its result; it waits at most its own
// budget, else 503 (Prometheus records the scrape as failed: up == 0, no hokus_check_* samples, so no
// false "registration broken"). A scrape never joins a check with another budget: one with a shorter
// budget would answer DEADLINE_EXCEEDED for a healthy stack (a client scraping with a 0.3 s timeout in
// a loop made every real scrape fail so, test/e2e/exporter-poisoning.test.ts), one with a longer
// budget may outlast the scrape and turn a diagnosis it could have given into a 503.
// What a client may hold — connections, time to send a request, scrapes and checks at once — is
// bounded (limits.ts, connections.ts); SIGHUP swaps the environments (replaceEnvironments) without
// touching a check in flight.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { secretsOf } from '../commands/keys.js';
import { quoteSafely } from '../config/key-guard.js';
import { createRedactor, type RedactionSecret, type Redactor } from '../http/redact.js';
import { safeText } from '../report/safe-output.js';
import { renderPrometheus } from '../report/prometheus.js';
import type { Report } from '../report/schema.js';
import { probeBudget, type ProbeBudget } from './budget.js';
import { limitConnections } from './connections.js';
import { EXPORTER_LIMITS, type ExporterLimits } from './limits.js';
import { listenUrl, type ListenAddress } from './listen.js';
import { createExporterMetrics, type ExporterMetrics } from './metrics.js';
import { runProbe, type ProbeEnvironment } from './probe.js';
import { SingleFlight } from './single-flight.js';

export interface ExporterOptions {
  /** Environment name → what its probe needs. */
  environments: ReadonlyMap<string, ProbeEnvironment>;
  version: string;
  /** The process environment (proxy settings). */
  env: Record<string, string | undefined>;
  listen: ListenAddress;
  /** --timeout-offset in ms; undefined: 10 % of the scrape timeout, at most 500 ms. */
  timeoutOffsetMs?: number;
  /** One line per event, without the trailing newline; already redacted. */
  log: (line: string) => void;
  /** Tests only: other limits than the documented ones (limits.ts). */
  limits?: Partial<ExporterLimits>;
}

export interface Exporter {
  url: string;
  metrics: ExporterMetrics;
  /**
   * Serves these environments from now on (a reloaded config). Checks in flight finish with the
   * environment they started with; a later scrape never joins one of them.
   */
  replaceEnvironments(environments: ReadonlyMap<string, ProbeEnvironment>): void;
  /** Stops listening, ends running checks' steps, waits for their cleanup. */
  close(): Promise<void>;
}

const EXPOSITION = 'text/plain; version=0.0.4; charset=utf-8';

/** What the handlers share: the current environments (a reload swaps them) and what runs now. */
interface Served {
  opts: ExporterOptions;
  limits: ExporterLimits;
  metrics: ExporterMetrics;
  flights: SingleFlight<Report>;
  /** Ends running checks' steps: the exporter is closing. */
  stop: AbortController;
  environments: ReadonlyMap<string, ProbeEnvironment>;
  names: string[];
  /** Bumped by each reload: a scrape joins only a check of the config it was answered from. */
  generation: number;
  /** Every key any config named, old ones included: a check of the previous config may still run. */
  secrets: Map<string, RedactionSecret>;
  redact: Redactor;
  scrapesInFlight: number;
  log: (line: string) => void;
}

export async function startExporter(opts: ExporterOptions): Promise<Exporter> {
  const names = [...opts.environments.keys()];
  const served: Served = {
    opts,
    limits: { ...EXPORTER_LIMITS, ...opts.limits },
    metrics: createExporterMetrics(names),
    flights: new SingleFlight<Report>(),
    stop: new AbortController(),
    environments: opts.environments,
    names,
    generation: 0,
    secrets: new Map(),
    redact: (s) => s,
    scrapesInFlight: 0,
    log: (line) => opts.log(safeText(line, served.redact)),
  };
  addSecrets(served, opts.environments);
  const server = createHttpServer(served);
  await listen(server, opts.listen);
  const address = server.address() as AddressInfo;
  const url = listenUrl(opts.listen.host ?? (address.family === 'IPv6' ? '::' : '0.0.0.0'), address.port);
  served.log(`listening on ${url} (environments: ${names.join(', ')})`);

  let closing: Promise<void> | undefined;
  return {
    url,
    metrics: served.metrics,
    replaceEnvironments: (next) => {
      served.environments = next;
      served.names = [...next.keys()];
      served.generation++;
      served.metrics.addEnvironments(served.names);
      addSecrets(served, next);
    },
    close: () => {
      closing ??= (async () => {
        served.stop.abort();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled(served.flights.all());
        // Let the handlers that waited on those checks write their answers first.
        await new Promise((resolve) => setImmediate(resolve));
        server.closeAllConnections();
        await stopped;
      })();
      return closing;
    },
  };
}

/** Remembers the keys of `from` and redacts with every key seen so far. */
function addSecrets(served: Served, from: ReadonlyMap<string, ProbeEnvironment>): void {
  for (const e of from.values()) for (const s of secretsOf(e.key)) served.secrets.set(typeof s === 'string' ? s : s.value, s);
  served.redact = createRedactor([...served.secrets.values()]);
}

/** The server with its limits (limits.ts, connections.ts); a handler that throws answers 500 and logs why. */
function createHttpServer(served: Served): Server {
  const { limits, metrics } = served;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // How often Node looks for requests past headersTimeout/requestTimeout (its default: 30 s).
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      handle(req, res, served).catch((err: unknown) => {
        metrics.probeError('internal');
        served.log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) reply(res, 500, 'internal error (see the exporter log)\n');
        else res.destroy();
      });
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  metrics.countConnections(limitConnections(server, limits.maxConnections, (why) => metrics.connectionDropped(why)));
  return server;
}

function listen(server: Server, at: ListenAddress): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, served: Served): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://exporter.invalid');
  if (req.method !== 'GET') return reply(res, 405, 'only GET\n', { allow: 'GET' });
  if (served.stop.signal.aborted) return reply(res, 503, 'shutting down\n');
  if (url.pathname === '/metrics') {
    const registry = served.metrics.registry;
    return reply(res, 200, await registry.metrics(), { 'content-type': registry.contentType });
  }
  if (url.pathname === '/') return reply(res, 200, landing(served.names), { 'content-type': 'text/html; charset=utf-8' });
  if (url.pathname !== '/probe') return reply(res, 404, 'not found: use /probe?env=NAME or /metrics\n');
  return answerProbe(req, res, url, served);
}

/** GET /probe?env=NAME: the environment's check (run now, or joined), as Prometheus text, within the scrape's budget. */
async function answerProbe(req: IncomingMessage, res: ServerResponse, url: URL, served: Served): Promise<void> {
  const { metrics, limits, flights } = served;
  const given = url.searchParams.getAll('env');
  const configured = served.names.join(', ') || 'none';
  if (given.length !== 1 || given[0] === '') {
    metrics.probeError('bad_request');
    return reply(res, 400, `give one environment: /probe?env=NAME (configured: ${configured})\n`);
  }
  const name = given[0]!;
  const environment = served.environments.get(name);
  if (!environment) {
    metrics.probeError('unknown_env');
    return reply(res, 400, `unknown environment ${served.redact(quoteSafely(name))} (configured: ${configured})\n`);
  }
  if (served.scrapesInFlight >= limits.maxScrapesInFlight) {
    metrics.probeError('too_many_scrapes');
    const busy = `busy: the exporter's limit of ${limits.maxScrapesInFlight} /probe requests answered at once is reached; try again later\n`;
    return reply(res, 503, busy);
  }
  const timeout = header(req, 'x-prometheus-scrape-timeout-seconds');
  const budget = probeBudget(timeout, environment.settings.check.deadlineMs, served.opts.timeoutOffsetMs);
  const key = flightKey(served.generation, name, budget);
  if (!flights.has(key) && flights.size >= limits.maxChecksInFlight) {
    metrics.probeError('too_many_checks');
    return reply(
      res,
      503,
      `busy: the exporter's limit of ${limits.maxChecksInFlight} checks running at once is reached; try again later\n`,
    );
  }
  served.scrapesInFlight++;
  metrics.scrapesInFlight.inc();
  let report: Report | undefined;
  let shared: boolean;
  try {
    const flight = flights.run(key, () => probe(name, environment, budget, served));
    shared = flight.shared;
    report = shared ? await within(flight.result, budget.totalMs) : await flight.result;
  } finally {
    served.scrapesInFlight--;
    metrics.scrapesInFlight.dec();
  }
  if (report === undefined) {
    metrics.probeError('wait_timeout');
    return reply(res, 503, `a check of ${name} started by an earlier scrape is still running; this scrape's timeout ended first\n`);
  }
  metrics.scrapeAnswered(name, shared);
  // One pass over the exposition, not over the whole report (its exchanges, headers and body
  // excerpts, which the exposition never shows): label values are escaped and stripped of controls
  // by renderPrometheus, and the key in any form is redacted from the text as a whole.
  reply(res, 200, safeText(renderPrometheus(report), served.redact), { 'content-type': EXPOSITION });
}

/** One check of `name`, counted and logged. */
async function probe(name: string, environment: ProbeEnvironment, budget: ProbeBudget, served: Served): Promise<Report> {
  const { metrics, opts } = served;
  metrics.inFlight.inc();
  try {
    const report = await runProbe(environment, { version: opts.version, env: opts.env, budget, stop: served.stop.signal });
    const t = report.targets[0];
    const seconds = (t?.durationMs ?? report.durationMs) / 1000;
    metrics.probeFinished(name, report.verdict, seconds);
    const codes = t?.findings.map((f) => f.code).join(',') || '-';
    served.log(
      `probe env=${name} verdict=${report.verdict} duration=${seconds.toFixed(3)}s findings=${codes} leftovers=${t?.leftovers.length ?? 0}`,
    );
    return report;
  } finally {
    metrics.inFlight.dec();
  }
}

/**
 * Which scrapes share one check: the same environment of the same config, with the same budget
 * (Prometheus sends the same scrape timeout on every scrape of one job, so its scrapes share; a
 * client with another timeout gets a check of its own, within the checks' limit).
 */
export function flightKey(generation: number, env: string, budget: ProbeBudget): string {
  return JSON.stringify([generation, env, budget.stepsMs, budget.totalMs]);
}

/** The shared result, or undefined when `ms` passes first. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

function landing(names: readonly string[]): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const links = names.map((n) => `<li><a href="/probe?env=${encodeURIComponent(n)}">/probe?env=${esc(n)}</a></li>`).join('');
  return `<!doctype html><title>hokus-check exporter</title><h1>hokus-check exporter</h1><ul>${links}</ul><p><a href="/metrics">/metrics</a></p>\n`;
}
