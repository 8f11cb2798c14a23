// The HTTP client settings every command uses against a target: the key and the origins it may go
// to, timeouts, retries, TLS (--insecure, --ca-file), the proxy variables of the environment and the
// User-Agent. One owner, so `check`, `--wait` and `sweep` all honour the same flags.
import { readFileSync } from 'node:fs';
import { UsageError } from '../config/errors.js';
import type { Settings } from '../config/resolve.js';
import { keyOrigins } from '../config/urls.js';
import type { Factory } from '../factory.js';
import type { HttpOptions } from '../http/client.js';
import type { ApiKey } from '../http/secret.js';
import type { Target } from '../steps/types.js';

export function targetHttpOptions(
  target: Target,
  key: ApiKey | undefined,
  check: Settings['check'],
  f: Pick<Factory, 'env' | 'version'>,
  signal: AbortSignal,
  ca = readCaFile(check.caFile),
): HttpOptions {
  return {
    ...(key ? { key } : {}),
    keyOrigins: keyOrigins(target),
    timeoutMs: check.timeoutMs,
    connectTimeoutMs: check.connectTimeoutMs,
    retries: check.retries,
    insecure: check.insecure,
    ...(ca ? { ca } : {}),
    signal,
    userAgent: `hokus-check/${f.version}`,
    proxyEnv: proxyEnvOf(f.env),
  };
}

/** For --post-report's collector: the same TLS, proxy and User-Agent settings, no key, no retries. */
export function collectorHttpOptions(
  check: Settings['check'],
  f: Pick<Factory, 'env' | 'version'>,
  signal: AbortSignal,
  ca = readCaFile(check.caFile),
): HttpOptions {
  return {
    keyOrigins: [],
    timeoutMs: check.timeoutMs,
    connectTimeoutMs: check.connectTimeoutMs,
    retries: 0,
    insecure: check.insecure,
    ...(ca ? { ca } : {}),
    signal,
    userAgent: `hokus-check/${f.version}`,
    proxyEnv: proxyEnvOf(f.env),
  };
}

/** The --ca-file contents; a usage error (exit 2) when it cannot be read. */
export function readCaFile(path: string | undefined): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError([`--ca-file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`]);
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
