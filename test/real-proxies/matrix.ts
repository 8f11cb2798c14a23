// The real-proxy matrix as data: each fault is a site on the real proxy (its own routes, timeouts,
// limits, certificate) plus the flags the check runs with, and the answer a user must see: exit
// code, root step, a code that names the hop that failed, and who answered (the exchange the root
// finding cites first). The faults are the proxy's own answers; the embedded stack only stands
// behind it, healthy (or absent: a closed port, a server that accepts and never answers).
import { LOGIN_PASSWORD, type Login, type ProxyKind, type Route, type Site } from '../helpers/real-proxy.js';

export interface Upstreams {
  /** The embedded API service (registry). */
  api: string;
  auth: string;
  /** The embedded MLflow server. */
  mlflow: string;
  /** A port nothing listens on. */
  closed: string;
  /** Accepts connections and never answers. */
  silent: string;
}

export interface Certs {
  /** Signed by the test CA (--ca-file), valid, for 127.0.0.1. */
  good: { key: string; cert: string };
  expired: { key: string; cert: string };
  otherHost: { key: string; cert: string };
  /** Signed by itself, for 127.0.0.1: trusted by nothing. */
  selfSigned: { key: string; cert: string };
}

export interface Expected {
  exit: number;
  /** Root step, or undefined for a passing check. */
  step?: string;
  /** Root finding's code (a RegExp where the name is owned elsewhere). */
  code?: string | RegExp;
  /** Who answered the root finding's first cited exchange ('none': no answer at all). */
  responder?: string;
  /** HTTP status of that exchange, where the proxy's choice matters (403 or 405). */
  status?: number;
}

export interface Cell {
  fault: string;
  /** The sites this cell needs (the first is the one the check targets). */
  sites(u: Upstreams, c: Certs, kind: ProxyKind): Site[];
  /** Check flags besides the target URLs. */
  flags?: Record<string, string>;
  /** Appended to the site's URL for --registry-url (a base URL with a path). */
  registryPath?: string;
  /** Give the check this scheme for the site, whatever it serves (http:// to a TLS port). */
  scheme?: 'http' | 'https';
  /** The site (by name) whose URL is --auth-url; default: the auth service itself. */
  authSite?: string;
  /** Give the check this scheme for the auth site, whatever it serves. */
  authScheme?: 'http' | 'https';
  /** 'hokusai' (default): the proxy is the registry; 'mlflow': the proxy is --mlflow-url. */
  shape?: 'hokusai' | 'mlflow';
  /** The proxies this cell applies to (default all): rate limiting is built into nginx and HAProxy only. */
  only?: ProxyKind[];
  /** Proxies that cannot express this fault, and why (reported in the matrix as n/a). */
  notFor?: Partial<Record<ProxyKind, string>>;
  /** Use the CA of the test certificates (--ca-file). */
  ca?: boolean;
  expect(kind: ProxyKind): Expected;
  /** Why the expectation depends on work owned elsewhere (reported, not skipped). */
  pending?: string;
}

const MOUNT = '/api/mlflow/';
const ARTIFACTS = '/api/mlflow/api/2.0/mlflow-artifacts/';

function mlflowRoute(u: Upstreams, extra: Partial<Route> = {}): Route {
  return { path: MOUNT, action: { kind: 'proxy', upstream: u.mlflow, to: '/' }, ...extra };
}

function apiRoute(u: Upstreams): Route {
  return { path: '/', action: { kind: 'proxy', upstream: u.api } };
}

/** The usual shape: the mount goes straight to MLflow (prefix stripped), everything else to the API. */
function base(u: Upstreams, first: Route[] = [], mlflow: Partial<Route> = {}): Route[] {
  return [...first, mlflowRoute(u, mlflow), apiRoute(u)];
}

/** The proxy's own 405 where it refuses a method by configuration (Caddy has no built-in refusal; the Node gateway and mitmproxy's addon answer 405). */
function refusedStatus(kind: ProxyKind): number {
  return kind === 'nginx' || kind === 'haproxy' || kind === 'apache' ? 403 : 405;
}

