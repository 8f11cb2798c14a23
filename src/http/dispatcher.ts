// The undici dispatchers of a client: keep-alive pool per origin, TLS settings (the client certificate
// of mutual TLS on connections to the target's origins only), timed connections, and a forward proxy
// only when the caller passes proxy settings (nothing here reads process.env).
// Which requests go through the proxy is decided here, once (`proxyFor`): the client records it on
// each exchange, so a failure at the proxy is told from a failure of the target.
import type { KeyObject } from 'node:crypto';
import { Agent, Pool, ProxyAgent, buildConnector, type Dispatcher } from 'undici';
import { portOf } from './host-port.js';
import { timedConnector } from './timings.js';
import { alertRecordingConnector } from './tls-alerts.js';

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
  /** Mutual TLS: the client certificate, presented on TLS connections to its origins only. */
  clientCert?: ClientCertOptions;
}

export interface ClientCertOptions {
  /** The certificate chain, PEM. */
  cert: string;
  /** The private key: exported once, into the TLS options of the connections that present it. */
  key: KeyObject;
  /** Origins (scheme://host:port) it is presented to: the target's own. */
  origins: string[];
}

/** Where a request goes first: straight to its origin, or to a forward proxy that tunnels to it. */
export interface Route {
  dispatcher: Dispatcher;
  /** The forward proxy (its URL as configured, credentials included): undefined when direct. */
  proxy?: string;
  /** Its TLS connection presents the client certificate (when the server asks for one). */
  clientCert?: boolean;
}

export interface Dispatchers {
  route(url: URL): Route;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

export function createDispatchers(opts: DispatcherOptions): Dispatchers {
  const tls = {
    rejectUnauthorized: !opts.insecure,
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
  };
  const plain = connections(opts, tls, tls);
  // Mutual TLS: connections of their own, so the certificate is never offered to another origin,
  // nor to the forward proxy (its TLS, proxyTls, stays without it).
  const cert = opts.clientCert;
  const certOrigins = new Set(cert?.origins ?? []);
  const mutual = cert
    ? connections(opts, tls, { ...tls, cert: cert.cert, key: cert.key.export({ type: 'pkcs8', format: 'pem' }) })
    : undefined;
  const all = () => [...plain.all(), ...(mutual?.all() ?? [])];
  return {
    route(url) {
      if (mutual && url.protocol === 'https:' && certOrigins.has(url.origin)) return { ...mutual.route(url), clientCert: true };
      return plain.route(url);
    },
    close: async () => {
      await Promise.all(all().map((d) => d.close()));
    },
    destroy: async () => {
      await Promise.all(all().map((d) => d.destroy()));
    },
  };
}

interface TlsSettings {
  rejectUnauthorized: boolean;
  ca?: string | Buffer;
  cert?: string;
  key?: string | Buffer;
}

/** Direct connections and one tunnel per forward proxy; `requestTls` is the TLS of the connections to the origins. */
function connections(opts: DispatcherOptions, tls: TlsSettings, requestTls: TlsSettings) {
  const agentOptions = {
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connect: buildConnector({ timeout: opts.connectTimeoutMs, ...requestTls }),
    factory: poolFactory,
  };
  const direct = new Agent(agentOptions);
  const proxies = new Map<string, Dispatcher>();
  return {
    route(url: URL): Route {
      const proxy = proxyFor(url, opts.proxyEnv);
      if (proxy === undefined) return { dispatcher: direct };
      let dispatcher = proxies.get(proxy);
      if (!dispatcher) {
        // Every request through the proxy is tunnelled (CONNECT), plain HTTP too: the proxy relays a
        // connection and never handles a request carrying the key (over TLS it cannot read it; over
        // plain HTTP it is in clear on the wire, as it is without a proxy).
        dispatcher = new ProxyAgent({
          ...agentOptions,
          uri: proxy,
          proxyTunnel: true,
          requestTls: { ...requestTls, timeout: opts.connectTimeoutMs },
          proxyTls: { ...tls, timeout: opts.connectTimeoutMs },
        });
        proxies.set(proxy, dispatcher);
      }
      return { dispatcher, proxy };
    },
    all: (): Dispatcher[] => [direct, ...proxies.values()],
  };
}

/**
 * The proxy a request to `url` goes through, with the rules of undici's EnvHttpProxyAgent (and curl's,
 * mostly): https uses HTTPS_PROXY, else HTTP_PROXY; http uses HTTP_PROXY. NO_PROXY is a list split on
 * commas and blanks: `*` is no proxy at all; an entry `host` or `.host` (or `*.host`) matches that
 * host and its subdomains, `host:port` only that port.
 */
export function proxyFor(url: URL, env: ProxyEnv | undefined): string | undefined {
  if (!env) return undefined;
  const proxy = url.protocol === 'https:' ? env.httpsProxy || env.httpProxy : url.protocol === 'http:' ? env.httpProxy : undefined;
  if (!proxy) return undefined;
  const noProxy = env.noProxy ?? '';
  if (noProxy.trim() === '*') return undefined;
  // url.host keeps an IPv6 address's brackets, as NO_PROXY writes them.
  const hostname = url.host.replace(/:\d*$/, '').toLowerCase();
  const port = portOf(url);
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const host = (parsed ? parsed[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2]!, 10) : 0;
    if (entryPort && entryPort !== port) continue;
    if (hostname === host || hostname.endsWith(`.${host}`)) return undefined;
  }
  return proxy;
}

/** The proxy as evidence may show it: scheme, host and port, never its credentials. */
export function proxyOrigin(proxy: string): string {
  try {
    const u = new URL(proxy);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'a proxy URL that does not parse';
  }
}

/**
 * One pool per origin, its connections timed. Also used under the proxy agent, whose connector
 * (CONNECT through the proxy) it wraps the same way.
 */
function poolFactory(origin: string | URL, options: Agent.Options): Dispatcher {
  const connect = options.connect;
  return new Pool(origin, {
    ...(options as Pool.Options),
    ...(typeof connect === 'function' ? { connect: timedConnector(alertRecordingConnector(settleConnectErrors(connect))) } : {}),
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
