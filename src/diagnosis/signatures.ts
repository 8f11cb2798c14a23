// Who answered, as data: for every component hokus-check can name, the status, header and body
// signatures of its own answers, each with where it comes from. The fingerprint (fingerprint.ts)
// reads this table; nothing else decides who wrote a body.
//
// Sources are of two kinds: "captured" entries are what the real proxies in the test suite answer
// (test/real-proxies starts nginx, HAProxy, Apache httpd and Caddy from Debian's packages; their
// pages are kept in test/fixtures/proxies/), and "documented" entries quote the component's own
// documentation or source for its default answers.
import type { Responder } from '../http/types.js';

/** What kind of component it is: a proxy or gateway answers for others; an app writes its own answers. */
export type Role = 'proxy' | 'app';

export interface Component {
  id: Responder;
  /** How a finding names it: 'nginx', 'the AWS load balancer'. */
  words: string;
  role: Role;
}

export const COMPONENTS: readonly Component[] = [
  { id: 'mlflow', words: 'MLflow', role: 'app' },
  { id: 'hokusai-api', words: 'the Hokusai API', role: 'app' },
  { id: 'hokusai-proxy', words: "the API's MLflow proxy", role: 'proxy' },
  { id: 'hokusai-auth', words: 'the auth service', role: 'app' },
  { id: 'load-balancer', words: 'the load balancer', role: 'proxy' },
  { id: 'nginx', words: 'nginx', role: 'proxy' },
  { id: 'haproxy', words: 'HAProxy', role: 'proxy' },
  { id: 'apache', words: 'Apache httpd', role: 'proxy' },
  { id: 'caddy', words: 'Caddy', role: 'proxy' },
  { id: 'cloudfront', words: 'CloudFront', role: 'proxy' },
  { id: 'cloudflare', words: 'Cloudflare', role: 'proxy' },
  { id: 'google-lb', words: 'the Google Cloud load balancer', role: 'proxy' },
  { id: 'envoy', words: 'Envoy', role: 'proxy' },
  { id: 'traefik', words: 'Traefik', role: 'proxy' },
  { id: 'kong', words: 'Kong', role: 'proxy' },
  { id: 'unknown', words: 'an unidentified server', role: 'app' },
];

const BY_ID = new Map(COMPONENTS.map((c) => [c.id, c]));

export function componentWords(id: Responder): string {
  return BY_ID.get(id)?.words ?? id;
}

/** A reverse proxy, load balancer, CDN or gateway: it answers itself only when it cannot or will not forward. */
export function isProxy(id: Responder): boolean {
  return BY_ID.get(id)?.role === 'proxy';
}

/**
 * A header that proves an answer passed through a component (it may still have been written by the
 * upstream behind it: nginx replaces `server` on every answer it forwards).
 */
export interface HeaderSignature {
  component: Responder;
  header: string;
  value: RegExp;
  source: string;
}

/** A body (with optional status and header) that proves the component wrote the answer itself. */
export interface PageSignature {
  component: Responder;
  /** Statuses it is seen with (undefined: any). */
  status?: readonly number[];
  body: RegExp;
  /** Also required: a header whose value matches. */
  header?: { name: string; value: RegExp };
  /** What the page says happened, when it says more than the status. */
  means?: 'no-upstream' | 'upstream-timeout' | 'no-route' | 'rate-limited' | 'refused' | 'too-large';
  source: string;
}

const CAPTURED = (what: string) => `captured from ${what} in test/real-proxies (test/fixtures/proxies/)`;

