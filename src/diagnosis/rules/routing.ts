// Routing family: requests that reach the wrong place — the proxy mount missing, artifact paths sent
// to the wrong upstream (the incident), DELETE bodies dropped on the way to MLflow.
import { mlflowBaseUrl } from '../../mlflow/urls.js';
import { artifactVerdict, passingTrackingCall } from '../artifact-verdict.js';
import { errorWords, headerValue, readBody } from '../exchange-body.js';
import { originOf } from '../fingerprint.js';
import { hopReading } from '../hop-situation.js';
import { hopFix, isProxy, isWerkzeugPage, type Responder } from '../profiles/index.js';
import {
  apiMlflowProbeFailure,
  byHop,
  chainOf,
  earliestFailingStep,
  firstPerStep,
  isArtifactCall,
  exchangesWhere,
  hostOf,
  is2xx,
  isTrackingCall,
  loginRedirect,
  needsExplaining,
  registryAnswersAsMlflow,
  responderOf,
  statusOf,
  throughProxy,
} from '../evidence-query.js';
import { answerOnly, capitalise, decidedBy, describeAnswer, hopAt, nameOf, responderWords } from '../words.js';
import { sweepCommand } from '../../config/target-flags.js';
import { report, rule } from '../finding.js';
import type { CheckExchange, Evidence, Rule, RuleMeta } from '../types.js';
import { ENDPOINT } from '../../mlflow/endpoints.js';

const notMountedMeta: RuleMeta = {
  code: 'ROUTE_PROXY_NOT_MOUNTED',
  family: 'routing',
  rank: { tier: 'upstream', order: 3 },
  title: 'MLflow proxy not mounted',
  severity: 'error',
  docs: {
    means:
      "Requests to the registry's MLflow mount (/api/mlflow/*) never reach the proxy: the API has no such route, or a hop in front (a load balancer, an ingress, any proxy) has no route for it.",
    detect:
      'An MLflow call under the mount answers 404 {"detail": "Not Found"} from the API itself (FastAPI\'s unknown-route answer), or a 404 (or the 405 of a path it serves as files) that a hop in front wrote itself, and no MLflow call through the mount passes.',
    fix: 'Mount the MLflow proxy router at /api/mlflow in the API and redeploy; add a load balancer rule sending /api/mlflow/* to the API on every listener (HTTPS too); check --mlflow-path matches the mount.',
    confirm: 'Rerun `hokus-check --only experiments`: experiments/search answers 200 JSON.',
  },
};

const misroutedMeta: RuleMeta = {
  code: 'ROUTE_ARTIFACTS_MISROUTED',
  family: 'routing',
  rank: { tier: 'route', order: 6 },
  title: 'Proxy misroutes artifact requests',
  severity: 'error',
  docs: {
    means:
      "The proxy in front of MLflow — the API's MLflow proxy, or any hop in front of it (a load balancer, an ingress, a reverse proxy) — sends `mlflow-artifacts` requests to the wrong upstream or prefix (or does not route them at all), while tracking requests reach MLflow. Typical cause: MLFLOW_SERVER_URL points at a URL with MLflow's --static-prefix (https://registry…/mlflow), where only ajax-api paths carry the prefix; tracking paths are rewritten to ajax-api, artifact paths are not.",
    detect:
      "Tracking calls through the proxy pass and the artifact PUT through it answers 404: decided by the differential probes whenever they ran — the same upload via ajax-api (through the same hops) or direct to MLflow (--mlflow-direct-url) passes, whatever the 404 looks like (even a gateway's `{\"error_code\": \"NOT_FOUND\"}`); without them, a 404 that is not MLflow's own JSON error (Flask's HTML 404, a hop's page, the proxy's rewritten RESOURCE_NOT_FOUND).",
    fix: "Point the proxy at MLflow's internal URL without the static prefix (e.g. MLFLOW_SERVER_URL=http://mlflow.<namespace>.local:5000), or make the proxy rewrite api/2.0/mlflow-artifacts/ to ajax-api/2.0/mlflow-artifacts/ like tracking paths. Workaround for clients: upload via <mlflowPath>/ajax-api/2.0/mlflow-artifacts/….",
    confirm: 'Rerun `hokus-check --only artifact`: the PUT, read-back and listing pass.',
  },
};

