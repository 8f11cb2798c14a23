// The request ids an answer carries: response headers that a server, proxy, load balancer or CDN sets
// to name this one request in its own logs or traces. The one list of them; the client records the
// ones an answer carried on its Exchange (`requestIds`), taken from the headers after they were
// redacted and made inert (src/http/redact.ts redactHeaders), and bounded, since they are server text.
// Sample (an answer through Cloudflare and an ingress):
//   cf-ray: 8a1b2c3d4e5f6a7b-AMS          → { header: 'cf-ray', value: '8a1b2c3d4e5f6a7b-AMS' }
//   x-request-id: 2f1e0c9a-…              → { header: 'x-request-id', value: '2f1e0c9a-…' }
import type { Header, RequestId } from './types.js';

export interface RequestIdHeader {
  /** Lower case, as the client records header names. */
  name: string;
  /**
   * Whose logs hold the id, when only one kind of component sets the header; absent for the
   * headers any hop may set (then whoever answered is named: src/report/log-search.ts).
   */
  setBy?: string;
}

// Envoy's own `x-envoy-*` answer headers are not ids (`x-envoy-upstream-service-time` is a duration,
// `x-envoy-overloaded`, `x-envoy-ratelimited` and `x-envoy-degraded` are flags): Envoy names a request
// with `x-request-id`, so no `x-envoy-` header is listed.
export const REQUEST_ID_HEADERS: readonly RequestIdHeader[] = [
  // Envoy and Istio's gateways and sidecars (generated, returned with always_set_request_id_in_response),
  // ingress-nginx ($req_id), Heroku's router, Traefik and Caddy setups, and app middleware
  // (asgi-correlation-id for FastAPI, Rails): any hop may set it.
  { name: 'x-request-id' },
  // Correlation middleware of API gateways and apps (Azure API Management policies, MuleSoft, Spring).
  { name: 'x-correlation-id' },
  // The HTTP correlation protocol of .NET and Application Insights (`|abc.1.`), Azure services.
  { name: 'request-id' },
  // A W3C trace-context tracer that echoes the trace (OpenTelemetry's response propagator).
  { name: 'traceparent' },
  // Zipkin's B3 propagation: Envoy/Istio with Zipkin tracing, Spring Cloud Sleuth.
  { name: 'x-b3-traceid' },
  // AWS X-Ray's trace header: the AWS Application Load Balancer adds it, API Gateway and Lambda return it.
  { name: 'x-amzn-trace-id', setBy: 'AWS load balancer / X-Ray' },
  // Amazon API Gateway and Lambda function URLs: the request id of their access and execution logs.
  { name: 'x-amzn-requestid', setBy: 'API Gateway' },
  // CloudFront: the request id of its standard and real-time logs (x-edge-request-id).
  { name: 'x-amz-cf-id', setBy: 'CloudFront' },
  // Amazon S3 (and other AWS service APIs): the request id AWS support asks for.
  { name: 'x-amz-request-id', setBy: 'S3' },
  // Cloudflare: the Ray ID of every answer through it (its logs and support look requests up by it).
  { name: 'cf-ray', setBy: 'Cloudflare' },
  // Kong Gateway 3.5+: its own request id, also in its access log ($kong_request_id).
  { name: 'x-kong-request-id', setBy: 'Kong' },
  // Google Cloud's load balancers, Cloud Run and App Engine: `TRACE_ID/SPAN_ID;o=1` of Cloud Trace.
  { name: 'x-cloud-trace-context', setBy: 'Google Cloud load balancer' },
  // Azure Front Door and Azure CDN: the reference string of their access logs.
  { name: 'x-azure-ref', setBy: 'Azure Front Door' },
  // Azure services' REST APIs (Storage, Resource Manager, …): the request id of their logs.
  { name: 'x-ms-request-id', setBy: 'Azure' },
  // GitHub (github.com, its API and GitHub Pages).
  { name: 'x-github-request-id', setBy: 'GitHub' },
  // Fly.io's proxy in front of every Fly app.
  { name: 'fly-request-id', setBy: 'Fly.io proxy' },
  // Vercel's edge network.
  { name: 'x-vercel-id', setBy: 'Vercel' },
];

/** Longest request id recorded, in characters: real ones are under 100; longer is cut with '…'. */
export const MAX_REQUEST_ID_CHARS = 128;
/** Most request ids recorded per answer. */
export const MAX_REQUEST_IDS = 8;

const BY_NAME: ReadonlyMap<string, RequestIdHeader> = new Map(REQUEST_ID_HEADERS.map((h) => [h.name, h]));

/**
 * The request ids among an answer's headers, in the answer's order: from headers already redacted and
 * inert, each value trimmed and cut to MAX_REQUEST_ID_CHARS, the same header and value once, at most
 * MAX_REQUEST_IDS.
 */
export function requestIdsOf(headers: readonly Header[]): RequestId[] {
  const out: RequestId[] = [];
  for (const [name, raw] of headers) {
    const header = name.toLowerCase();
    if (!BY_NAME.has(header)) continue;
    const value = bounded(raw.trim());
    if (value === '' || out.some((r) => r.header === header && r.value === value)) continue;
    out.push({ header, value });
    if (out.length === MAX_REQUEST_IDS) break;
  }
  return out;
}

/** Whose logs hold ids of this header, when one kind of component sets it. */
export function requestIdSetBy(header: string): string | undefined {
  return BY_NAME.get(header.toLowerCase())?.setBy;
}

function bounded(value: string): string {
  const chars = [...value];
  return chars.length <= MAX_REQUEST_ID_CHARS ? value : `${chars.slice(0, MAX_REQUEST_ID_CHARS - 1).join('')}…`;
}
