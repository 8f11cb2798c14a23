// The one undici dispatcher of a client: keep-alive pool per origin, TLS settings, timed connector,
// and the proxy only when the caller passes proxy settings (nothing here reads process.env).
import { Agent, EnvHttpProxyAgent, buildConnector, type Dispatcher } from 'undici';
import { timedConnector } from './timings.js';

export interface ProxyEnv {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

export interface DispatcherOptions {
  connectTimeoutMs: number;
  timeoutMs: number;
  insecure?: boolean;
  ca?: string | Buffer;
  proxyEnv?: ProxyEnv;
}

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const tls = {
    rejectUnauthorized: !opts.insecure,
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
  };
  const agentOptions = {
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connect: timedConnector(buildConnector({ timeout: opts.connectTimeoutMs, ...tls })),
  };
  const proxy = opts.proxyEnv;
  if (proxy?.httpProxy || proxy?.httpsProxy) {
    // Empty strings, not undefined: undici would otherwise fall back to process.env.
    return new EnvHttpProxyAgent({
      ...agentOptions,
      httpProxy: proxy.httpProxy ?? '',
      httpsProxy: proxy.httpsProxy ?? '',
      noProxy: proxy.noProxy ?? '',
      requestTls: { ...tls, timeout: opts.connectTimeoutMs },
      proxyTls: { ...tls, timeout: opts.connectTimeoutMs },
    });
  }
  return new Agent(agentOptions);
}