/** The proxies a profile names (src/diagnosis/profiles/); mitmproxy and the Node gateway are fronts nobody named: 'hop'. */
const PROFILED: ReadonlySet<ProxyKind> = new Set(['nginx', 'haproxy', 'apache', 'caddy']);

/** Who the check names for an answer the proxy wrote itself. */
function own(kind: ProxyKind): string {
  return PROFILED.has(kind) ? kind : 'hop';
}

/**
 * Plain HTTP sent to a TLS port, failing `step`. Caddy's answer is Go's net/http's, with no Server
 * header (a hop that names itself with nothing); HAProxy and the Node gateway hang up (the tls-port
 * probe then tells).
 */
function tlsSpokenPlain(kind: ProxyKind, step: string): Expected {
  return {
    exit: 1,
    step,
    code: 'TLS_SCHEME_MISMATCH',
    responder: kind === 'caddy' ? 'hop' : kind === 'haproxy' || kind === 'node-gateway' ? 'none' : own(kind),
  };
}

/** Who the check names for a redirect: its Server header's product, else nobody (HAProxy, mitmproxy and express send none). */
function redirector(kind: ProxyKind): string {
  return kind === 'nginx' || kind === 'apache' || kind === 'caddy' ? kind : 'unknown';
}

const HEALTHY: Expected = { exit: 0 };

/** A staging deployment's login wall: HTTP Basic in front of every path. */
const LOGIN: Login = { realm: 'staging', user: 'ci', password: LOGIN_PASSWORD };

/** The auth service answered, so the target was reached: exit 1, not 3 (steps/unanswered.ts). */
const TLS_EXIT = 'exit 1 when another component of the target (the auth service) answered';

