// The exporter's own metrics on /metrics (prom-client): the process, and what the probes did. Labels
// are configured environment names and fixed words only: a name someone typed into a URL never
// becomes a series (unbounded cardinality, and it is not ours to echo).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Verdict } from '../report/schema.js';

export type ProbeErrorReason = 'bad_request' | 'unknown_env' | 'wait_timeout' | 'internal';

export interface ExporterMetrics {
  registry: Registry;
  /** A check ran to its end (shared scrapes are not counted again). */
  probeFinished(env: string, verdict: Verdict, seconds: number): void;
  /** A /probe scrape was answered from a check; `shared`: it joined one already running. */
  scrapeAnswered(env: string, shared: boolean): void;
  probeError(reason: ProbeErrorReason): void;
  inFlight: Gauge;
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
    help: '/probe requests answered; shared="true": answered from a check of the same environment already running.',
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
  const duration = new Histogram({
    name: 'hokus_check_exporter_probe_duration_seconds',
    help: 'Wall time of each check the exporter ran.',
    labelNames: ['env'] as const,
    buckets: [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  // Every series exists from the start (0), so rate() and absent() work from the first scrape.
  for (const env of environments) {
    for (const shared of ['true', 'false']) scrapes.inc({ env, shared }, 0);
  }
  for (const reason of ['bad_request', 'unknown_env', 'wait_timeout', 'internal'] as const) errors.inc({ reason }, 0);
  return {
    registry,
    inFlight,
    probeFinished: (env, verdict, seconds) => {
      probes.inc({ env, verdict });
      duration.observe({ env }, seconds);
    },
    scrapeAnswered: (env, shared) => scrapes.inc({ env, shared: String(shared) }),
    probeError: (reason) => errors.inc({ reason }),
  };
}