const deleteBodyMeta: RuleMeta = {
  code: 'PROXY_DROPS_DELETE_BODY',
  family: 'routing',
  rank: { tier: 'context', order: 3 },
  title: 'Proxy drops DELETE bodies',
  severity: 'warn',
  docs: {
    means:
      "The API proxy forwards request bodies only for POST/PUT/PATCH, but MLflow's registry deletes are DELETE requests with a JSON body; MLflow sees no name and refuses, so registered models and versions cannot be deleted through the proxy.",
    detect:
      'model-versions/delete or registered-models/delete through the proxy answers 400 INVALID_PARAMETER_VALUE "Missing value for required parameter \'name\'".',
    fix: 'Forward bodies on DELETE in the proxy. Meanwhile run checks with --mlflow-direct-url so registry deletes go to MLflow directly, and remove leftovers with `hokus-check sweep --mlflow-direct-url <url>`.',
    confirm: 'Rerun hokus-check: cleanup passes with nothing left behind.',
  },
};

const prefixMeta: RuleMeta = {
  code: 'ROUTE_PREFIX_NOT_STRIPPED',
  family: 'routing',
  rank: { tier: 'route', order: 4 },
  title: 'Proxy forwards the mount prefix to MLflow',
  severity: 'error',
  docs: {
    means:
      'A hop in front sends MLflow calls to MLflow with the mount prefix still on the path (MLflow sees /api/mlflow/api/2.0/mlflow/…), where MLflow has no route: MLflow serves its REST API at /api/2.0/… from its root.',
    detect:
      'Tracking calls under the mount answer MLflow\'s own "no such route" 404 (its HTML 404 page, or ENDPOINT_NOT_FOUND) through a hop in front, and no tracking call passes.',
    fix: 'Make the proxy strip the prefix before forwarding: nginx `proxy_pass http://mlflow:5000/;` (trailing slash), HAProxy `http-request replace-path`, Apache `ProxyPass /api/mlflow/ http://mlflow:5000/`, Caddy `handle_path`, Traefik StripPrefix, Kong strip_path.',
    confirm: 'Rerun `hokus-check --only experiments`: experiments/search answers 200 JSON.',
  },
};

const methodMeta: RuleMeta = {
  code: 'ROUTE_METHOD_REFUSED',
  family: 'routing',
  rank: { tier: 'route', order: 5 },
  title: 'Proxy refuses the upload method',
  severity: 'error',
  docs: {
    means:
      "A hop in front of MLflow refuses PUT (or DELETE) on the artifact path by its own rule, so artifact uploads never reach MLflow while tracking calls (GET/POST) do. Not MLflow's artifact store refusing (ARTIFACT_STORAGE_DENIED).",
    detect:
      "The artifact PUT answers 403, 405 or 501 written by a hop in front (none of MLflow's or the API's own marks), while GET and POST through the same hop pass and its listing answer is not its own refusal.",
    fix: 'Allow PUT and DELETE on <mount>/api/2.0/mlflow-artifacts/ in the proxy (nginx limit_except, HAProxy http-request deny, Apache <Limit>/mod_allowmethods, a WAF rule).',
    confirm: 'Rerun `hokus-check --only artifact`: the PUT, read-back and listing pass.',
  },
};

const httpsRedirectMeta: RuleMeta = {
  code: 'ROUTE_REDIRECTED_TO_HTTPS',
  family: 'routing',
  rank: { tier: 'route', order: 2 },
  title: 'Plain HTTP is redirected to HTTPS',
  severity: 'error',
  docs: {
    means:
      'The target URL is http://, and the server in front answers every request with a redirect to https:// on the same host. hokus-check never follows redirects (the key must not travel anywhere it was not configured for), and MLflow clients lose POST bodies on them.',
    detect: 'A call to an http:// target URL answers 301/302/307/308 with a Location on https:// and the same host.',
    fix: 'Use the https:// URL in --registry-url / --mlflow-url (or the config file).',
    confirm: 'Rerun hokus-check with the https:// URL.',
  },
};

