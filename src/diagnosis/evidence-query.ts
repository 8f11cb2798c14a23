// Questions the rules ask of the evidence: which step failed, which exchanges a step made, where
// they went, who answered. Pure reads; nothing here changes the evidence.
import type { Endpoint } from '../mlflow/endpoints.js';
import type { Label } from '../steps/labels.js';
import { hostPortOf } from '../http/host-port.js';
import { mlflowBaseUrl } from '../mlflow/urls.js';
import { STEP_IDS, type StepId, type StepResult, type StepStatus } from '../steps/types.js';
import { errorWords, readBody } from './exchange-body.js';
import { fingerprintOf, isMlflowPath, originOf, type Writer } from './fingerprint.js';
import type { Responder } from './profiles/index.js';
import type { Exchange } from '../http/types.js';
import type { CheckExchange, Evidence } from './types.js';
import { LABEL } from '../steps/labels.js';
import { isProbeId, PROBE } from './probes/ids.js';

export function stepResult(ev: Evidence, id: StepId): StepResult | undefined {
  return ev.steps.find((s) => s.id === id);
}

export function stepStatus(ev: Evidence, id: StepId): StepStatus | undefined {
  return stepResult(ev, id)?.status;
}

export function isFailure(status: StepStatus | undefined): boolean {
  return status === 'fail' || status === 'error';
}

export function isPassing(status: StepStatus | undefined): boolean {
  return status === 'pass' || status === 'warn';
}

/**
 * The step's outcome leaves something to explain: it failed, errored or warned. A step missing from
 * the evidence counts too (rules are also handed partial evidence). A try that was retried into a
 * pass is not a finding.
 */
export function needsExplaining(ev: Evidence, step: StepId): boolean {
  const status = stepStatus(ev, step);
  return status === undefined || status === 'fail' || status === 'error' || status === 'warn';
}

/**
 * The root-cause step: the first fail/error step in DAG order (the steps it blocked are its
 * consequences). Decided here, once; the check marks that step from it and reporters read the mark.
 */
export function rootStepOf(ev: Pick<Evidence, 'steps'>): StepId | undefined {
  return STEP_IDS.find((id) => isFailure(ev.steps.find((s) => s.id === id)?.status));
}

export interface ExchangeFilter {
  step?: StepId;
  /** A probe id, `false` for the step's own requests only, undefined for both. */
  probe?: string | false;
  /** A label of the check's own (steps/labels.ts) or an MLflow endpoint (mlflow/endpoints.ts), or a pattern. */
  label?: Label | Endpoint | RegExp;
  /** Drop tries that were retried (keep the try whose answer counted). */
  finalOnly?: boolean;
}

export function exchangesWhere(ev: Evidence, filter: ExchangeFilter): CheckExchange[] {
  return ev.exchanges.filter((x) => {
    if (filter.step !== undefined && x.step !== filter.step) return false;
    if (filter.probe === false && x.probe !== undefined) return false;
    if (typeof filter.probe === 'string' && x.probe !== filter.probe) return false;
    if (typeof filter.label === 'string' && x.label !== filter.label) return false;
    if (filter.label instanceof RegExp && !filter.label.test(x.label)) return false;
    if (filter.finalOnly && x.retried) return false;
    return true;
  });
}

/** The first matching answer of each step that has something to explain: probes and retried tries excluded. */
export function firstPerStep(ev: Evidence, match: (x: CheckExchange) => boolean): CheckExchange[] {
  const seen = new Set<string>();
  const out: CheckExchange[] = [];
  for (const x of exchangesWhere(ev, { probe: false, finalOnly: true })) {
    if (seen.has(x.step) || !needsExplaining(ev, x.step) || !match(x)) continue;
    seen.add(x.step);
    out.push(x);
  }
  return out;
}

/**
 * The login a server asks for before anything reaches the service behind it: a 401 whose
 * WWW-Authenticate challenge is not Bearer (Basic, Digest, Negotiate, NTLM) — a proxy's or load
 * balancer's basic auth in front of a staging deployment, or MLflow's own basic-auth app. The
 * Hokusai API and auth service use Bearer keys and answer 401 with JSON `detail` ("API key required",
 * "Invalid or expired API key"), without such a challenge.
 */
const LOGIN_SCHEMES: Readonly<Record<string, string>> = { basic: 'Basic', digest: 'Digest', negotiate: 'Negotiate', ntlm: 'NTLM' };

