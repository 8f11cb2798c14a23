// Who produced a response: read from status, headers and body shape (ARCHITECTURE.md, "Code map": src/diagnosis; real answers in test/fixtures/).
// `chain` lists the layers the reply passed through, outermost first; `responder` is the layer that
// wrote the body. A reply proxied by the API carries the upstream's headers too (two `server`s, two
// `date`s), so the chain comes from every `server` header and the body says who spoke.
import type { Exchange, Header, Responder } from '../http/types.js';
import { headerValues, isFlaskErrorPage, isGatewayErrorPage, readBody, type BodyFacts } from './exchange-body.js';
import { HEADER_SIGNATURES, HOKUSAI_PROXY_ERROR_CODE, MLFLOW_ERROR_CODES, headerLayers, matchPage, type PageMatch } from './signatures.js';

export interface Fingerprint {
  responder: Responder;
  chain: Responder[];
}

export interface FingerprintOptions {
  /** Origin of the auth service (`https://auth.example`): FastAPI shapes from there are hokusai-auth. */
  authOrigin?: string;
  /**
   * Origins where MLflow itself (or a proxy in front of it alone) answers: a plain MLflow target, an
   * --mlflow-direct-url. There `server: uvicorn` is MLflow 3.3+, not the Hokusai API.
   */
  mlflowOrigins?: readonly string[];
}

/** Who answered each exchange, as the diagnosis worked it out: beside the exchanges, never in them. */
const ANNOTATIONS = new WeakMap<Exchange, Fingerprint>();

/** Records who answered `x` (the engine, once per check, with the target's origins). */
export function annotate(x: Exchange, fp: Fingerprint): void {
  ANNOTATIONS.set(x, fp);
}

/** Who answered `x`: the engine's annotation, else worked out now from the exchange alone. */
export function fingerprintOf(x: Exchange): Fingerprint {
  return ANNOTATIONS.get(x) ?? fingerprint(x);
}

export function fingerprint(x: Exchange, options: FingerprintOptions = {}): Fingerprint {
  const res = x.response;
  if (!res) return { responder: 'unknown', chain: [] };
  // Known auth origin: decide by URL (auth-step probes may go to the registry); else by step.
  const onAuth = options.authOrigin !== undefined ? originOf(x.request.url) === options.authOrigin : x.step === 'auth' && !x.probe;
  const onMlflow = !onAuth && (options.mlflowOrigins ?? []).includes(originOf(x.request.url) ?? '');
  const layers = serverLayers(res.headers, onAuth, onMlflow);
  const facts = readBody(x);
  // A body no one's signature matches, through a proxy: an app behind it wrote a 2xx on an MLflow path.
  const responder =
    bodyProducer(x, facts, layers, onAuth || onMlflow ? (onAuth ? 'hokusai-auth' : 'mlflow') : undefined) ?? inferredFromPath(x, facts) ?? layers[layers.length - 1] ?? 'unknown';
  return { responder, chain: withResponder(layers, responder) };
}

/** The signature page this answer is, if any: who wrote it and what it says happened. */
export function pageOf(x: Exchange): PageMatch | undefined {
  const res = x.response;
  if (!res) return undefined;
  return matchPage(res.status, readBody(x).text, (name) => headerValues(res.headers, name));
}

function serverLayers(headers: readonly Header[], onAuth: boolean, onMlflow: boolean): Responder[] {
  const out: Responder[] = [];
  let uvicorns = 0;
  for (const raw of headerValues(headers, 'server')) {
    let layer: Responder | undefined;
    if (/^uvicorn/i.test(raw)) {
      // Behind the API's uvicorn, a second uvicorn is MLflow's own gateway (hokusai_mlflow_admin_gateway).
      // uvicorn alone names no one: MLflow 3.3+ is served by uvicorn too (fixtures/mlflow-3.5.1).
      layer = onAuth ? 'hokusai-auth' : onMlflow || uvicorns > 0 ? 'mlflow' : 'hokusai-api';
      uvicorns++;
    } else {
      layer = HEADER_SIGNATURES.find((sig) => sig.header === 'server' && sig.value.test(raw))?.component;
    }
    if (layer && !out.includes(layer)) out.push(layer);
  }
  // CDNs and cloud load balancers that leave `server` alone still add their own headers: outermost.
  const marked = headerLayers((name) => (name === 'server' ? [] : headerValues(headers, name))).filter((l) => !out.includes(l));
  out.unshift(...marked);
  // Only the API's proxy passes an upstream's `server` through (load balancers and nginx replace it),
  // so when the API is among several layers it is the outer one, whatever the header order.
  const api = onAuth ? 'hokusai-auth' : 'hokusai-api';
  if (out.length > 1 && out.includes(api)) return [api, ...out.filter((l) => l !== api)];
  return out;
}