const redirectedMeta: RuleMeta = {
  code: 'ROUTE_REDIRECTED',
  family: 'routing',
  rank: { tier: 'route', order: 3 },
  title: 'Redirected elsewhere (not followed)',
  severity: 'error',
  docs: {
    means:
      'A call answers with a redirect that is neither plain HTTP upgraded to HTTPS on the same host (ROUTE_REDIRECTED_TO_HTTPS) nor a browser login (GATEWAY_LOGIN_REQUIRED): the host has moved or is an alias of another, or the server moves the path (a trailing slash, a prefix it adds). hokus-check never follows redirects — the key must not travel anywhere it was not configured for — and MLflow clients lose POST bodies on them.',
    detect: 'A call answers 301/302/303/307/308 with a Location elsewhere.',
    fix: 'If the Location is the service, give that URL (--registry-url, --auth-url, --mlflow-url); otherwise make the server answer the path where it is asked.',
    confirm: 'Rerun hokus-check: the call gets an answer, not a redirect.',
  },
};

export const rules: Rule[] = [
  rule(redirectedMeta, (ev) =>
    firstPerStep(ev, (x) => isOtherRedirect(x)).map((x) => {
      const location = headerValue(x.response?.headers, 'location') ?? '';
      let to: URL | undefined;
      try {
        to = new URL(location, x.request.url);
      } catch {
        to = undefined;
      }
      const from = new URL(x.request.url);
      const who = `${capitalise(responderWords(responderOf(x)))} at ${hostOf(x.request.url)}`;
      const elsewhere = to !== undefined && to.host !== from.host;
      return report(redirectedMeta, {
        step: x.step,
        cause: elsewhere
          ? `${who} sends ${nameOf(x)} to another host: ${statusOf(x)} to ${to!.origin}${to!.pathname} (not followed). The URL points at a host that moved, or at an alias of another.`
          : `${who} moves ${nameOf(x)} to another path: ${statusOf(x)} from ${from.pathname} to ${to ? to.pathname + to.search : location || '(no Location)'} (not followed).`,
        evidence: [x.id],
        fix: elsewhere
          ? [
              `If ${to!.origin} is the service, give that URL instead of ${from.origin} (hokus-check never follows a redirect with the key).`,
              'Otherwise find what answers at the given host (a DNS alias, a default virtual host, a load balancer rule that redirects).',
            ]
          : [
              'The check calls fixed paths and never follows redirects (MLflow clients lose POST bodies on them): make the server answer the path where it is asked (no trailing-slash or prefix redirect), or give the base URL it expects.',
            ],
      });
    }),
  ),

  rule(notMountedMeta, (ev) => {
    if (ev.target.kind !== 'hokusai') return [];
    const tracking = exchangesWhere(ev, { probe: false }).filter((x) => isTrackingCall(x) && throughProxy(ev, x));
    if (tracking.some(is2xx)) return [];
    const miss = tracking.find((x) => needsExplaining(ev, x.step) && isUnmountedAnswer(ev, x));
    if (!miss) return [];
    const mount = ev.target.mlflowPath;
    if (byHop(miss)) {
      const reading = hopReading(ev, miss);
      return [
        report(notMountedMeta, {
          step: miss.step,
          cause: `${capitalise(hopAt(miss))} has no route for ${mount}/…: ${nameOf(miss)} got ${answerOnly(miss)} — its own answer; neither the API nor MLflow saw the request (${decidedBy(miss, reading)}).`,
          evidence: [miss.id],
          fix: [hopFix(responderOf(miss), 'no-route'), `Check that ${mount} (--mlflow-path) is the path the proxy serves MLflow under.`],
        }),
      ];
    }
    return [
      report(notMountedMeta, {
        step: miss.step,
        cause: `The API has no route at ${mount}: ${nameOf(miss)} got FastAPI's own 404 {"detail":"Not Found"}, so the MLflow proxy router is not mounted there.`,
        evidence: [miss.id],
        fix: [
          `Mount the MLflow proxy router at ${mount} in the API (src/api/main.py) and redeploy.`,
          `Check that --mlflow-path matches the mount (default /api/mlflow).`,
        ],
      }),
    ];
  }),

  rule(misroutedMeta, (ev) => {
    const v = artifactVerdict(ev);
    if (!v || v.kind !== 'misrouted' || ev.target.kind !== 'hokusai') return [];
    const base = mlflowBase(ev);
    const tracking = v.tracking ? `${nameOf(v.tracking)} passed` : 'tracking calls pass';
    // The API's own MLflow check goes through the same wrong base: its REST call 404s too.
    const probe = apiMlflowProbeFailure(ev);
    const health = probe && /error code 404|404 Not Found/i.test(probe.quoted) ? probe.exchange : undefined;
    const healthToo = health ? `; the API's own MLflow health check gets a 404 through the same base URL (${health.id})` : '';
    // A hop in front of the API (nginx, a load balancer, any proxy) that answered or forwarded the PUT is the one to fix.
    const front = frontOf(ev, v.failing);
    if (front) {
      const mount = ev.target.mlflowPath;
      return [
        report(misroutedMeta, {
          step: 'artifact',
          cause: `${capitalise(front.at)} does not send \`mlflow-artifacts\` requests to MLflow's artifact route while tracking requests reach MLflow through it: ${tracking}, but ${nameOf(v.failing)} got ${describeAnswer(v.failing)}${settledBy(v.basis, v.decisive)}${healthToo}.`,
          evidence: [v.failing.id, v.tracking?.id, ...v.decisive.map((x) => x.id), health?.id],
          fix: [
            `Route ${mount}/api/2.0/mlflow-artifacts/ in ${front.name} exactly as ${mount}/api/2.0/mlflow/: to the same MLflow upstream, with the same prefix handling. ${hopFix(front.who, 'no-route')}`,
            `Workaround for clients until then: upload via ${base}/ajax-api/2.0/mlflow-artifacts/artifacts/<path>.`,
          ],
        }),
      ];
    }
    return [
      report(misroutedMeta, {
        step: 'artifact',
        cause: `The API proxy routes \`mlflow-artifacts\` requests to the wrong upstream or prefix while tracking requests reach MLflow: ${tracking}, but ${nameOf(v.failing)} got ${describeAnswer(v.failing)}${settledBy(v.basis, v.decisive)}${healthToo}.`,
        evidence: [v.failing.id, v.tracking?.id, ...v.decisive.map((x) => x.id), health?.id],
        fix: [
          proxyUrlFix(ev, probe?.exchange),
          'Or make the proxy rewrite api/2.0/mlflow-artifacts/ to ajax-api/2.0/mlflow-artifacts/, as it already does for api/2.0/mlflow/ tracking paths.',
          `Workaround for clients until then: upload via ${base}/ajax-api/2.0/mlflow-artifacts/artifacts/<path>.`,
          ...(ev.target.mlflowDirectUrl
            ? []
            : [
                "To settle it against MLflow itself, rerun with --mlflow-direct-url <MLflow's internal URL>: the same upload sent there direct shows whether MLflow serves artifacts at all.",
              ]),
        ],
      }),
    ];
  }),

  rule(prefixMeta, (ev) => {
    // No proxy at all: the registry URL is MLflow itself (ROUTE_WRONG_BASE_URL).
    if (ev.target.kind !== 'hokusai' || registryAnswersAsMlflow(ev)) return [];
    const tracking = exchangesWhere(ev, { probe: false }).filter((x) => isTrackingCall(x) && throughProxy(ev, x));
    if (tracking.some(is2xx)) return [];
    const miss = tracking.find((x) => needsExplaining(ev, x.step) && isMlflowRouteMiss(x));
    if (!miss) return [];
    const front = chainOf(miss).filter((l) => l !== 'mlflow' && isProxy(l))[0];
    const mount = ev.target.mlflowPath;
    const via = front ? responderWords(front) : 'the proxy in front';
    return [
      report(prefixMeta, {
        step: miss.step,
        cause: `MLflow has no route for ${nameOf(miss)}: it got ${describeAnswer(miss)}, MLflow's own "no such route" answer to a call it always serves — ${via} forwards ${mount}/… with the prefix still on (MLflow sees ${mount}/api/2.0/…).`,
        evidence: [miss.id],
        fix: [hopFix(front ?? 'hop', 'prefix-kept'), `Check that ${mount} (--mlflow-path) is the prefix the proxy serves MLflow under.`],
      }),
    ];
  }),

  rule(methodMeta, (ev) => {
    if (!needsExplaining(ev, 'artifact')) return [];
    const refused = exchangesWhere(ev, { step: 'artifact', probe: false, finalOnly: true }).find((x) => isMethodRefusal(ev, x));
    if (!refused) return [];
    const tracking = passingTrackingCall(ev);
    const reading = hopReading(ev, refused);
    return [
      report(methodMeta, {
        step: 'artifact',
        cause: `${capitalise(hopAt(refused))} refuses ${refused.request.method} on the artifact path: ${nameOf(refused)} got ${answerOnly(refused)} — its own answer; MLflow never saw the upload${tracking ? `, while ${nameOf(tracking)} passed through it` : ''} (${decidedBy(refused, reading)}).`,
        evidence: [refused.id, tracking?.id],
        fix: [hopFix(responderOf(refused), 'method-refused'), 'Confirm the fix: `hokus-check --only artifact` passes.'],
      }),
    ];
  }),

  rule(httpsRedirectMeta, (ev) => {
    const hits = firstPerStep(ev, (x) => isHttpsRedirect(x));
    const first = hits[0];
    if (!first) return [];
    const location = headerValue(first.response?.headers, 'location') ?? '';
    return [
      report(httpsRedirectMeta, {
        step: earliestFailingStep(ev, hits) ?? first.step,
        cause: `${capitalise(responderWords(responderOf(first)))} at ${hostOf(first.request.url)} redirects plain HTTP to HTTPS: ${nameOf(first)} got ${statusOf(first)} to ${location} (not followed).`,
        evidence: hits.map((x) => x.id),
        fix: [
          `Use the https:// URL: ${originOf(location) ?? 'https://' + hostOf(first.request.url)} in --registry-url / --mlflow-url (or the config file).`,
        ],
      }),
    ];
  }),

  rule(deleteBodyMeta, (ev) => {
    const dropped = exchangesWhere(ev, { step: 'cleanup', probe: false }).filter((x) => isDroppedDeleteBody(ev, x));
    if (dropped.length === 0) return [];
    return [
      report(deleteBodyMeta, {
        step: 'cleanup',
        cause: `The API proxy drops the body of DELETE requests, so MLflow refused ${[...new Set(dropped.map((x) => x.label))].join(' and ')} with 400 "Missing value for required parameter 'name'"; left behind: ${leftoverWords(ev)}.`,
        evidence: dropped.map((x) => x.id),
        fix: [
          'Forward request bodies on DELETE in the proxy (today it forwards them only for POST/PUT/PATCH).',
          `Rerun with --mlflow-direct-url <internal MLflow URL> so registry deletes bypass the proxy.`,
          `Remove what is left now: \`${sweepCommand(ev.target, ev.state.checkId)}${ev.target.mlflowDirectUrl ? '' : " --mlflow-direct-url '<internal MLflow URL>'"}\`.`,
        ],
      }),
    ];
  }),
];

