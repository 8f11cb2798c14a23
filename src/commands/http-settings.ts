// The HTTP client settings every command uses against a target: the key and the origins it may go
// to, timeouts, retries, TLS (--insecure, --ca-file, the client certificate), the proxy variables of the environment, the
// User-Agent and the W3C trace id (--no-trace-context: none). One owner, so `check`, `--wait`, the
// exporter's probes and `sweep` all honour the same flags.
import { readFileSync } from 'node:fs';
import { UsageError } from '../config/errors.js';
import type { Settings } from '../config/resolve.js';
import { keyOrigins } from '../config/urls.js';
import type { Factory } from '../factory.js';
import type { HttpOptions } from '../http/client.js';
import { BasicCredentials, type ApiKey } from '../http/secret.js';
import { newTraceId } from '../http/trace-context.js';
import type { Target } from '../steps/types.js';

export function targetHttpOptions(
  target: Target,
  /** The key (a Bearer token), or MLflow's Basic credentials (commands/keys.ts credentialOf). */
  key: ApiKey | BasicCredentials | undefined,
  check: Settings['check'],
  f: Pick<Factory, 'env' | 'version'>,
  signal: AbortSignal,
  ca = readCaFile(check.caFile),
): HttpOptions {
  return {
    ...commonHttpOptions(check, f, signal, ca),
    ...(key instanceof BasicCredentials ? { basic: key } : key ? { key } : {}),
    keyOrigins: keyOrigins(target),
    retries: check.retries,
    // Mutual TLS: presented to the target's own origins only (the origins its key may go to).
    ...(target.clientCert
      ? { clientCert: { cert: target.clientCert.chainPem, key: target.clientCert.key, origins: keyOrigins(target) } }
      : {}),
    // Called once per target per check: one trace for the check of a target (its --wait polls too).
    ...(check.traceContext ? { traceId: newTraceId() } : {}),
  };
}

/** For --post-report's collector: the same TLS, proxy and User-Agent settings, no key, no retries, no traceparent (not a target). */
export function collectorHttpOptions(
  check: Settings['check'],
  f: Pick<Factory, 'env' | 'version'>,
  signal: AbortSignal,
  ca = readCaFile(check.caFile),
): HttpOptions {
  return { ...commonHttpOptions(check, f, signal, ca), keyOrigins: [], retries: 0 };
}

/** What every client of a command shares: timeouts, TLS verification and CA, the proxy variables, the User-Agent. */
function commonHttpOptions(
  check: Settings['check'],
  f: Pick<Factory, 'env' | 'version'>,
  signal: AbortSignal,
  ca: Buffer | undefined,
): Omit<HttpOptions, 'keyOrigins' | 'retries'> {
  return {
    timeoutMs: check.timeoutMs,
    connectTimeoutMs: check.connectTimeoutMs,
    insecure: check.insecure,
    ...(ca ? { ca } : {}),
    signal,
    userAgent: `hokus-check/${f.version}`,
    proxyEnv: proxyEnvOf(f.env),
  };
}

/** The --ca-file contents; a usage error (exit 2) when it cannot be read. */
export function readCaFile(path: string | undefined, source = '--ca-file'): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError([`${source}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`]);
  }
}

function proxyEnvOf(env: Readonly<Record<string, string | undefined>>): NonNullable<HttpOptions['proxyEnv']> {
  const out: NonNullable<HttpOptions['proxyEnv']> = {};
  const http = env.HTTP_PROXY ?? env.http_proxy;
  const https = env.HTTPS_PROXY ?? env.https_proxy;
  const no = env.NO_PROXY ?? env.no_proxy;
  if (http) out.httpProxy = http;
  if (https) out.httpsProxy = https;
  if (no) out.noProxy = no;
  return out;
}
