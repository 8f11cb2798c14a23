// What the exporter allows a client: every bound on connections, requests and probes, with
// the value the README's "Run as a monitor" section and `hokus-check exporter --help` document
// (test/unit/exporter/limits.test.ts holds the three together). It is a service that runs for weeks
// on a port anyone on the network path may reach: a slow or idle client is dropped, and no number of
// them stops /probe from answering within 1024 file descriptors (test/e2e/exporter-hostile.test.ts).
// This module imports nothing, so `--help` can show it without loading the exporter.

export interface ExporterLimits {
  /**
   * Connections open at once. At the limit, a new connection closes the oldest one that has no
   * request in progress (an idle socket, a client still sending its headers, a keep-alive
   * connection between requests); with none such, the new one is closed. 256 connections and 32
   * checks' outgoing sockets (a check holds at most a few at once) fit the common limit of 1024
   * file descriptors.
   */
  maxConnections: number;
  /** A request's headers must arrive within this, from the connection or the previous answer (else 408, closed). */
  headersTimeoutMs: number;
  /** The whole request must arrive within this (a GET has no body: the same bound). */
  requestTimeoutMs: number;
  /** A keep-alive connection with no request for this long is closed. */
  keepAliveTimeoutMs: number;
  /** Largest request head (request line and headers); larger: 431, closed. */
  maxHeaderBytes: number;
  /** /probe requests being answered at once (waiting on a check, own or joined); beyond: 503. */
  maxScrapesInFlight: number;
  /**
   * Checks running at once, all environments and budgets together; a scrape that would start another: 503.
   * Room for a Prometheus job that scrapes 20 environments in the same second (bench figure 5).
   */
  maxChecksInFlight: number;
}

export const EXPORTER_LIMITS: Readonly<ExporterLimits> = Object.freeze({
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
  maxScrapesInFlight: 64,
  maxChecksInFlight: 32,
});

/**
 * Each limit as the README ("Run as a monitor") and `hokus-check exporter --help` state it: both
 * carry these phrases word for word (test/unit/exporter/limits.test.ts).
 */
export function describeLimits(l: ExporterLimits = EXPORTER_LIMITS): Record<keyof ExporterLimits, string> {
  return {
    maxConnections: `at most ${l.maxConnections} connections open at once`,
    headersTimeoutMs: `a request's headers within ${seconds(l.headersTimeoutMs)}`,
    requestTimeoutMs: `the whole request within ${seconds(l.requestTimeoutMs)}`,
    keepAliveTimeoutMs: `an idle keep-alive connection closed after ${seconds(l.keepAliveTimeoutMs)}`,
    maxHeaderBytes: `a request head of at most ${l.maxHeaderBytes / 1024} KiB`,
    maxScrapesInFlight: `at most ${l.maxScrapesInFlight} /probe requests answered at once`,
    maxChecksInFlight: `at most ${l.maxChecksInFlight} checks running at once`,
  };
}

/** The limits for `hokus-check exporter --help` (src/cli.ts adds it after the options). */
export function exporterLimitsHelp(l: ExporterLimits = EXPORTER_LIMITS): string {
  const d = describeLimits(l);
  return [
    'Limits (each fixed; README "Run as a monitor"):',
    `  ${d.maxConnections}; at the limit the one idle longest`,
    '    (no request in progress) is closed to admit a new one, or else the new one',
    `  ${d.headersTimeoutMs} (else 408), ${d.requestTimeoutMs}`,
    `  ${d.keepAliveTimeoutMs}; ${d.maxHeaderBytes} (else 431)`,
    `  ${d.maxScrapesInFlight}, ${d.maxChecksInFlight}`,
    '    (beyond either: 503, which Prometheus records as a failed scrape)',
    'SIGHUP reloads --config (on an invalid one the previous config stays, one log line);',
    'SIGINT, SIGTERM or SIGQUIT stop it after running checks clean up.',
  ].join('\n');
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