/** A registry DELETE through the proxy that MLflow refused for want of the body's `name`. */
export function isDroppedDeleteBody(ev: Evidence, x: CheckExchange): boolean {
  return (
    x.request.method === 'DELETE' &&
    /^(model-versions|registered-models)\/delete$/.test(x.label) &&
    statusOf(x) === 400 &&
    throughProxy(ev, x) &&
    /Missing value for required parameter/i.test(errorWords(readBody(x)))
  );
}

/** FastAPI's unknown-route 404 from the API itself, or a hop's own "no route" (404, or a 405 of a path it serves as files). */
function isUnmountedAnswer(ev: Evidence, x: CheckExchange): boolean {
  if (byHop(x)) return hopReading(ev, x)?.situation === 'no-route';
  return statusOf(x) === 404 && responderOf(x) === 'hokusai-api' && readBody(x).detail === 'Not Found';
}

function settledBy(basis: string, decisive: readonly CheckExchange[]): string {
  const put = decisive.find((x) => x.request.method === 'PUT');
  if (!put) return '';
  if (basis === 'ajax') return `, and the same upload via ajax-api/2.0/mlflow-artifacts succeeded (${put.id})`;
  if (basis === 'direct') return `, and the same upload direct to MLflow at ${hostOf(put.request.url)} succeeded (${put.id})`;
  return '';
}

