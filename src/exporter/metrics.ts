// The exporter's own metrics on /metrics (prom-client): the process, what the probes did, the
// connections it held or dropped (limits.ts) and its config reloads (SIGHUP). Labels are configured
// environment names and fixed words only: a name someone typed into a URL never becomes a series
// (unbounded cardinality, and it is not ours to echo).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Verdict } from '../report/schema.js';

export const PROBE_ERROR_REASONS = [
  'bad_request',
  'unknown_env',
  'wait_timeout',
  'too_many_scrapes',
  'too_many_checks',
  'internal',
] as const;
export type ProbeErrorReason = (typeof PROBE_ERROR_REASONS)[number];

/** Why a connection was closed by the exporter before it asked anything (limits.ts, maxConnections). */
export type ConnectionDropReason = 'evicted' | 'refused';

export interface ExporterMetrics {
  registry: Registry;
  /** A check ran to its end (shared scrapes are not counted again). */
  probeFinished(env: string, verdict: Verdict, seconds: number): void;
  /** A /probe scrape was answered from a check; `shared`: it joined one already running. */
  scrapeAnswered(env: string, shared: boolean): void;
  probeError(reason: ProbeErrorReason): void;
  inFlight: Gauge;
  /** /probe requests being answered now (limits.ts, maxScrapesInFlight). */
  scrapesInFlight: Gauge;
  /** Series for environments a reloaded config added. */
  addEnvironments(environments: readonly string[]): void;
  connectionDropped(reason: ConnectionDropReason): void;
  /** `count` is read at each scrape of /metrics: the connections open now. */
  countConnections(count: () => number): void;
  configReloaded(ok: boolean): void;
}

export function createExporterMetrics(environments: readonly string[]): ExporterMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hokus_check_exporter_' });
  const probes = new Counter({
    name: 'hokus_check_exporter_probes_total',
    help: 'Checks run by the exporter, by environment and verdict.',
    labelNames: ['env', 'verdict'] as const,
    registers: [registry],
  });
  const scrapes = new Counter({
    name: 'hokus_check_exporter_scrapes_total',
    help: '/probe requests answered; shared="true": answered from a check of the same environment and budget already running.',
    labelNames: ['env', 'shared'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'hokus_check_exporter_probe_errors_total',
    help: '/probe requests answered without a check result, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const inFlight = new Gauge({ name: 'hokus_check_exporter_probes_in_flight', help: 'Checks running now.', registers: [registry] });
  const scrapesInFlight = new Gauge({
    name: 'hokus_check_exporter_scrapes_in_flight',
    help: '/probe requests being answered now (each waits on a check, its own or one it joined).',
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'hokus_check_exporter_probe_duration_seconds',
    help: 'Wall time of each check the exporter ran.',
    labelNames: ['env'] as const,
    buckets: [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  let connections: () => number = () => 0;
  new Gauge({
    name: 'hokus_check_exporter_connections_open',
    help: "Client connections open now (at most the exporter's connection limit).",
    registers: [registry],
    collect() {
      this.set(connections());
    },
  });
  const dropped = new Counter({
    name: 'hokus_check_exporter_connections_dropped_total',
    help: 'Connections closed at the connection limit: evicted="an older one without a request in progress, to admit a new one", refused="a new one, every open one busy".',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const reloads = new Counter({
    name: 'hokus_check_exporter_config_reloads_total',
    help: 'Config reloads (SIGHUP), by result; on failure the previous config stays in use.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const lastReload = new Gauge({
    name: 'hokus_check_exporter_config_last_reload_successful',
    help: '1 when the last config reload succeeded (or none was asked for), 0 when the exporter still serves the previous config.',
    registers: [registry],
  });
  // Every series exists from the start (0), so rate() and absent() work from the first scrape.
  const addEnvironments = (names: readonly string[]) => {
    for (const env of names) {
      for (const shared of ['true', 'false']) scrapes.inc({ env, shared }, 0);
    }
  };
  addEnvironments(environments);
  for (const reason of PROBE_ERROR_REASONS) errors.inc({ reason }, 0);
  for (const reason of ['evicted', 'refused'] as const) dropped.inc({ reason }, 0);
  for (const result of ['success', 'failure']) reloads.inc({ result }, 0);
  lastReload.set(1);
  return {
    registry,
    inFlight,
    scrapesInFlight,
    probeFinished: (env, verdict, seconds) => {
      probes.inc({ env, verdict });
      duration.observe({ env }, seconds);
    },
    scrapeAnswered: (env, shared) => scrapes.inc({ env, shared: String(shared) }),
    probeError: (reason) => errors.inc({ reason }),
    addEnvironments,
    connectionDropped: (reason) => dropped.inc({ reason }),
    countConnections: (count) => void (connections = count),
    configReloaded: (ok) => {
      reloads.inc({ result: ok ? 'success' : 'failure' });
      lastReload.set(ok ? 1 : 0);
    },
  };
}