const ALL_CELLS: Cell[] = [
  { fault: 'healthy', sites: (u) => [{ name: 'healthy', routes: base(u) }], expect: () => HEALTHY },
  {
    fault: 'healthy, /api/health/mlflow answers text OK',
    sites: (u) => [
      {
        name: 'health-ok',
        routes: base(u, [
          { path: '/api/health/mlflow', exact: true, action: { kind: 'respond', status: 200, type: 'text/plain', body: 'OK' } },
        ]),
      },
    ],
    expect: () => HEALTHY,
  },
  {
    fault: 'healthy, no /api/health/mlflow',
    sites: (u) => [
      { name: 'health-missing', routes: base(u, [{ path: '/api/health/mlflow', exact: true, action: { kind: 'not-found' } }]) },
    ],
    expect: () => HEALTHY,
  },
  {
    fault: 'healthy, as --mlflow-url',
    shape: 'mlflow',
    sites: (u) => [{ name: 'mlflow-healthy', routes: [{ path: '/', action: { kind: 'proxy', upstream: u.mlflow } }] }],
    expect: () => HEALTHY,
  },
  {
    fault: 'healthy, whole registry to the API (its own MLflow proxy behind)',
    sites: (u) => [{ name: 'api-behind', routes: [apiRoute(u)] }],
    expect: () => HEALTHY,
  },
  {
    fault: 'healthy over TLS',
    ca: true,
    sites: (u, c) => [{ name: 'tls-good', tls: c.good, routes: base(u) }],
    expect: () => HEALTHY,
  },
  {
    fault: 'upstream down',
    sites: (u) => [{ name: 'down', routes: [{ path: MOUNT, action: { kind: 'proxy', upstream: u.closed, to: '/' } }, apiRoute(u)] }],
    expect: (kind) => ({ exit: 1, step: 'experiments', code: 'GATEWAY_UPSTREAM_UNREACHABLE', responder: own(kind) }),
  },
  {
    // ingress-nginx answers so when a Service has no ready endpoints; not a rate limit (nothing passed before).
    fault: 'no upstream for the MLflow mount (its own 503 on the first call)',
    sites: (u) => [{ name: 'no-endpoints', routes: [{ path: MOUNT, action: { kind: 'unavailable' } }, apiRoute(u)] }],
    expect: (kind) => ({ exit: 1, step: 'experiments', code: 'GATEWAY_UPSTREAM_UNREACHABLE', responder: own(kind), status: 503 }),
  },
  {
    fault: 'API down behind the proxy',
    sites: (u) => [{ name: 'api-down', routes: [{ path: '/', action: { kind: 'proxy', upstream: u.closed } }] }],
    expect: (kind) => ({ exit: 1, step: 'health', code: 'GATEWAY_UPSTREAM_UNREACHABLE', responder: own(kind) }),
  },
  {
    fault: 'upstream down, as --mlflow-url',
    shape: 'mlflow',
    sites: (u) => [{ name: 'mlflow-down', routes: [{ path: '/', action: { kind: 'proxy', upstream: u.closed } }] }],
    expect: (kind) => ({ exit: 1, step: 'health', code: 'GATEWAY_UPSTREAM_UNREACHABLE', responder: own(kind) }),
  },
  {
    fault: 'upstream never answers, proxy timeout 1s < --timeout 4s',
    notFor: { mitmproxy: 'mitmproxy has no upstream read timeout: it waits as long as the client does' },
    flags: { timeout: '4s' },
    sites: (u) => [
      { name: 'silent-short', routes: [{ path: MOUNT, action: { kind: 'proxy', upstream: u.silent, to: '/' }, timeoutS: 1 }, apiRoute(u)] },
    ],
    expect: (kind) => ({ exit: 1, step: 'experiments', code: 'GATEWAY_TIMEOUT', responder: own(kind) }),
  },
  {
    fault: 'upstream never answers, proxy timeout 10s > --timeout 1s',
    flags: { timeout: '1s' },
    sites: (u) => [
      { name: 'silent-long', routes: [{ path: MOUNT, action: { kind: 'proxy', upstream: u.silent, to: '/' }, timeoutS: 10 }, apiRoute(u)] },
    ],
    expect: () => ({ exit: 1, step: 'experiments', code: /TIMEOUT/, responder: 'none' }),
    pending: 'exit 1 for a hop slower than --timeout',
  },
  {
    fault: 'request body over the proxy limit (413)',
    sites: (u) => [
      {
        name: 'too-large',
        routes: base(u, [
          { path: ARTIFACTS, action: { kind: 'proxy', upstream: u.mlflow, to: '/api/2.0/mlflow-artifacts/' }, maxBodyBytes: 1024 },
        ]),
      },
    ],
    expect: (kind) => ({ exit: 1, step: 'artifact', code: 'ARTIFACT_TOO_LARGE', responder: own(kind) }),
  },
  {
    fault: 'request body over the proxy limit: the connection is closed, no 413',
    only: ['haproxy', 'node-gateway'],
    sites: (u) => [
      {
        name: 'too-large-reset',
        routes: base(u, [
          { path: ARTIFACTS, action: { kind: 'proxy', upstream: u.mlflow, to: '/api/2.0/mlflow-artifacts/' }, rejectOverBytes: 1024 },
        ]),
      },
    ],
    // The small-upload probe passes where the 4 KiB upload was cut: the size is what differs.
    expect: () => ({ exit: 1, step: 'artifact', code: 'ARTIFACT_TOO_LARGE', responder: 'none' }),
  },
  {
    fault: 'MLflow mount not routed (proxy 404)',
    sites: (u) => [
      {
        name: 'mount-unrouted',
        routes: [
          { path: '/health', exact: true, action: { kind: 'proxy', upstream: u.api } },
          { path: '/api/health/', action: { kind: 'proxy', upstream: u.api } },
        ],
      },
    ],
    expect: (kind) => ({ exit: 1, step: 'experiments', code: 'ROUTE_PROXY_NOT_MOUNTED', responder: own(kind) }),
  },
  {
    fault: 'artifact paths not routed (proxy 404 page)',
    sites: (u) => [{ name: 'artifacts-unrouted', routes: base(u, [{ path: ARTIFACTS, action: { kind: 'not-found' } }]) }],
    expect: (kind) => ({ exit: 1, step: 'artifact', code: 'ROUTE_ARTIFACTS_MISROUTED', responder: own(kind) }),
  },
  {
    fault: 'artifact paths not routed (proxy JSON 404)',
    sites: (u) => [
      {
        name: 'artifacts-unrouted-json',
        routes: base(u, [
          {
            path: ARTIFACTS,
            action: {
              kind: 'respond',
              status: 404,
              type: 'application/json',
              body: '{"error_code":"ROUTE_NOT_FOUND","message":"no route for this path"}',
            },
          },
        ]),
      },
    ],
    // HAProxy's `http-request return` sends the body alone: no Server header, a hop that names itself with nothing.
    expect: (kind) => ({ exit: 1, step: 'artifact', code: 'ROUTE_ARTIFACTS_MISROUTED', responder: kind === 'haproxy' ? 'hop' : own(kind) }),
  },
  {
    // MLflow's own error code from the proxy: only the differential (the ajax-api upload passes through it) tells.
    fault: "artifact paths not routed (proxy 404 in MLflow's shape, NOT_FOUND)",
    sites: (u) => [
      {
        name: 'artifacts-unrouted-mlflow-shape',
        routes: base(u, [
          {
            path: ARTIFACTS,
            action: { kind: 'respond', status: 404, type: 'application/json', body: '{"error_code":"NOT_FOUND","message":"no route"}' },
          },
        ]),
      },
    ],
    expect: (kind) => ({ exit: 1, step: 'artifact', code: 'ROUTE_ARTIFACTS_MISROUTED', responder: kind === 'haproxy' ? 'hop' : own(kind) }),
  },
  {
    fault: "artifact paths routed to a wrong upstream (MLflow's static prefix)",
    sites: (u) => [
      {
        name: 'artifacts-wrong-upstream',
        routes: base(u, [{ path: ARTIFACTS, action: { kind: 'proxy', upstream: u.mlflow, to: '/mlflow/api/2.0/mlflow-artifacts/' } }]),
      },
    ],
    expect: () => ({ exit: 1, step: 'artifact', code: 'ROUTE_ARTIFACTS_MISROUTED', responder: 'mlflow' }),
  },
  {
    fault: 'PUT refused on the artifact path',
    sites: (u) => [
      {
        name: 'put-refused',
        routes: base(u, [
          { path: ARTIFACTS, action: { kind: 'proxy', upstream: u.mlflow, to: '/api/2.0/mlflow-artifacts/' }, refuseMethods: ['PUT'] },
        ]),
      },
    ],
    expect: (kind) => ({ exit: 1, step: 'artifact', code: 'ROUTE_METHOD_REFUSED', responder: own(kind), status: refusedStatus(kind) }),
  },
  {
    fault: 'rate limited (429)',
    only: ['nginx', 'haproxy'],
    sites: (u) => [{ name: 'rate-429', routes: base(u, [], { rateLimitStatus: 429 }) }],
    expect: (kind) => ({ exit: 1, step: 'run', code: 'GATEWAY_RATE_LIMITED', responder: own(kind) }),
  },
  {
    fault: 'rate limited (503)',
    only: ['nginx', 'haproxy'],
    sites: (u) => [{ name: 'rate-503', routes: base(u, [], { rateLimitStatus: 503 }) }],
    expect: (kind) => ({ exit: 1, step: 'run', code: 'GATEWAY_RATE_LIMITED', responder: own(kind) }),
  },
  {
    fault: 'mount prefix not stripped',
    sites: (u) => [{ name: 'prefix-kept', routes: [{ path: MOUNT, action: { kind: 'proxy', upstream: u.mlflow } }, apiRoute(u)] }],
    expect: () => ({ exit: 1, step: 'experiments', code: 'ROUTE_PREFIX_NOT_STRIPPED', responder: 'mlflow' }),
  },
  {
    fault: 'TLS, self-signed certificate',
    sites: (u, c) => [{ name: 'tls-self-signed', tls: c.selfSigned, routes: base(u) }],
    expect: () => ({ exit: 1, step: 'health', code: 'TLS_UNTRUSTED', responder: 'none' }),
    pending: TLS_EXIT,
  },
  {
    fault: 'TLS, expired certificate',
    ca: true,
    sites: (u, c) => [{ name: 'tls-expired', tls: c.expired, routes: base(u) }],
    expect: () => ({ exit: 1, step: 'health', code: 'TLS_EXPIRED', responder: 'none' }),
    pending: TLS_EXIT,
  },
  {
    fault: 'TLS, certificate for another host',
    ca: true,
    sites: (u, c) => [{ name: 'tls-other-host', tls: c.otherHost, routes: base(u) }],
    expect: () => ({ exit: 1, step: 'health', code: 'TLS_HOSTNAME', responder: 'none' }),
    pending: TLS_EXIT,
  },
  {
    fault: 'plain HTTP redirected to HTTPS',
    ca: true,
    sites: (u, c) => [
      { name: 'http-redirect', routes: [], redirectTo: 'https-target' },
      { name: 'https-target', tls: c.good, routes: base(u) },
    ],
    // HAProxy's redirect is an empty 301 with no Server header: nothing in it names HAProxy.
    expect: (kind) => ({ exit: 1, step: 'health', code: 'ROUTE_REDIRECTED_TO_HTTPS', responder: redirector(kind) }),
  },
  {
    fault: 'login wall (HTTP Basic) in front of the registry',
    sites: (u) => [{ name: 'login-registry', login: LOGIN, routes: base(u) }],
    expect: (kind) => ({ exit: 1, step: 'health', code: 'GATEWAY_LOGIN_REQUIRED', responder: own(kind), status: 401 }),
  },
  {
    fault: 'login wall (HTTP Basic) in front of the auth service',
    authSite: 'login-auth',
    sites: (u) => [
      { name: 'login-auth-registry', routes: base(u) },
      { name: 'login-auth', login: LOGIN, routes: [{ path: '/', action: { kind: 'proxy', upstream: u.auth } }] },
    ],
    // Not AUTH_KEY_INVALID: the auth service never saw the key.
    expect: (kind) => ({ exit: 1, step: 'auth', code: 'GATEWAY_LOGIN_REQUIRED', responder: own(kind), status: 401 }),
  },
  {
    fault: 'browser login (SSO redirect) in front of the registry',
    sites: () => [
      { name: 'sso-registry', routes: [], sendTo: 'https://sso.example.test/oauth2/authorize?client_id=hokus&response_type=code' },
    ],
    // HAProxy's redirect carries no Server header.
    expect: (kind) => ({ exit: 1, step: 'health', code: 'GATEWAY_LOGIN_REQUIRED', responder: redirector(kind), status: 302 }),
  },
  {
    fault: 'redirected to another host (an alias)',
    sites: () => [{ name: 'moved-registry', routes: [], sendTo: 'https://www.example.test/' }],
    expect: (kind) => ({ exit: 1, step: 'health', code: 'ROUTE_REDIRECTED', responder: redirector(kind), status: 302 }),
  },
  {
    fault: 'MLflow mount refused by an access rule (403)',
    sites: (u) => [{ name: 'mount-denied', routes: [{ path: MOUNT, action: { kind: 'deny' } }, apiRoute(u)] }],
    expect: (kind) => ({ exit: 1, step: 'experiments', code: 'GATEWAY_FORBIDDEN', responder: own(kind), status: 403 }),
  },
  {
    fault: "auth service's validate refused by an access rule (403)",
    authSite: 'auth-denied',
    sites: (u) => [
      { name: 'auth-denied-registry', routes: base(u) },
      {
        name: 'auth-denied',
        routes: [
          { path: '/api/v1/keys/', action: { kind: 'deny' } },
          { path: '/', action: { kind: 'proxy', upstream: u.auth } },
        ],
      },
    ],
    // Not AUTH_SERVICE_DOWN: the auth service is up; the proxy refused the path.
    expect: (kind) => ({ exit: 1, step: 'auth', code: 'GATEWAY_FORBIDDEN', responder: own(kind), status: 403 }),
  },
  {
    fault: 'plain HTTP sent to the TLS port (http:// URL)',
    notFor: { mitmproxy: 'mitmproxy in reverse mode serves plain HTTP and TLS on the same port' },
    ca: true,
    scheme: 'http',
    sites: (u, c) => [{ name: 'tls-spoken-plain', tls: c.good, routes: base(u) }],
    expect: (kind) => tlsSpokenPlain(kind, 'health'),
  },
  {
    fault: "plain HTTP sent to the auth service's TLS port (http:// --auth-url)",
    notFor: { mitmproxy: 'mitmproxy in reverse mode serves plain HTTP and TLS on the same port' },
    ca: true,
    authSite: 'auth-tls-spoken-plain',
    authScheme: 'http',
    sites: (u, c) => [
      { name: 'auth-tls-registry', routes: base(u) },
      { name: 'auth-tls-spoken-plain', tls: c.good, routes: [{ path: '/', action: { kind: 'proxy', upstream: u.auth } }] },
    ],
    // Not AUTH_SERVICE_DOWN: the auth service is up, on TLS.
    expect: (kind) => tlsSpokenPlain(kind, 'auth'),
  },
  {
    fault: 'TLS sent to a plain-HTTP port (https:// URL)',
    notFor: { mitmproxy: 'mitmproxy in reverse mode answers TLS on any port, with its own CA' },
    scheme: 'https',
    sites: (u) => [{ name: 'plain-spoken-tls', routes: base(u) }],
    expect: () => ({ exit: 1, step: 'health', code: 'TLS_SCHEME_MISMATCH', responder: 'none' }),
  },
  {
    // A platform incident: MLFLOW_TRACKING_URI=https://registry.hokus.ai/mlflow, where /mlflow/* is routed straight to MLflow.
    fault: '--registry-url with /mlflow, routed past the API to MLflow',
    registryPath: '/mlflow',
    sites: (u) => [
      { name: 'registry-mlflow-path', routes: [{ path: '/mlflow/', action: { kind: 'proxy', upstream: u.mlflow, to: '/' } }, ...base(u)] },
    ],
    expect: () => ({ exit: 1, step: 'health', code: 'ROUTE_WRONG_BASE_URL', responder: 'mlflow' }),
  },
  {
    fault: 'wrong --mlflow-path',
    flags: { mlflowPath: '/mlflow-api' },
    sites: (u) => [{ name: 'wrong-path', routes: base(u) }],
    expect: () => ({ exit: 1, step: 'experiments', code: 'ROUTE_PROXY_NOT_MOUNTED', responder: 'hokusai-api' }),
  },
];