/** 'model version hokus-check-ab12 v1, registered model hokus-check-ab12, run 3f2a…' — every leftover, by name. */
function leftoverWords(ev: Evidence): string {
  const created = ev.state.created;
  const model = created.modelName ?? ev.state.modelName;
  const versions = created.modelVersions.length > 0 ? created.modelVersions : ev.state.modelVersion ? [ev.state.modelVersion] : [];
  const runId = created.runId ?? ev.state.runId;
  const runDeleted = exchangesWhere(ev, { step: 'cleanup', label: ENDPOINT.runsDelete }).some(is2xx);
  const parts: string[] = [];
  if (model) parts.push(...versions.map((v) => `model version ${model} v${v}`), `registered model ${model}`);
  if (runId && !runDeleted) parts.push(`run ${runId}`);
  parts.push(...(ev.state.leftovers ?? []).filter((l) => !/^(model version|registered model|run) /i.test(l)));
  const words = parts.length > 0 ? parts.join(', ') : 'the registered model and its versions';
  return runId && runDeleted ? `${words} (created from run ${runId})` : words;
}

function mlflowBase(ev: Evidence): string {
  return mlflowBaseUrl(ev.target);
}

/**
 * The hop in front of the API that wrote this answer or passed it on, when the API's own proxy did
 * not: with the API in the chain (or its proxy answering), the API proxy routes artifacts wrongly.
 */
