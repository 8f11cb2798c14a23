// Who wrote each answer (ARCHITECTURE.md, "Code map": src/diagnosis, the diagnosis's first pass):
// placed on the path before any rule runs — written by the service behind (MLflow, the Hokusai API,
// the auth service), by a hop in front of it, or unknown. The decision reads only the services' own
// marks (their error shapes, their web stacks' pages and Server headers, as the recordings in
// test/fixtures show them), HTTP status semantics (RFC 9110 §15.6: 502 and 504 are a gateway's words
// about its upstream), and the answers that passed through the same origin in the same check. The
// product profiles (profiles/) only *name* a hop afterwards, for the words and the fix.
//
// `chain` lists the layers the reply passed through, outermost first; `responder` is the layer that
// wrote it. A reply proxied by the API carries the upstream's headers too (two `server`s, two
// `date`s), so the chain comes from every `server` header and the body says who spoke.
import type { Exchange, Header } from '../http/types.js';
import { headerValues, readBody, type BodyFacts } from './exchange-body.js';
import {
  HOKUSAI_API_ERRORS,
  HOKUSAI_PROXY_DETAIL,
  HOKUSAI_PROXY_ERROR_CODE,
  MLFLOW_ERROR_CODES,
  componentWords,
  headerLayers,
  isMlflowText,
  isProxy,
  isWerkzeugPage,
  matchPage,
  type PageMatch,
  type Responder,
} from './profiles/index.js';
import { PROBE } from './probes/ids.js';

/** Who wrote an answer: the service behind, a hop in front of it, or no way to tell (or no answer). */
export type Writer = 'service' | 'hop' | 'unknown';

/** The service a request was for: what stands behind every hop on its path. */
export type Service = 'mlflow' | 'hokusai-api' | 'hokusai-auth';

