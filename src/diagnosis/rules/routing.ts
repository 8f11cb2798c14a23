// Routing family: requests that reach the wrong place — the proxy mount missing, artifact paths sent
// to the wrong upstream (the incident), DELETE bodies dropped on the way to MLflow.
import type { Exchange } from '../../http/types.js';
import { mlflowBaseUrl } from '../../mlflow/urls.js';
import type { StepId } from '../../steps/types.js';
import { artifactVerdict } from '../artifact-verdict.js';
import { errorWords, readBody } from '../exchange-body.js';
import {
  apiMlflowProbeFailure,
  chainOf,
  exchangesWhere,
  hostOf,
  is2xx,
  isTrackingCall,
  needsExplaining,
  responderOf,
  statusOf,
  throughProxy,
} from '../evidence-query.js';
import { describeAnswer, nameOf } from '../words.js';
import { report, rule } from '../finding.js';
import type { Evidence, Rule, RuleMeta } from '../types.js';

const notMountedMeta: RuleMeta = {
  code: 'ROUTE_PROXY_NOT_MOUNTED',
  family: 'routing',
  title: 'MLflow proxy not mounted',
  severity: 'error',
  docs: {
    means: 'Requests to the registry\'s MLflow mount (/api/mlflow/*) never reach the proxy: the API has no such route, or the load balancer has no rule for it.',
    detect: 'An MLflow call under the mount answers 404 {"detail": "Not Found"} from the API itself (FastAPI\'s unknown-route answer), or a plain-text "Not Found" (a load balancer\'s fixed response), and no MLflow call through the mount passes.',
    fix: 'Mount the MLflow proxy router at /api/mlflow in the API and redeploy; add a load balancer rule sending /api/mlflow/* to the API on every listener (HTTPS too); check --mlflow-path matches the mount.',
    confirm: 'Rerun `hokus-check --only experiments`: experiments/search answers 200 JSON.',
  },
};

const misroutedMeta: RuleMeta = {
  code: 'ROUTE_ARTIFACTS_MISROUTED',
  family: 'routing',
  title: 'Proxy misroutes artifact requests',
  severity: 'error',
  docs: {
    means: 'The API proxy sends `mlflow-artifacts` requests to the wrong upstream or prefix, while tracking requests reach MLflow. Typical cause: MLFLOW_SERVER_URL points at a URL with MLflow\'s --static-prefix (https://registry…/mlflow), where only ajax-api paths carry the prefix; tracking paths are rewritten to ajax-api, artifact paths are not.',
    detect: 'Tracking calls through the proxy pass, the artifact PUT through the proxy answers 404 from something other than MLflow\'s JSON API (Flask\'s HTML 404, a load balancer or nginx page, the proxy\'s rewritten RESOURCE_NOT_FOUND); decisive when the same PUT succeeds via ajax-api or direct to MLflow (--mlflow-direct-url).',
    fix: 'Point the proxy at MLflow\'s internal URL without the static prefix (e.g. MLFLOW_SERVER_URL=http://mlflow.<namespace>.local:5000), or make the proxy rewrite api/2.0/mlflow-artifacts/ to ajax-api/2.0/mlflow-artifacts/ like tracking paths. Workaround for clients: upload via <mlflowPath>/ajax-api/2.0/mlflow-artifacts/….',
    confirm: 'Rerun `hokus-check --only artifact`: the PUT, read-back and listing pass.',
  },
};

const deleteBodyMeta: RuleMeta = {
  code: 'PROXY_DROPS_DELETE_BODY',
  family: 'routing',
  title: 'Proxy drops DELETE bodies',
  severity: 'warn',
  docs: {
    means: 'The API proxy forwards request bodies only for POST/PUT/PATCH, but MLflow\'s registry deletes are DELETE requests with a JSON body; MLflow sees no name and refuses, so registered models and versions cannot be deleted through the proxy.',
    detect: 'model-versions/delete or registered-models/delete through the proxy answers 400 INVALID_PARAMETER_VALUE "Missing value for required parameter \'name\'".',
    fix: 'Forward bodies on DELETE in the proxy. Meanwhile run checks with --mlflow-direct-url so registry deletes go to MLflow directly, and remove leftovers with `hokus-check sweep --mlflow-direct-url <url>`.',
    confirm: 'Rerun hokus-check: cleanup passes with nothing left behind.',
  },
};