/**
 * mitmproxy 8 listens on one port, so it runs one mitmdump per site (a second of CPU and ~60 MB
 * each): the matrix keeps it to the cells where its own behaviour is under test (its 502 page, its
 * 413, its login, its TLS, its lack of a read timeout) and a few answers of its addon; elsewhere its
 * answer would be the addon's again.
 */
const MITMPROXY_CELLS: ReadonlySet<string> = new Set([
  'healthy',
  'healthy over TLS',
  'upstream down',
  'API down behind the proxy',
  'upstream down, as --mlflow-url',
  'upstream never answers, proxy timeout 10s > --timeout 1s',
  'request body over the proxy limit (413)',
  'artifact paths not routed (proxy JSON 404)',
  'PUT refused on the artifact path',
  'mount prefix not stripped',
  'TLS, self-signed certificate',
  'login wall (HTTP Basic) in front of the registry',
  'MLflow mount refused by an access rule (403)',
]);

export const CELLS: Cell[] = ALL_CELLS.map((c) =>
  MITMPROXY_CELLS.has(c.fault) || c.notFor?.mitmproxy
    ? c
    : {
        ...c,
        notFor: {
          ...c.notFor,
          mitmproxy: "its answer here would be its addon's again (one mitmdump per site: the matrix keeps mitmproxy to its own behaviours)",
        },
      },
);