export interface Fingerprint {
  responder: Responder;
  chain: Responder[];
  writer: Writer;
  /** The service the request was for. */
  behind: Service;
  /** Why the writer was decided so, in words a finding can quote. */
  basis: string;
  /** 'certain' when the answer's own marks or its status settle who wrote it; 'likely' when only missing marks do. */
  sure: 'certain' | 'likely';
  /** How a hop identifies itself (its `server`, else its `via` header; clipped, printable); absent when it sends neither. */
  says?: string;
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

/**
 * Every exchange of one check placed at once: each alone first, then each failing answer against the
 * answers the same service gave through the same origin (its baseline), which can overturn a body
 * that only looks like the service's and makes a hop's placement certain.
 */
export function fingerprintAll(xs: readonly Exchange[], options: FingerprintOptions = {}): Map<Exchange, Fingerprint> {
  const alone = new Map(xs.map((x) => [x, fingerprint(x, options)] as const));
  const out = new Map<Exchange, Fingerprint>();
  for (const [x, fp] of alone) out.set(x, againstDifferential(x, againstBaseline(x, fp, baselineOf(x, fp, alone)), xs));
  return out;
}

export function fingerprint(x: Exchange, options: FingerprintOptions = {}): Fingerprint {
  const res = x.response;
  const behind = serviceFor(x, options);
  if (!res) return { responder: 'unknown', chain: [], writer: 'unknown', behind, basis: 'no answer', sure: 'certain' };
  const onAuth = behind === 'hokusai-auth';
  const onMlflowOrigin = !onAuth && (options.mlflowOrigins ?? []).includes(originOf(x.request.url) ?? '');
  const layers = serverLayers(res.headers, onAuth, onMlflowOrigin);
  const facts = readBody(x);
  const own = serviceMark(x, facts, layers, onAuth ? 'hokusai-auth' : onMlflowOrigin ? 'mlflow' : undefined);
  if (own)
    return { responder: own.who, chain: withResponder(layers, own.who), writer: 'service', behind, basis: own.basis, sure: 'certain' };

  const status = res.status;
  if (status < 400) {
    // No mark, no failure: whoever is behind answered (the wrong app, a portal): named by its headers.
    const responder = inferredFromPath(x, facts) ?? namedByPage(x) ?? layers[layers.length - 1] ?? 'unknown';
    return {
      responder,
      chain: withResponder(layers, responder),
      writer: responder === 'mlflow' ? 'service' : 'unknown',
      behind,
      basis: 'no mark of the service',
      sure: 'likely',
    };
  }
  // A failure without any of the service's marks was written in front of it.
  const named = namedByPage(x) ?? innermostProxy(layers);
  const responder = named ?? 'hop';
  const says = selfName(res.headers);
  const gatewayStatus = status === 502 || status === 504 || (status >= 520 && status <= 530);
  return {
    responder,
    chain: withResponder(layers, responder),
    writer: 'hop',
    behind,
    basis: gatewayStatus
      ? `a gateway's status, and none of ${serviceWords(behind)}'s marks`
      : `none of ${serviceWords(behind)}'s own marks (${markWords(behind)})`,
    sure: gatewayStatus ? 'certain' : 'likely',
    ...(says !== undefined ? { says } : {}),
  };
}

/** The profile page this answer is, if any: who wrote it and what it says happened (words only). */
export function pageOf(x: Exchange): PageMatch | undefined {
  const res = x.response;
  if (!res) return undefined;
  return matchPage(res.status, readBody(x).text, (name) => headerValues(res.headers, name));
}

// --- the services' own marks -------------------------------------------------------------------------

interface OwnMark {
  who: Responder;
  basis: string;
}

/**
 * The service whose own answer this is, by its body's shape or its web stack's Server header; only
 * the services' marks count here, never a hop product's.
 */
function serviceMark(
  x: Exchange,
  facts: BodyFacts,
  layers: Responder[],
  origin: 'hokusai-auth' | 'mlflow' | undefined,
): OwnMark | undefined {
  const status = x.response?.status ?? 0;
  const innerIsMlflow = layers.length > 1 && layers[layers.length - 1] === 'mlflow';
  const json = facts.json;
  if (json) {
    if ('is_valid' in json) return { who: 'hokusai-auth', basis: "the auth service's validate answer" };
    if (facts.errorCode !== undefined) {
      if (facts.errorCode === HOKUSAI_PROXY_ERROR_CODE)
        return { who: 'hokusai-proxy', basis: "the API proxy's rewritten 404 (RESOURCE_NOT_FOUND)" };
      if (MLFLOW_ERROR_CODES.has(facts.errorCode)) return { who: 'mlflow', basis: `MLflow's JSON error (${facts.errorCode})` };
      return undefined;
    }
    if (facts.error === 'ARTIFACTS_DISABLED') return { who: 'hokusai-proxy', basis: "the API proxy's ARTIFACTS_DISABLED" };
    if (facts.detail !== undefined && HOKUSAI_PROXY_DETAIL.test(facts.detail))
      return { who: 'hokusai-proxy', basis: "the API proxy's own detail" };
    if (facts.detail !== undefined || (facts.error !== undefined && HOKUSAI_API_ERRORS.has(facts.error))) {
      // FastAPI's shape: the auth service on its origin; from behind the API, MLflow's gateway.
      const who: Responder = origin ?? (innerIsMlflow ? 'mlflow' : 'hokusai-api');
      return { who, basis: 'FastAPI JSON `detail`' };
    }
    if (typeof json.status === 'string' && !isMlflowPath(x.request.url))
      return { who: origin ?? (innerIsMlflow ? 'mlflow' : 'hokusai-api'), basis: 'the health JSON' };
    return undefined;
  }
  const text = facts.text;
  if (facts.errorCode !== undefined && MLFLOW_ERROR_CODES.has(facts.errorCode))
    return { who: 'mlflow', basis: `MLflow's JSON error (${facts.errorCode})` };
  if (isWerkzeugPage(text)) return { who: 'mlflow', basis: "MLflow's web stack's page (Werkzeug)" };
  if (isMlflowText(status, text)) return { who: 'mlflow', basis: "MLflow's own words" };
  if (HOKUSAI_PROXY_DETAIL.test(text)) return { who: 'hokusai-proxy', basis: "the API proxy's own words" };
  if (status === 200 && text === 'OK')
    return { who: origin === 'hokusai-auth' ? 'hokusai-auth' : 'mlflow', basis: 'the text health answer' };
  if (status === 200 && /\/version\/?$/.test(pathOf(x.request.url)) && /^\d+\.\d+\.\d+\S*$/.test(text))
    return { who: 'mlflow', basis: "MLflow's /version" };
  // The service's own web stack wrote it (an unhandled exception: gunicorn's page, Starlette's text).
  const stack = serviceStack(x.response?.headers ?? [], origin);
  if (stack && status >= 400) return { who: stack, basis: `its web stack's Server header (${lastServer(x.response?.headers ?? [])})` };
  return undefined;
}

/**
 * The service whose web server is the innermost `server` of the answer: gunicorn/Werkzeug/waitress is
 * MLflow 2.x; uvicorn is the API, the auth service, or MLflow 3.3+ (by origin, or behind another uvicorn).
 */
function serviceStack(headers: readonly Header[], origin: 'hokusai-auth' | 'mlflow' | undefined): Responder | undefined {
  const servers = headerValues(headers, 'server');
  const last = servers[servers.length - 1];
  if (last === undefined) return undefined;
  if (/^(gunicorn|Werkzeug|waitress)\b/i.test(last)) return 'mlflow';
  if (/^uvicorn\b/i.test(last)) return origin ?? (servers.length > 1 ? 'mlflow' : 'hokusai-api');
  return undefined;
}

function lastServer(headers: readonly Header[]): string {
  return clipName(headerValues(headers, 'server').at(-1) ?? '');
}

/** A JSON or file answer on an MLflow path with no telling header came from MLflow. */
function inferredFromPath(x: Exchange, facts: BodyFacts): Responder | undefined {
  const status = x.response?.status ?? 0;
  if (status < 200 || status >= 300 || facts.isHtml) return undefined;
  if (!isMlflowPath(x.request.url)) return undefined;
  const attachment = headerValues(x.response?.headers, 'content-disposition').some((v) => /attachment/i.test(v));
  return facts.isJson || attachment || x.request.method === 'GET' ? 'mlflow' : undefined;
}

// --- the baseline: what the same service's answers looked like through the same origin -------------

interface Baseline {
  /** Answers the service wrote through the same origin (2xx, the service's own marks). */
  own: Exchange[];
  /** Their innermost `server` values (undefined: none sent). */
  servers: Set<string | undefined>;
}

function baselineOf(x: Exchange, fp: Fingerprint, all: ReadonlyMap<Exchange, Fingerprint>): Baseline {
  const origin = originOf(x.request.url);
  const mlflowPath = isMlflowPath(x.request.url);
  const own: Exchange[] = [];
  for (const [y, g] of all) {
    if (y === x || !y.response || y.response.status >= 300 || g.writer !== 'service' || g.behind !== fp.behind) continue;
    if (originOf(y.request.url) !== origin || isMlflowPath(y.request.url) !== mlflowPath) continue;
    own.push(y);
  }
  return { own, servers: new Set(own.map((y) => headerValues(y.response?.headers, 'server').at(-1)?.toLowerCase())) };
}

function againstBaseline(x: Exchange, fp: Fingerprint, base: Baseline): Fingerprint {
  const status = x.response?.status ?? 0;
  if (status < 400 || base.own.length === 0) return fp;
  const server = headerValues(x.response?.headers, 'server').at(-1)?.toLowerCase();
  if (fp.writer === 'hop') {
    const ref = base.own[0]!;
    return { ...fp, sure: 'certain', basis: `${fp.basis}, which ${ref.label} (${ref.id}) through the same origin had` };
  }
  // A body shaped like MLflow's JSON error with another server than every MLflow answer through the
  // same origin: something in front imitates the shape (a gateway's own `{"error_code": "NOT_FOUND"}`).
  if (fp.writer === 'service' && fp.responder === 'mlflow' && base.servers.size === 1 && !base.servers.has(server) && readBody(x).isJson) {
    const said = [...base.servers][0];
    const says = selfName(x.response?.headers ?? []);
    const named = innermostProxy(serverLayers(x.response?.headers ?? [], false, false));
    return {
      ...fp,
      responder: named ?? 'hop',
      chain: named ? [named] : ['hop'],
      writer: 'hop',
      basis: `its JSON looks like MLflow's, but its server (${server ?? 'none'}) is not the one of every MLflow answer through the same origin (${said ?? 'none'})`,
      sure: 'likely',
      ...(says !== undefined ? { says } : {}),
    };
  }
  return fp;
}

/**
 * A JSON 404 "from MLflow" on the artifact upload, while the same upload via ajax-api through the same
 * origin passed: MLflow's upload handler works (both prefixes reach it) and never answers a JSON 404,
 * so the JSON was written in front of it (a gateway answering `{"error_code": "NOT_FOUND"}`). The
 * passing differential outranks the body's looks. (MLflow's own page for a route it does not have —
 * Werkzeug's 404, the incident's answer at a wrong prefix — stays MLflow's.)
 */
function againstDifferential(x: Exchange, fp: Fingerprint, xs: readonly Exchange[]): Fingerprint {
  if (
    fp.writer !== 'service' ||
    fp.responder !== 'mlflow' ||
    x.response?.status !== 404 ||
    x.probe !== undefined ||
    x.request.method !== 'PUT' ||
    !readBody(x).isJson
  )
    return fp;
  if (!/\/api\/2\.0\/mlflow-artifacts\//.test(pathOf(x.request.url)) || /\/ajax-api\//.test(pathOf(x.request.url))) return fp;
  const origin = originOf(x.request.url);
  const passed = xs.find(
    (y) =>
      y.probe === PROBE.ajaxArtifact &&
      y.request.method === 'PUT' &&
      originOf(y.request.url) === origin &&
      (y.response?.status ?? 0) >= 200 &&
      (y.response?.status ?? 0) < 300,
  );
  if (!passed) return fp;
  const says = selfName(x.response.headers);
  const named = innermostProxy(serverLayers(x.response.headers, false, false));
  return {
    ...fp,
    responder: named ?? 'hop',
    chain: named ? [named] : ['hop'],
    writer: 'hop',
    basis: `the same upload via ajax-api through the same origin passed (${passed.id}), so MLflow serves the route and this 404 is not its own`,
    sure: 'certain',
    ...(says !== undefined ? { says } : {}),
  };
}

// --- naming (profiles) --------------------------------------------------------------------------------

function namedByPage(x: Exchange): Responder | undefined {
  const page = pageOf(x);
  return page && isProxy(page.component) ? page.component : undefined;
}

/** The innermost proxy among the layers: a hop answering itself is the last that touched the answer. */
function innermostProxy(layers: readonly Responder[]): Responder | undefined {
  return [...layers].reverse().find((l) => isProxy(l));
}

/** How a hop names itself: its `server` header, else its `via`; printable and short. */
function selfName(headers: readonly Header[]): string | undefined {
  const server = headerValues(headers, 'server').at(-1);
  if (server !== undefined && server.trim() !== '') return `Server: ${clipName(server)}`;
  const via = headerValues(headers, 'via').at(-1);
  if (via !== undefined && via.trim() !== '') return `Via: ${clipName(via)}`;
  return undefined;
}

function clipName(s: string): string {
  // Server text is data: nothing unprintable reaches a finding.
  const printable = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').trim();
  return printable.length > 60 ? `${printable.slice(0, 59)}…` : printable;
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
      layer = headerLayers((name) => (name === 'server' ? [raw] : []))[0];
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

function withResponder(layers: Responder[], responder: Responder): Responder[] {
  if (responder === 'unknown' || layers.includes(responder)) return layers;
  // The proxy is part of the API service.
  if (responder === 'hokusai-proxy') return layers.includes('hokusai-api') ? layers : ['hokusai-api', ...layers];
  return [...layers, responder];
}

// --- where a request goes -----------------------------------------------------------------------------

function serviceFor(x: Exchange, options: FingerprintOptions): Service {
  // Known auth origin: decide by URL (auth-step probes may go to the registry); else by step.
  const onAuth = options.authOrigin !== undefined ? originOf(x.request.url) === options.authOrigin : x.step === 'auth' && !x.probe;
  if (onAuth) return 'hokusai-auth';
  if ((options.mlflowOrigins ?? []).includes(originOf(x.request.url) ?? '') || isMlflowPath(x.request.url)) return 'mlflow';
  return 'hokusai-api';
}

const MARK_WORDS: Readonly<Record<Service, string>> = {
  mlflow: "its JSON errors, its web stack's pages and Server header",
  'hokusai-api': 'its JSON `detail`, its uvicorn Server header',
  'hokusai-auth': 'its JSON `detail`, its uvicorn Server header',
};

export function serviceWords(s: Service): string {
  return componentWords(s);
}

function markWords(s: Service): string {
  return MARK_WORDS[s];
}

export function isMlflowPath(url: string): boolean {
  return (
    /\/(ajax-)?api\/2\.0\/mlflow(-artifacts)?\//.test(pathOf(url)) ||
    /\/(ajax-)?api\/2\.0\/mlflow-artifacts\/artifacts\/?$/.test(pathOf(url))
  );
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