export const rules: Rule[] = [
  rule(notMountedMeta, (ev) => {
    if (ev.target.kind !== 'hokusai') return [];
    const tracking = exchangesWhere(ev, { probe: false }).filter((x) => isTrackingCall(x) && throughProxy(ev, x));
    if (tracking.some(is2xx)) return [];
    const miss = tracking.find((x) => needsExplaining(ev, x.step) && isUnmountedAnswer(x));
    if (!miss) return [];
    const fromLb = responderOf(miss) === 'load-balancer';
    const mount = ev.target.mlflowPath;
    return [
      report(notMountedMeta, {
        step: miss.step as StepId,
        cause: fromLb
          ? `No load balancer rule sends ${mount}/* to the API: ${nameOf(miss)} got the load balancer's fixed plain-text "Not Found".`
          : `The API has no route at ${mount}: ${nameOf(miss)} got FastAPI's own 404 {"detail":"Not Found"}, so the MLflow proxy router is not mounted there.`,
        evidence: [miss.id],
        fix: fromLb
          ? [
              `Add a listener rule for ${mount}/* → the API's target group, on the HTTPS listener as well as :80.`,
              `Check that ${mount} (--mlflow-path) is where the proxy is mounted.`,
            ]
          : [`Mount the MLflow proxy router at ${mount} in the API (src/api/main.py) and redeploy.`, `Check that --mlflow-path matches the mount (default /api/mlflow).`],
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
    return [
      report(misroutedMeta, {
        step: 'artifact',
        cause: `The API proxy routes \`mlflow-artifacts\` requests to the wrong upstream or prefix while tracking requests reach MLflow: ${tracking}, but ${nameOf(v.failing)} got ${describeAnswer(v.failing)}${settledBy(v.basis, v.decisive)}${healthToo}.`,
        evidence: [v.tracking?.id, v.failing.id, ...v.decisive.map((x) => x.id), health?.id],
        fix: [
          'Point the proxy at MLflow\'s internal URL, without the --static-prefix path: e.g. MLFLOW_SERVER_URL=http://mlflow.<namespace>.local:5000 (not https://registry…/mlflow).',
          'Or make the proxy rewrite api/2.0/mlflow-artifacts/ to ajax-api/2.0/mlflow-artifacts/, as it already does for api/2.0/mlflow/ tracking paths.',
          `Workaround for clients until then: upload via ${base}/ajax-api/2.0/mlflow-artifacts/artifacts/<path>.`,
          `Confirm the fix: \`hokus-check${envFlag(ev)} --only artifact\` passes${ev.target.mlflowDirectUrl ? '' : ' (add --mlflow-direct-url <internal URL> to compare with MLflow direct)'}.`,
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
          `Remove what is left now: \`hokus-check sweep${envFlag(ev)} --mlflow-direct-url <internal MLflow URL> --older-than 0s\`.`,
        ],
      }),
    ];
  }),
];

/** A registry DELETE through the proxy that MLflow refused for want of the body's `name`. */
export function isDroppedDeleteBody(ev: Evidence, x: Exchange): boolean {
  return (
    x.request.method === 'DELETE' &&
    /^(model-versions|registered-models)\/delete$/.test(x.label) &&
    statusOf(x) === 400 &&
    throughProxy(ev, x) &&
    /Missing value for required parameter/i.test(errorWords(readBody(x)))
  );
}

/** FastAPI's unknown-route 404 from the API itself, or a load balancer's plain-text fixed 404. */
function isUnmountedAnswer(x: Exchange): boolean {
  if (statusOf(x) !== 404 || chainOf(x).includes('mlflow')) return false;
  const facts = readBody(x);
  const responder = responderOf(x);
  if (responder === 'hokusai-api' && facts.detail === 'Not Found') return true;
  return responder === 'load-balancer' && !facts.isHtml && /^Not Found$/i.test(facts.text);
}

function settledBy(basis: string, decisive: readonly Exchange[]): string {
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
  const runDeleted = exchangesWhere(ev, { step: 'cleanup', label: 'runs/delete' }).some(is2xx);
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

function envFlag(ev: Evidence): string {
  return ev.target.name && ev.target.name !== 'default' ? ` --env ${ev.target.name}` : '';
}