function frontOf(ev: Evidence, x: CheckExchange): { who: Responder; at: string; name: string } | undefined {
  const chain = chainOf(x);
  if (chain.includes('hokusai-api') || responderOf(x) === 'hokusai-proxy') return undefined;
  if (byHop(x)) return { who: responderOf(x), at: hopAt(x), name: 'it' };
  const named = chain.find((l) => isProxy(l));
  const host = hostOf(x.request.url);
  if (named) return { who: named, at: `${responderWords(named)} at ${host}`, name: responderWords(named) };
  // MLflow answered, and nothing of the API is on the path: a front no profile names sent it there.
  return responderOf(x) === 'mlflow' ? { who: 'hop', at: `the proxy in front of MLflow at ${host}`, name: 'that proxy' } : undefined;
}

/** MLflow's own answer for a path it has no route for: Flask's HTML 404, or ENDPOINT_NOT_FOUND. */
function isMlflowRouteMiss(x: CheckExchange): boolean {
  if (statusOf(x) !== 404 || responderOf(x) !== 'mlflow') return false;
  const facts = readBody(x);
  return isWerkzeugPage(facts.text) || facts.errorCode === 'ENDPOINT_NOT_FOUND';
}

/** A PUT/DELETE on the artifact path refused by a hop's own rule (its 403/405/501), while GET and POST pass. */
function isMethodRefusal(ev: Evidence, x: CheckExchange): boolean {
  return isArtifactCall(x) && hopReading(ev, x)?.situation === 'method-refused';
}

/** Any other redirect: not an https upgrade on the same host, not a login. */
function isOtherRedirect(x: CheckExchange): boolean {
  const s = statusOf(x);
  return s !== undefined && [301, 302, 303, 307, 308].includes(s) && !isHttpsRedirect(x) && !loginRedirect(x);
}

/** A redirect from an http:// URL to https:// on the same host name. */
function isHttpsRedirect(x: CheckExchange): boolean {
  const s = statusOf(x);
  // A redirect to a login is GATEWAY_LOGIN_REQUIRED's, also when it goes to https.
  if (s === undefined || ![301, 302, 303, 307, 308].includes(s) || !x.request.url.startsWith('http://') || loginRedirect(x)) return false;
  const location = headerValue(x.response?.headers, 'location');
  if (!location?.startsWith('https://')) return false;
  try {
    return new URL(location).hostname === new URL(x.request.url).hostname;
  } catch {
    return false;
  }
}

/**
 * The MLflow URL fix with the values seen: the URL the API says it uses (its /api/health/mlflow
 * answer carries `tracking_uri`) and the internal URL given with --mlflow-direct-url.
 */
function proxyUrlFix(ev: Evidence, health: CheckExchange | undefined): string {
  const seen = health ? readBody(health).json?.tracking_uri : undefined;
  const used = typeof seen === 'string' ? seen : undefined;
  const internal = ev.target.mlflowDirectUrl;
  const target = internal ?? originOf(used);
  const value = target
    ? `MLFLOW_SERVER_URL=${target}`
    : "MLFLOW_SERVER_URL=<MLflow's internal URL, e.g. http://mlflow.<namespace>.local:5000>";
  const prefixed = used !== undefined && target !== undefined && used.replace(/\/+$/, '') !== target;
  const now = used
    ? ` The API uses ${used} now (its /api/health/mlflow answer)${prefixed ? ": its path is MLflow's --static-prefix, under which the REST API does not live" : ''}.`
    : '';
  return `Point the proxy at MLflow's internal URL, without the --static-prefix path: ${value}.${now}`;
}
