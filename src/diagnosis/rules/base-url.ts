// Routing family, the URLs themselves: a URL the user gave points at another component (the
// registry URL at MLflow itself or at the auth service, the auth URL at the registry), or carries a
// path the check appends its own paths to. What tells: MLflow's own /health answer (`OK`,
// text/html — both recorded MLflow versions), and a 404 where the component named has the route.
import { exchangesWhere, needsExplaining, pathOf, registryAnswersAsMlflow, statusOf } from '../evidence-query.js';
import { originOf } from '../fingerprint.js';
import { report, rule } from '../finding.js';
import type { CheckExchange, Evidence, Finding, Rule, RuleMeta } from '../types.js';
import { describeAnswer, nameOf } from '../words.js';
import { LABEL } from '../../steps/labels.js';

const meta: RuleMeta = {
  code: 'ROUTE_WRONG_BASE_URL',
  family: 'routing',
  rank: { tier: 'route', order: 1 },
  title: 'A URL points at the wrong service or path',
  severity: 'error',
  docs: {
    means:
      "A URL given to the check is not the base URL of the component it names: --registry-url is an MLflow server (its /health answers MLflow's plain `OK`) or the auth service (the same origin as --auth-url), --auth-url has no /api/v1/keys/validate (it is the registry, or carries a path), or --registry-url carries a path under which nothing answers. The check appends /health, /api/mlflow/…, /api/v1/keys/validate to the base URLs it is given.",
    detect:
      "--registry-url/health answers 200 `OK` as text (MLflow's own answer, not the API's JSON); or validate answers 404; or --registry-url has a path and its /health answers 404; or the MLflow mount answers 404 on a registry URL equal to the auth URL.",
    fix: 'Give each flag the base URL of its component, without a path: --registry-url the API service (https://registry.hokus.ai), --auth-url the auth service (https://auth.hokus.ai). To check a plain MLflow server, use --mlflow-url.',
    confirm: 'Rerun hokus-check with the corrected URLs.',
  },
};

export const rules: Rule[] = [
  rule(meta, (ev) => {
    if (ev.target.kind !== 'hokusai') return [];
    return [...registryIsMlflow(ev), ...registryHasPath(ev), ...registryIsAuth(ev), ...authHasNoValidate(ev)];
  }),
];

function registryIsMlflow(ev: Evidence): Finding[] {
  const health = registryAnswersAsMlflow(ev);
  if (!health || !needsExplaining(ev, 'health')) return [];
  const url = ev.target.registryUrl!;
  const path = basePath(url);
  const answer = `${nameOf(health)} got MLflow's own answer (200 "OK", ${health.response?.contentType ?? 'text'}) where the API answers JSON`;
  return [
    report(meta, {
      step: 'health',
      cause:
        path === ''
          ? `--registry-url ${url} is an MLflow server, not the Hokusai API service: ${answer}.`
          : `--registry-url ${url} goes past the API to MLflow (whatever routes ${path} sends it straight to MLflow, whose REST paths have no such prefix): ${answer}.`,
      evidence: [health.id],
      fix:
        path === ''
          ? [
              `Give --registry-url the API service's URL (e.g. https://registry.hokus.ai).`,
              `To check this MLflow server itself: hokus-check --mlflow-url ${url}`,
            ]
          : [
              `Give --registry-url the API service's base URL: ${originOf(url)} (the check reaches MLflow through the API's ${ev.target.mlflowPath} mount).`,
            ],
    }),
  ];
}

function registryHasPath(ev: Evidence): Finding[] {
  const url = ev.target.registryUrl;
  const path = basePath(url);
  if (!url || path === '' || !needsExplaining(ev, 'health')) return [];
  const health = own(ev, 'health', (x) => pathOf(x.request.url) === `${path}/health`);
  if (!health || statusOf(health) !== 404) return [];
  const origin = originOf(url)!;
  return [
    report(meta, {
      step: 'health',
      cause: `--registry-url ${url} carries a path (${path}), and the check appends its own paths to it: ${nameOf(health)} asked for ${path}/health and got ${describeAnswer(health)}.`,
      evidence: [health.id],
      fix: [
        `Give --registry-url the API service's base URL: ${origin} (the check adds /health and ${ev.target.mlflowPath} itself; a different mount goes in --mlflow-path).`,
      ],
    }),
  ];
}

function registryIsAuth(ev: Evidence): Finding[] {
  const registry = originOf(ev.target.registryUrl);
  if (registry === undefined || registry !== originOf(ev.target.authUrl) || !needsExplaining(ev, 'experiments')) return [];
  const search = own(ev, 'experiments', (x) => statusOf(x) === 404);
  if (!search) return [];
  return [
    report(meta, {
      step: 'experiments',
      cause: `--registry-url and --auth-url are the same (${registry}), and the MLflow mount there answers 404: ${nameOf(search)} got ${describeAnswer(search)}. That is the auth service's URL, not the API service's.`,
      evidence: [search.id],
      fix: ["Give --registry-url the API service's URL (e.g. https://registry.hokus.ai); --auth-url stays the auth service's."],
    }),
  ];
}

function authHasNoValidate(ev: Evidence): Finding[] {
  const url = ev.target.authUrl;
  if (!url || !needsExplaining(ev, 'auth')) return [];
  const validate = own(ev, 'auth', (x) => x.label === LABEL.validate);
  if (!validate || statusOf(validate) !== 404) return [];
  const path = basePath(url);
  const same = originOf(url) === originOf(ev.target.registryUrl);
  const what = same
    ? `it is the same as --registry-url (the API service, which has no such route)`
    : path !== ''
      ? `the URL carries a path (${path}) that the check appends /api/v1/keys/validate to`
      : 'it is not the auth service';
  return [
    report(meta, {
      step: 'auth',
      cause: `--auth-url ${url} has no /api/v1/keys/validate: ${nameOf(validate)} got ${describeAnswer(validate)} — ${what}.`,
      evidence: [validate.id],
      fix: [`Give --auth-url the auth service's base URL${path !== '' ? `, without ${path}` : ''} (e.g. https://auth.hokus.ai).`],
    }),
  ];
}

/** The step's own first final answer matching `match`. */
function own(ev: Evidence, step: 'auth' | 'health' | 'experiments', match: (x: CheckExchange) => boolean): CheckExchange | undefined {
  return exchangesWhere(ev, { step, probe: false, finalOnly: true }).find(match);
}

/** The path part of a base URL, without a trailing slash ('' for an origin). */
function basePath(url: string | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}
