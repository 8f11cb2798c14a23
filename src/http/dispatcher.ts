// The one undici dispatcher of a client: keep-alive pool per origin, TLS settings, timed
// connections, and a proxy only when the caller passes proxy settings (nothing here reads
// process.env).
import { Agent, EnvHttpProxyAgent, Pool, buildConnector, type Dispatcher } from 'undici';
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
    connect: buildConnector({ timeout: opts.connectTimeoutMs, ...tls }),
    factory: poolFactory,
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

/**
 * One pool per origin, its connections timed. Also used under the proxy agent, whose connector
 * (CONNECT through the proxy) it wraps the same way.
 */
function poolFactory(origin: string | URL, options: Agent.Options): Dispatcher {
  const connect = options.connect;
  return new Pool(origin, {
    ...(options as Pool.Options),
    ...(typeof connect === 'function' ? { connect: timedConnector(settleConnectErrors(connect)) } : {}),
  });
}

/**
 * undici treats a connect that fails with UND_ERR_SOCKET ("other side closed") as recoverable and
 * reconnects at once for the queued request, forever — which is what a proxy that hangs up on
 * CONNECT produces. Reported as a reset instead, it fails the request, which our retry policy may
 * retry (nothing reached the target).
 */
function settleConnectErrors(connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) =>
    connect(options, (...args) => {
      const [err] = args;
      if (err && (err as { code?: unknown }).code === 'UND_ERR_SOCKET') {
        const reset = Object.assign(new Error(`connection closed while connecting: ${err.message}`, { cause: err }), {
          code: 'ECONNRESET',
        });
        callback(reset, null);
        return;
      }
      callback(...args);
    });
}
