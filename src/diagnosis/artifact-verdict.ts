// Settles the incident's question: when an artifact call 404s, does the proxy send artifact paths
// to the wrong place (ROUTE_ARTIFACTS_MISROUTED), or does MLflow itself not serve them
// (MLFLOW_ARTIFACTS_NOT_SERVED)? Shared by the routing and mlflow rules so they never both fire.
import { readBody } from './exchange-body.js';
import {
  exchangesWhere,
  is2xx,
  isArtifactCall,
  isFailure,
  isTrackingCall,
  responderOf,
  statusOf,
  stepStatus,
  throughProxy,
} from './evidence-query.js';
import { hopReading } from './hop-situation.js';
import type { CheckExchange, Evidence } from './types.js';
import { PROBE } from './probes/ids.js';
import { ENDPOINT } from '../mlflow/endpoints.js';

export type VerdictBasis =
  /** The same PUT direct to MLflow (--mlflow-direct-url) worked, or 404ed too. */
  | 'direct'
  /** The same PUT via `ajax-api` (the prefix tracking calls are rewritten to) worked, or 404ed too. */
  | 'ajax'
  /** No probe settled it; the artifact listing 404s from MLflow as well. */
  | 'listing'
  /** No probe settled it; who answered the 404 does. */
  | 'responder'
  /** The proxy answered 503 ARTIFACTS_DISABLED. */
  | 'disabled'
  /** A plain MLflow target: there is no proxy to misroute. */
  | 'plain-mlflow';

export interface ArtifactVerdict {
  kind: 'misrouted' | 'not-served';
  basis: VerdictBasis;
  /** The artifact call of the artifact step that failed. */
  failing: CheckExchange;
  /** A tracking call through the same proxy that passed. */
  tracking?: CheckExchange;
  /** Probe exchanges that settled it. */
  decisive: CheckExchange[];
}

export function artifactVerdict(ev: Evidence): ArtifactVerdict | undefined {
  const status = stepStatus(ev, 'artifact');
  if (status !== undefined && !isFailure(status)) return undefined;
  const own = exchangesWhere(ev, { step: 'artifact', probe: false, finalOnly: true }).filter(isArtifactCall);
  const tracking = passingTrackingCall(ev);
  const disabled = own.find((x) => statusOf(x) === 503 && readBody(x).error === 'ARTIFACTS_DISABLED');
  if (disabled) return withTracking({ kind: 'not-served', basis: 'disabled', failing: disabled, decisive: [] }, tracking);
  const failing = own.find((x) => isRouteMiss(ev, x)) ?? own.find((x) => isHopFileAnswer(ev, x));
  if (!failing) return undefined;

  if (ev.target.kind === 'mlflow') return withTracking({ kind: 'not-served', basis: 'plain-mlflow', failing, decisive: [] }, tracking);

  // Direct to MLflow: works → the proxy is at fault; the route is missing there too → MLflow is.
  // Any other answer (401, 5xx, unreachable) settles nothing.
  const directPut = probePut(ev, 'direct-artifact');
  if (directPut && (is2xx(directPut) || isMissingRoute(directPut))) {
    const directGet = exchangesWhere(ev, { step: 'artifact', probe: PROBE.directArtifact, finalOnly: true }).find(
      (x) => x.request.method === 'GET',
    );
    const decisive = [directPut, ...(directGet ? [directGet] : [])];
    return withTracking({ kind: is2xx(directPut) ? 'misrouted' : 'not-served', basis: 'direct', failing, decisive }, tracking);
  }
  // The same upload via ajax-api, through the same hops, passed: the route is what differs. A passing
  // differential outranks every reading of who wrote the 404 (a gateway may answer in MLflow's shape).
  const ajaxPut = probePut(ev, 'ajax-artifact');
  if (ajaxPut && is2xx(ajaxPut)) return withTracking({ kind: 'misrouted', basis: 'ajax', failing, decisive: [ajaxPut] }, tracking);

  // MLflow itself (or the proxy rewriting MLflow's 404) answered: was it the route or the prefix?
  const fromMlflow = responderOf(failing) === 'mlflow' || readBody(failing).errorCode === 'RESOURCE_NOT_FOUND';
  if (fromMlflow && ajaxPut && isMissingRoute(ajaxPut))
    return withTracking({ kind: 'not-served', basis: 'ajax', failing, decisive: [ajaxPut] }, tracking);
  if (fromMlflow && !ajaxPut) {
    const listing = exchangesWhere(ev, { step: 'artifact', probe: PROBE.artifactListing, finalOnly: true }).at(-1);
    if (listing && statusOf(listing) === 404 && responderOf(listing) === 'mlflow') {
      return withTracking({ kind: 'not-served', basis: 'listing', failing, decisive: [listing] }, tracking);
    }
  }
  // MLflow's own "no such thing" with no differential to overrule it: not a route miss.
  if (statusOf(failing) === 404 && !isRouteMissAlone(failing)) return undefined;
  // A 404 from something that is not MLflow's JSON API: the request did not reach MLflow's artifact route.
  return withTracking({ kind: 'misrouted', basis: 'responder', failing, decisive: [] }, tracking);
}

/**
 * A 404 on the artifact call: "no such route" rather than "no such artifact" unless MLflow's own JSON
 * error says otherwise — and even then, when a differential probe through the same path passed.
 */
function isRouteMiss(ev: Evidence, x: CheckExchange): boolean {
  if (statusOf(x) !== 404) return false;
  return isRouteMissAlone(x) || differentialPassed(ev);
}

/** Read from the answer alone: anything but MLflow's own JSON error (MLflow answers a missing file with one). */
export function isRouteMissAlone(x: CheckExchange): boolean {
  if (statusOf(x) !== 404) return false;
  const facts = readBody(x);
  return !(facts.errorCode !== undefined && facts.errorCode !== 'RESOURCE_NOT_FOUND' && responderOf(x) === 'mlflow');
}

function differentialPassed(ev: Evidence): boolean {
  return [probePut(ev, 'ajax-artifact'), probePut(ev, 'direct-artifact')].some((x) => x !== undefined && is2xx(x));
}

/**
 * A hop's own 405 on the PUT while its listing answer is its own too: it serves the artifact path
 * itself (nginx answers 405 to a PUT on files), so nothing is routed to MLflow.
 */
function isHopFileAnswer(ev: Evidence, x: CheckExchange): boolean {
  return statusOf(x) === 405 && hopReading(ev, x)?.situation === 'no-route';
}

function isMissingRoute(x: CheckExchange): boolean {
  const s = statusOf(x);
  return s === 404 || s === 405 || s === 501;
}

/** experiments/search if it passed, else any tracking call through the proxy that did. */
export function passingTrackingCall(ev: Evidence): CheckExchange | undefined {
  const passing = ev.exchanges.filter(
    (x) => x.probe === undefined && isTrackingCall(x) && is2xx(x) && (ev.target.kind === 'mlflow' || throughProxy(ev, x)),
  );
  return passing.find((x) => x.label === ENDPOINT.experimentsSearch) ?? passing[0];
}

function probePut(ev: Evidence, probe: string): CheckExchange | undefined {
  return exchangesWhere(ev, { step: 'artifact', probe, finalOnly: true }).find((x) => x.request.method === 'PUT');
}

function withTracking(v: ArtifactVerdict, tracking: CheckExchange | undefined): ArtifactVerdict {
  if (tracking) v.tracking = tracking;
  return v;
}