export function loginChallenge(x: Exchange | undefined): { scheme: string; realm?: string } | undefined {
  if (statusOf(x) !== 401) return undefined;
  for (const [name, value] of x!.response!.headers) {
    if (name !== 'www-authenticate') continue;
    const m = /^\s*(Basic|Digest|Negotiate|NTLM)\b(.*)$/i.exec(value);
    if (!m) continue;
    const scheme = LOGIN_SCHEMES[m[1]!.toLowerCase()]!;
    const realm = /realm\s*=\s*"([^"]{0,80})"/i.exec(m[2]!)?.[1] ?? /realm\s*=\s*([^\s,"]{1,80})/i.exec(m[2]!)?.[1];
    return realm === undefined ? { scheme } : { scheme, realm };
  }
  return undefined;
}

/** Kinds of a failure that a TLS listener gives plain HTTP: it hangs up, or answers bytes that are not HTTP. */
const HUNG_UP = new Set(['reset', 'protocol']);

/** The request got no answer because the other side hung up before one (the `tls-port` probe's cue). */
export function hungUp(x: Exchange): boolean {
  return x.response === undefined && x.error !== undefined && HUNG_UP.has(x.error.kind) && x.error.phase !== 'body';
}

/** TLS verification errors, and a server's alert about the client certificate: the port speaks TLS. */
const CERT_KINDS = new Set(['tls-expired', 'tls-untrusted', 'tls-hostname', 'tls-client-cert']);

/**
 * The `tls-port` probe (steps/health.ts) that shows the port of `url` (an http:// URL) speaks TLS:
 * it got an answer over https:// from that host and port, or a certificate the check does not trust.
 */
export function tlsPortProof(ev: Evidence, url: string): CheckExchange | undefined {
  const where = hostPortOf(url);
  if (where === undefined) return undefined;
  return ev.exchanges.find(
    (x) =>
      x.probe === PROBE.tlsPort &&
      hostPortOf(x.request.url) === where &&
      (x.response !== undefined || (x.error !== undefined && CERT_KINDS.has(x.error.kind))),
  );
}

/**
 * The health step's GET {registry}/health when it got MLflow's own answer (200 `OK` as text, as both
 * recorded MLflow versions send it) where the API answers JSON: --registry-url reaches MLflow itself.
 */
export function registryAnswersAsMlflow(ev: Evidence): CheckExchange | undefined {
  const registry = ev.target.registryUrl;
  if (ev.target.kind !== 'hokusai' || !registry) return undefined;
  const health = `${registry.replace(/\/+$/, '')}/health`;
  return exchangesWhere(ev, { step: 'health', probe: false, finalOnly: true }).find((x) => {
    if (x.request.url !== health || statusOf(x) !== 200) return false;
    const body = readBody(x);
    return !body.isJson && body.text.trim() === 'OK';
  });
}

// Where browser logins live: an identity provider's path (OAuth2/OIDC, SAML, oauth2-proxy, Keycloak,
// Cloudflare Access) or host (Entra ID, Google, Okta, Auth0, OneLogin, Cloudflare Access).
const LOGIN_PATH =
  /\/(oauth2|oidc|openid-connect|saml2?|sso|adfs|login|log-in|signin|sign[-_]in|authorize|auth\/realms|cdn-cgi\/access)(\/|\?|$|\.)/i;
const LOGIN_HOST =
  /(^|\.)(login\.microsoftonline\.com|accounts\.google\.com|okta\.com|oktapreview\.com|auth0\.com|onelogin\.com|cloudflareaccess\.com)$/i;

/**
 * A redirect to a browser login (SSO) instead of an answer: an ALB authenticate-oidc rule, an
 * oauth2-proxy, Cloudflare Access in front of the service. The Location is resolved against the
 * request's URL (oauth2-proxy sends a relative one).
 */