/** The producer the body's shape names, or undefined when the shape is not telling. */
function bodyProducer(x: Exchange, facts: BodyFacts, layers: Responder[], origin: 'hokusai-auth' | 'mlflow' | undefined): Responder | undefined {
  const onAuth = origin === 'hokusai-auth';
  const status = x.response?.status ?? 0;
  const innerIsMlflow = layers.length > 1 && layers[layers.length - 1] === 'mlflow';
  const json = facts.json;
  if (json) {
    if ('is_valid' in json) return 'hokusai-auth';
    if (facts.errorCode !== undefined) {
      const byCode = errorCodeOwner(facts.errorCode);
      if (byCode) return byCode;
      // Not one of MLflow's codes: a proxy's or gateway's own JSON error.
      return pageOf(x)?.component;
    }
    const page = pageOf(x);
    if (page) return page.component;
    if (facts.error === 'ARTIFACTS_DISABLED') return 'hokusai-proxy';
    if (facts.detail !== undefined && PROXY_DETAIL.test(facts.detail)) return 'hokusai-proxy';
    if (facts.detail !== undefined || facts.error === 'FORBIDDEN' || facts.error === 'REGISTRY_ADMIN_REQUIRED') {
      if (origin) return origin;
      // FastAPI shape from behind the API: MLflow's gateway answered (e.g. `API key required`).
      return innerIsMlflow ? 'mlflow' : 'hokusai-api';
    }
    if (typeof json.status === 'string' && !isMlflowPath(x.request.url)) {
      if (origin) return origin;
      return innerIsMlflow ? 'mlflow' : 'hokusai-api';
    }
    return undefined;
  }
  const text = facts.text;
  if (facts.errorCode !== undefined && errorCodeOwner(facts.errorCode)) return errorCodeOwner(facts.errorCode);
  if (isFlaskErrorPage(text)) return 'mlflow';
  const page = pageOf(x);
  if (page) return page.component;
  // A bare `<center><h1>503 …</h1></center>` page that names no one: nginx's with `server: nginx`
  // (server_tokens and the footer can be turned off), else the load balancer's.
  if (isGatewayErrorPage(text)) return layers.includes('nginx') && !layers.includes('load-balancer') ? 'nginx' : 'load-balancer';
  // A bare 502/503/504 page from a server that did not name itself: the load balancer's, by shape.
  if (facts.isHtml && /^50[234]\b/.test(facts.htmlTitle ?? '') && (layers.length === 0 || layers.includes('load-balancer'))) return 'load-balancer';
  if (/^Invalid Host header/i.test(text)) return 'mlflow';
  if (PROXY_DETAIL.test(text)) return 'hokusai-proxy';
  if (status === 200 && text === 'OK') return onAuth ? 'hokusai-auth' : 'mlflow';
  if (status === 200 && /\/version\/?$/.test(pathOf(x.request.url)) && /^\d+\.\d+\.\d+\S*$/.test(text)) return 'mlflow';
  if (/^Not Found$/i.test(text) && !facts.isHtml) {
    // An ALB fixed response; uvicorn/Starlette would have said {"detail":"Not Found"}.
    const inner = layers[layers.length - 1];
    return inner === undefined || inner === 'load-balancer' || inner === 'hokusai-api' ? 'load-balancer' : inner;
  }
  return undefined;
}

/** MLflow's own codes name MLflow; the Hokusai proxy's made-up RESOURCE_NOT_FOUND names the proxy. */
function errorCodeOwner(code: string): Responder | undefined {
  if (code === HOKUSAI_PROXY_ERROR_CODE) return 'hokusai-proxy';
  return MLFLOW_ERROR_CODES.has(code) ? 'mlflow' : undefined;
}

const PROXY_DETAIL = /Failed to connect to MLflow server|MLflow server request timeout|while proxying to MLflow/i;

/** A JSON or file answer on an MLflow path with no telling header came from MLflow. */
function inferredFromPath(x: Exchange, facts: BodyFacts): Responder | undefined {
  const status = x.response?.status ?? 0;
  if (status < 200 || status >= 300 || facts.isHtml) return undefined;
  if (!isMlflowPath(x.request.url)) return undefined;
  const attachment = headerValues(x.response?.headers, 'content-disposition').some((v) => /attachment/i.test(v));
  return facts.isJson || attachment || x.request.method === 'GET' ? 'mlflow' : undefined;
}

function withResponder(layers: Responder[], responder: Responder): Responder[] {
  if (responder === 'unknown' || layers.includes(responder)) return layers;
  // The proxy is part of the API service.
  if (responder === 'hokusai-proxy') return layers.includes('hokusai-api') ? layers : ['hokusai-api', ...layers];
  return [...layers, responder];
}

export function isMlflowPath(url: string): boolean {
  return /\/(ajax-)?api\/2\.0\/mlflow(-artifacts)?\//.test(pathOf(url)) || /\/(ajax-)?api\/2\.0\/mlflow-artifacts\/artifacts\/?$/.test(pathOf(url));
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