export const HEADER_SIGNATURES: readonly HeaderSignature[] = [
  { component: 'nginx', header: 'server', value: /^(nginx|openresty)\b/i, source: CAPTURED('nginx 1.22.1') },
  { component: 'apache', header: 'server', value: /^Apache\b/i, source: CAPTURED('Apache httpd 2.4') },
  { component: 'caddy', header: 'server', value: /^Caddy\b/i, source: CAPTURED('Caddy 2.6') },
  { component: 'load-balancer', header: 'server', value: /^awselb\b/i, source: 'documented: AWS ALB answers it generates carry `Server: awselb/2.0` (ALB docs, "Troubleshoot your Application Load Balancers")' },
  { component: 'cloudfront', header: 'server', value: /^CloudFront$/i, source: 'documented: CloudFront sets `Server: CloudFront` and `X-Cache: Error from cloudfront` on answers it generates (CloudFront developer guide, "Troubleshooting error responses from your origin")' },
  { component: 'cloudfront', header: 'x-amz-cf-id', value: /./, source: 'documented: CloudFront adds X-Amz-Cf-Id to every answer' },
  { component: 'cloudflare', header: 'server', value: /^cloudflare$/i, source: 'documented: Cloudflare answers carry `Server: cloudflare` and `CF-Ray` (Cloudflare docs, "Cloudflare HTTP headers")' },
  { component: 'cloudflare', header: 'cf-ray', value: /./, source: 'documented: Cloudflare adds CF-Ray to every answer' },
  { component: 'google-lb', header: 'via', value: /\b1\.1 google\b/i, source: 'documented: Google Cloud external Application Load Balancers add `Via: 1.1 google` (Cloud Load Balancing docs, "HTTP(S) headers")' },
  { component: 'envoy', header: 'server', value: /^(istio-)?envoy$/i, source: 'documented: Envoy sets `server: envoy` (HttpConnectionManager server_name default; Istio gateways `istio-envoy`)' },
  { component: 'envoy', header: 'x-envoy-upstream-service-time', value: /./, source: 'documented: Envoy router filter header x-envoy-upstream-service-time' },
  { component: 'kong', header: 'server', value: /^kong\//i, source: 'documented: Kong sets `Server: kong/<version>` on answers it generates, `Via: kong/<version>` on proxied ones (Kong gateway docs, headers)' },
  { component: 'kong', header: 'via', value: /\bkong\//i, source: 'documented: Kong sets `Via: kong/<version>` on proxied answers' },
  // MLflow 2.x is served by gunicorn (Linux) or waitress/Werkzeug; MLflow 3.3+ by uvicorn, which the
  // Hokusai API and auth service use too: `server: uvicorn` alone names no one (fingerprint.ts).
  { component: 'mlflow', header: 'server', value: /^(gunicorn|Werkzeug|waitress)\b/i, source: 'fixtures/mlflow-2.12.2 (test/fixtures): MLflow 2.x answers with `server: gunicorn` (mlflow server) or `Werkzeug/…` (flask dev server)' },
];

/** Pages and bodies, most telling first. */
export const PAGE_SIGNATURES: readonly PageSignature[] = [
  // --- the real proxies of the test suite, as captured ---
  { component: 'nginx', body: /<hr><center>\s*(nginx|openresty)[^<]*<\/center>/i, source: CAPTURED('nginx 1.22.1 (502, 503, 504, 404, 405, 403, 413, 429 pages)') },
  { component: 'haproxy', status: [503], body: /No server is available to handle this request/i, means: 'no-upstream', source: CAPTURED('HAProxy 2.6 (503 page; also its page for `deny_status 503`)') },
  { component: 'haproxy', status: [502], body: /The server returned an invalid or incomplete response/i, means: 'no-upstream', source: CAPTURED('HAProxy 2.6 (502 page)') },
  { component: 'haproxy', status: [504], body: /The server didn't respond in time/i, means: 'upstream-timeout', source: CAPTURED('HAProxy 2.6 (504 page)') },
  { component: 'haproxy', status: [403], body: /Request forbidden by administrative rules/i, means: 'refused', source: CAPTURED('HAProxy 2.6 (403 page, `http-request deny`)') },
  { component: 'haproxy', status: [429], body: /You have sent too many requests in a given amount of time/i, means: 'rate-limited', source: CAPTURED('HAProxy 2.6 (429 page)') },
  { component: 'haproxy', status: [404], body: /The resource could not be found/i, means: 'no-route', source: CAPTURED('HAProxy 2.6 (404 page, `deny_status 404`)') },
  { component: 'haproxy', status: [413], body: /The request entity is too large|Payload Too Large/i, means: 'too-large', source: CAPTURED('HAProxy 2.6 (413 page)') },
  { component: 'haproxy', status: [401], body: /You need a valid user and password to access this content/i, source: CAPTURED('HAProxy 2.6 (401 page, `http-request auth`)') },
  { component: 'apache', status: [502, 504], body: /Error reading from remote server/i, header: { name: 'server', value: /^Apache/i }, means: 'upstream-timeout', source: CAPTURED('Apache httpd 2.4 mod_proxy (502 "Proxy Error … Error reading from remote server" when ProxyTimeout expires)') },
  { component: 'apache', body: /<address>Apache(\/[\d.]+)?[^<]* Server at [^<]*<\/address>/i, source: CAPTURED('Apache httpd 2.4 (502 Proxy Error, 503, 404, 403, 413 pages)') },
  { component: 'apache', status: [502, 503], body: /<title>50[23] (Proxy Error|Service Unavailable)<\/title>/i, header: { name: 'server', value: /^Apache/i }, means: 'no-upstream', source: CAPTURED('Apache httpd 2.4 mod_proxy') },
  // --- documented defaults of components not in the suite ---
  { component: 'load-balancer', status: [502, 503, 504], body: /^<html>\s*<head><title>\d{3} [^<]*<\/title><\/head>\s*<body>\s*<center><h1>\d{3} [^<]*<\/h1><\/center>\s*<\/body>\s*<\/html>\s*$/i, header: { name: 'server', value: /^awselb/i }, source: 'documented: AWS ALB 502/503/504 pages (ALB docs, "HTTP 502/503/504" troubleshooting; PLATFORM.md §5)' },
  { component: 'cloudfront', body: /Generated by cloudfront \(CloudFront\)|The request could not be satisfied/i, source: 'documented: CloudFront error page "ERROR: The request could not be satisfied … Generated by cloudfront (CloudFront)" (CloudFront developer guide)' },
  { component: 'cloudflare', status: [520, 521, 522, 523, 524, 525, 526, 530, 502, 504], body: /^error code: \d{3,4}$|cloudflare|cf-error-details|Ray ID:/i, source: 'documented: Cloudflare 5xx error pages and plain "error code: 52x" bodies (Cloudflare docs, "Troubleshooting Cloudflare 5XX errors")' },
  { component: 'google-lb', status: [502, 503, 504], body: /failed_to_pick_backend|The server encountered a temporary error and could not complete your request/i, source: 'documented: Google Cloud load balancer 502 "Error: Server Error — The server encountered a temporary error…" (Cloud Load Balancing docs, "Troubleshoot external Application Load Balancers")' },
  { component: 'envoy', status: [503], body: /^no healthy upstream$/i, means: 'no-upstream', source: 'documented: Envoy local reply "no healthy upstream" (19 bytes, 503, response flag UH; Envoy router and access-log docs, response flags)' },
  { component: 'envoy', status: [503, 502], body: /^upstream connect error or disconnect\/reset before headers/i, means: 'no-upstream', source: 'documented: Envoy local reply "upstream connect error or disconnect/reset before headers. reset reason: connection failure" (503, response flag UF)' },
  { component: 'envoy', status: [504], body: /^upstream request timeout$/i, means: 'upstream-timeout', source: 'documented: Envoy local reply "upstream request timeout" (504, response flag UT; route timeout 15 s by default)' },
  { component: 'envoy', status: [429], body: /^local_rate_limited$/i, means: 'rate-limited', source: 'documented: Envoy local rate limit filter body "local_rate_limited"' },
  { component: 'traefik', status: [404], body: /^404 page not found$/i, means: 'no-route', source: 'documented: Traefik answers an unrouted request with text "404 page not found" (Go net/http NotFound, Traefik routing docs)' },
  { component: 'traefik', status: [502], body: /^Bad Gateway$/, means: 'no-upstream', source: 'documented: Traefik reverse proxy text "Bad Gateway" on a dial error (traefik pkg/proxy error handler)' },
  { component: 'traefik', status: [504], body: /^Gateway Timeout$/, means: 'upstream-timeout', source: 'documented: Traefik reverse proxy text "Gateway Timeout"' },
  { component: 'kong', status: [404], body: /"message"\s*:\s*"no Route matched with those values"/i, means: 'no-route', source: 'documented: Kong router 404 {"message":"no Route matched with those values"} (Kong gateway docs, routing)' },
  { component: 'kong', status: [502], body: /"message"\s*:\s*"An invalid response was received from the upstream server"/i, means: 'no-upstream', source: 'documented: Kong 502 {"message":"An invalid response was received from the upstream server"}' },
  { component: 'kong', status: [503], body: /"message"\s*:\s*"(name resolution failed|failure to get a peer from the ring-balancer)"/i, means: 'no-upstream', source: 'documented: Kong 503 for an unresolvable or empty upstream' },
  { component: 'kong', status: [504], body: /"message"\s*:\s*"The upstream server is timing out"/i, means: 'upstream-timeout', source: 'documented: Kong 504 {"message":"The upstream server is timing out"}' },
  { component: 'kong', status: [429], body: /"message"\s*:\s*"API rate limit exceeded"/i, means: 'rate-limited', source: 'documented: Kong rate-limiting plugin 429 {"message":"API rate limit exceeded"}' },
  { component: 'nginx', status: [404], body: /^default backend - 404$/i, means: 'no-route', source: 'documented: Kubernetes ingress-nginx default backend (ingress-nginx docs, "Default backend": `/` answers 404; the defaultbackend image says "default backend - 404")' },
  { component: 'mlflow', status: [400, 403, 413, 431, 500], body: /^<html>\s*<head>\s*<title>[^<]*<\/title>\s*<\/head>\s*<body>\s*<h1><p>[^<]*<\/p><\/h1>/i, header: { name: 'server', value: /^gunicorn/i }, source: "documented: gunicorn's own error page (gunicorn/util.py write_error: <html><head><title>reason</title></head><body><h1><p>reason</p></h1>…) — MLflow 2.x's server process" },
];

/**
 * MLflow's own error codes (the ErrorCode enum of mlflow/protos/databricks.proto). A JSON error with
 * any other `error_code` was not written by MLflow.
 */
export const MLFLOW_ERROR_CODES: ReadonlySet<string> = new Set([
  'INTERNAL_ERROR',
  'TEMPORARILY_UNAVAILABLE',
  'IO_ERROR',
  'BAD_REQUEST',
  'SERVICE_UNDER_MAINTENANCE',
  'WORKSPACE_TEMPORARILY_UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'CANCELLED',
  'RESOURCE_EXHAUSTED',
  'ABORTED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'UNAUTHENTICATED',
  'INVALID_PARAMETER_VALUE',
  'ENDPOINT_NOT_FOUND',
  'MALFORMED_REQUEST',
  'INVALID_STATE',
  'PERMISSION_DENIED',
  'FEATURE_DISABLED',
  'CUSTOMER_UNAUTHORIZED',
  'REQUEST_LIMIT_EXCEEDED',
  'RESOURCE_CONFLICT',
  'UNPARSEABLE_HTTP_ERROR',
  'NOT_IMPLEMENTED',
  'DATA_LOSS',
  'INVALID_STATE_TRANSITION',
  'COULD_NOT_ACQUIRE_LOCK',
  'RESOURCE_ALREADY_EXISTS',
  'RESOURCE_DOES_NOT_EXIST',
  'QUOTA_EXCEEDED',
  'MAX_BLOCK_SIZE_EXCEEDED',
  'MAX_READ_SIZE_EXCEEDED',
  'PARTIAL_DELETE',
  'MAX_LIST_SIZE_EXCEEDED',
  'DRY_RUN_FAILED',
  'RESOURCE_LIMIT_EXCEEDED',
  'DIRECTORY_NOT_EMPTY',
  'DIRECTORY_PROTECTED',
  'MAX_NOTEBOOK_SIZE_EXCEEDED',
]);

/** The Hokusai API's MLflow proxy rewrites MLflow's HTML 404 to this code (PR #64); MLflow never uses it. */
export const HOKUSAI_PROXY_ERROR_CODE = 'RESOURCE_NOT_FOUND';

export interface PageMatch {
  component: Responder;
  means?: PageSignature['means'];
}

/** The page signature a body matches, given its status and headers. */
export function matchPage(status: number, text: string, header: (name: string) => string[]): PageMatch | undefined {
  for (const sig of PAGE_SIGNATURES) {
    if (sig.status && !sig.status.includes(status)) continue;
    if (!sig.body.test(text)) continue;
    if (sig.header && !header(sig.header.name).some((v) => sig.header!.value.test(v))) continue;
    return sig.means ? { component: sig.component, means: sig.means } : { component: sig.component };
  }
  return undefined;
}

/** Components whose headers this answer carries, in header order. */
export function headerLayers(header: (name: string) => string[]): Responder[] {
  const out: Responder[] = [];
  for (const sig of HEADER_SIGNATURES) {
    if (header(sig.header).some((v) => sig.value.test(v)) && !out.includes(sig.component)) out.push(sig.component);
  }
  return out;
}