export function loginRedirect(x: Exchange | undefined): URL | undefined {
  const s = statusOf(x);
  if (s === undefined || ![301, 302, 303, 307, 308].includes(s)) return undefined;
  const location = x!.response!.headers.find(([n]) => n === 'location')?.[1];
  if (!location) return undefined;
  try {
    const to = new URL(location, x!.request.url);
    return LOGIN_PATH.test(to.pathname) || LOGIN_HOST.test(to.hostname) ? to : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The latest answer before `x` that the service behind wrote, 2xx, through the same origin to the
 * same service: the hop in front of it was passing calls just before.
 */
export function passedBefore(ev: Pick<Evidence, 'exchanges'>, x: Exchange): CheckExchange | undefined {
  const origin = originOf(x.request.url);
  const behind = fingerprintOf(x).behind;
  const mlflow = isMlflowPath(x.request.url);
  return ev.exchanges
    .filter(
      (y) =>
        y !== x && idNumber(y) < idNumber(x) && is2xx(y) && originOf(y.request.url) === origin && isMlflowPath(y.request.url) === mlflow,
    )
    .filter((y) => fingerprintOf(y).writer !== 'hop' && fingerprintOf(y).behind === behind)
    .at(-1);
}

function idNumber(x: Exchange): number {
  return Number(x.id.slice(1));
}

export function statusOf(x: Exchange | undefined): number | undefined {
  return x?.response?.status;
}

export function is2xx(x: Exchange | undefined): boolean {
  const s = statusOf(x);
  return s !== undefined && s >= 200 && s < 300;
}

export function responderOf(x: Exchange): Responder {
  return fingerprintOf(x).responder;
}

export function chainOf(x: Exchange): Responder[] {
  return fingerprintOf(x).chain;
}

/** Who wrote the answer: the service behind, a hop in front of it, or unknown (fingerprint.ts). */
export function writerOf(x: Exchange): Writer {
  return fingerprintOf(x).writer;
}

/** The answer was written by a hop in front of the service, not by the service. */
export function byHop(x: Exchange | undefined): boolean {
  return x?.response !== undefined && fingerprintOf(x).writer === 'hop';
}

/**
 * The check's exchanges as evidence: each one's step (and probe) proved once, here, so that no rule
 * casts. The steps and probes send only their own ids (StepContext.http); an exchange of another
 * step is a bug of hokus-check's, said as one (exit 4), never a silently dropped request.
 */
export function checkExchanges(exchanges: readonly Exchange[]): CheckExchange[] {
  return exchanges.map((x) => {
    if (!isStepId(x.step)) throw new Error(`exchange ${x.id} was made for an unknown step (${JSON.stringify(x.step)})`);
    if (x.probe !== undefined && !isProbeId(x.probe))
      throw new Error(`exchange ${x.id} was made for an unknown probe (${JSON.stringify(x.probe)})`);
    return x as CheckExchange;
  });
}

function isStepId(step: string): step is StepId {
  return (STEP_IDS as readonly string[]).includes(step);
}

/** An MLflow tracking/registry REST call (`…/api/2.0/mlflow/…`, also `ajax-api`). */
export function isTrackingCall(x: Exchange): boolean {
  return /\/(ajax-)?api\/2\.0\/mlflow\//.test(pathOf(x.request.url));
}

/** An artifact-proxy call (`…/api/2.0/mlflow-artifacts/…`, also `ajax-api`). */
export function isArtifactCall(x: Exchange): boolean {
  return /\/(ajax-)?api\/2\.0\/mlflow-artifacts(\/|$)/.test(pathOf(x.request.url));
}

/** Sent to the registry (the API service's origin), not to auth or a direct MLflow URL. */
export function onRegistry(ev: Evidence, x: Exchange): boolean {
  const registry = originOf(ev.target.registryUrl);
  return registry !== undefined && originOf(x.request.url) === registry;
}

/** Sent through the API's MLflow proxy mount. */
export function throughProxy(ev: Evidence, x: Exchange): boolean {
  if (ev.target.kind !== 'hokusai' || !ev.target.registryUrl) return false;
  const base = mlflowBaseUrl(ev.target);
  return x.request.url.startsWith(`${base}/`);
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

/**
 * The API's own MLflow probe (`GET /api/health/mlflow`) failed. Its JSON quotes what MLflow
 * answered the API ("failed with error code 404 … Response body: '<!doctype html>…'"), so an
 * MLflow-side fault shows here too, often in the health step before any MLflow call of ours.
 */
export function apiMlflowProbeFailure(ev: Evidence): { exchange: CheckExchange; quoted: string } | undefined {
  const x = exchangesWhere(ev, { step: 'health', probe: false, label: LABEL.mlflowHealth, finalOnly: true }).at(-1);
  if (!x?.response || x.response.status < 500) return undefined;
  const facts = readBody(x);
  if (!facts.isJson) return undefined;
  return { exchange: x, quoted: errorWords(facts) };
}

/** Of the steps these exchanges belong to, the first in DAG order that failed (else the first one's). */
export function earliestFailingStep(ev: Evidence, xs: readonly CheckExchange[]): StepId | undefined {
  const steps = new Set(xs.map((x) => x.step));
  return STEP_IDS.find((id) => steps.has(id) && isFailure(stepStatus(ev, id))) ?? xs[0]?.step;
}

/**
 * The answer can speak for MLflow's side (MLflow, or the API quoting it): not the auth service's own
 * error, not a hop's page. Rules that blame MLflow's database or store ask this first.
 */
export function canSpeakForMlflow(x: Exchange): boolean {
  const who = responderOf(x);
  return who !== 'hokusai-auth' && !byHop(x) && !(x.step === 'auth' && who !== 'mlflow');
}
