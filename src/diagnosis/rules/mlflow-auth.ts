// Auth family, MLflow's own authentication (`mlflow server --app-name basic-auth`): its login refusal
// — 401 with `WWW-Authenticate: Basic realm="mlflow"` and a fixed sentence as text, for no login, a
// Bearer token (which it does not read) and a wrong login alike — and its permission refusal, a
// plain-text 403 "Permission denied" after a login that passed. Recorded in
// test/fixtures/mlflow-2.12.2-basic-auth (its README tabulates every refusal; routes.tsv the
// permission each route needs). Who wrote the answer is decided before any rule (fingerprint.ts): by
// MLflow's own words or its web stack's Server header. A login asked for by a hop in front — nginx's
// auth_basic, whatever its realm, with its own page — stays GATEWAY_LOGIN_REQUIRED's. Whether the
// request carried a login is read from the request the check recorded (its Authorization scheme).
import { headerValue, headerValues, readBody } from '../exchange-body.js';
import { firstPerStep, loginChallenge, pathOf, responderOf, statusOf, writerOf } from '../evidence-query.js';
import { fingerprintOf, originOf } from '../fingerprint.js';
import { isMlflowWebServer } from '../profiles/index.js';
import { report, rule } from '../finding.js';
import type { CheckExchange, Evidence, Rule, RuleMeta } from '../types.js';
import { nameOf } from '../words.js';

const USER_VARS = 'MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD';

const requiredMeta: RuleMeta = {
  code: 'MLFLOW_AUTH_REQUIRED',
  family: 'auth',
  rank: { tier: 'service-auth', order: 2 },
  title: 'MLflow asks for a login (its basic-auth app)',
  severity: 'error',
  docs: {
    means:
      "MLflow runs with its own authentication (`mlflow server --app-name basic-auth`), and the request carried no MLflow login: no Authorization header, or a Bearer token — the basic-auth app reads HTTP Basic only and treats a token as no login. Every path but /health needs the login, /version included. Behind the Hokusai API: its proxy forwards the Hokusai key as a Bearer token, which MLflow's app does not take.",
    detect:
      'An answer 401 that MLflow wrote itself (its fixed text "You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/…", or its web stack\'s Server header) with `WWW-Authenticate: Basic realm="mlflow"`, to a request without a Basic login (no Authorization header, or a Bearer token). A login page a hop in front writes (another realm, its own HTML) is GATEWAY_LOGIN_REQUIRED.',
    fix: "Set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD to an MLflow user's login, as for MLflow's own client: hokus-check sends them as HTTP Basic (they come before MLFLOW_TRACKING_TOKEN, as in MLflow's client). An admin creates users (POST /api/2.0/mlflow/users/create). Behind the Hokusai API: make its proxy authenticate to MLflow, or run MLflow there without --app-name basic-auth.",
    confirm: 'Rerun `hokus-check --only experiments` with the variables set: experiments/search answers 200.',
  },
};

const rejectedMeta: RuleMeta = {
  code: 'MLFLOW_AUTH_REJECTED',
  family: 'auth',
  rank: { tier: 'service-auth', order: 1 },
  title: 'MLflow refuses the login',
  severity: 'error',
  docs: {
    means:
      "MLflow's basic-auth app got a Basic login and refused it: a wrong password, a user that does not exist (or was deleted, or whose password was changed), or a user name in another case — MLflow compares user names exactly.",
    detect:
      'An answer 401 that MLflow wrote itself, with `WWW-Authenticate: Basic realm="mlflow"`, to a request that carried Basic credentials (MLFLOW_TRACKING_USERNAME/PASSWORD).',
    fix: "Check MLFLOW_TRACKING_USERNAME (case included) and MLFLOW_TRACKING_PASSWORD against the server's users; an admin can set a new password (PATCH /api/2.0/mlflow/users/update-password) or create the user (POST /api/2.0/mlflow/users/create).",
    confirm:
      'curl -u "$MLFLOW_TRACKING_USERNAME:$MLFLOW_TRACKING_PASSWORD" "<server>/api/2.0/mlflow/users/get?username=$MLFLOW_TRACKING_USERNAME" answers 200; rerun `hokus-check --only experiments`.',
  },
};

const deniedMeta: RuleMeta = {
  code: 'MLFLOW_PERMISSION_DENIED',
  family: 'auth',
  rank: { tier: 'service-auth', order: 3 },
  title: 'MLflow denies the user a permission',
  severity: 'error',
  docs: {
    means:
      "The login passed, and MLflow's basic-auth app refused the call: the user lacks the permission it needs on the experiment or registered model it touches. Without a permission of their own, users have the server's default_permission (READ in MLflow's default basic_auth.ini) on every experiment and model — the Default experiment (0) and one someone else made included — so they can read but not create runs there; what a user creates (experiments, registered models) is theirs (MANAGE). Creating a run or uploading an artifact needs EDIT; deleting them (the check's cleanup) needs MANAGE.",
    detect:
      'An answer 403 that MLflow wrote itself as plain text, "Permission denied" (not JSON, no WWW-Authenticate), after a login that passed. The finding names the resource from the request (experiment_id, the artifact path\'s experiment, the model name) and the permission the route needs (MLflow 2.12.2\'s URL map with the auth app).',
    fix: "Grant the user the permission on that resource (as an admin, or a user who MANAGEs it: POST /api/2.0/mlflow/experiments/permissions/create or …/registered-models/permissions/create), or let the check create its own experiment — run it as the experiment's creator, or have an admin delete the shared `hokus-check` experiment so the check makes `hokus-check-2` as this user.",
    confirm: 'Rerun hokus-check: the step passes, and cleanup deletes what the check made.',
  },
};

export const rules: Rule[] = [
  rule(requiredMeta, (ev) =>
    firstPerStep(ev, (x) => mlflowLogin(x) && sentScheme(x) !== 'basic').map((x) =>
      report(requiredMeta, {
        step: x.step,
        cause: `MLflow's own authentication asks for a login: ${nameOf(x)} got 401 with \`WWW-Authenticate: Basic realm="${realmOf(x)}"\` (${writtenBy(ev, x)}), and the request carried ${carriedWords(ev, x)}. \`mlflow server --app-name basic-auth\` is on; nothing past its login ran.`,
        evidence: [x.id],
        fix: requiredFixes(ev, x),
      }),
    ),
  ),

  rule(rejectedMeta, (ev) =>
    firstPerStep(ev, (x) => mlflowLogin(x) && sentScheme(x) === 'basic').map((x) => {
      const user = ev.credentials?.username;
      const who = user !== undefined ? `user ${JSON.stringify(user)}` : 'the user';
      const from = ev.credentials?.scheme === 'basic' ? ` (from ${ev.credentials.from})` : '';
      return report(rejectedMeta, {
        step: x.step,
        cause: `MLflow's own authentication refused the login of ${who}${from}: ${nameOf(x)} got 401 with \`WWW-Authenticate: Basic realm="${realmOf(x)}"\` (${writtenBy(ev, x)}) — a wrong password, a user that does not exist or was deleted, or the name in another case (MLflow compares it exactly).`,
        evidence: [x.id],
        fix: [
          `Check ${USER_VARS}: ${user !== undefined ? `is ${JSON.stringify(user)} the user's exact name, and ` : ''}is the password current? \`curl -u "$MLFLOW_TRACKING_USERNAME:$MLFLOW_TRACKING_PASSWORD" "${originOf(x.request.url) ?? '<server>'}${mlflowPrefix(x)}/api/2.0/mlflow/users/get?username=$MLFLOW_TRACKING_USERNAME"\` answers 200 when the pair is right.`,
          'An admin can set a new password (PATCH /api/2.0/mlflow/users/update-password {"username", "password"}) or create the user (POST /api/2.0/mlflow/users/create).',
        ],
      });
    }),
  ),

  rule(deniedMeta, (ev) =>
    firstPerStep(ev, (x) => mlflowPermissionRefusal(ev, x)).map((x) => {
      const need = needOf(ev, x);
      const user = ev.credentials?.username;
      const who = user !== undefined ? `user ${JSON.stringify(user)}` : 'the user';
      const lacks = need
        ? `lacks ${need.permission === 'admin' ? 'admin rights' : `${need.permission} on ${resourceWords(need)}`}, which ${x.label} needs`
        : `lacks the permission ${x.label} needs`;
      return report(deniedMeta, {
        step: x.step,
        cause: `MLflow's basic-auth app refused ${nameOf(x)} with 403 "Permission denied": ${who} is logged in but ${lacks}. A user without a permission of their own has the server's default_permission (READ by default); what a user creates is theirs (MANAGE).`,
        evidence: [x.id],
        fix: deniedFixes(ev, x, need, user ?? '<user>'),
      });
    }),
  ),
];

// --- what MLflow answered, and what the request carried -------------------------------------------

/** MLflow's own login refusal: 401, written by MLflow, with a Basic challenge (its realm is "mlflow"). */
function mlflowLogin(x: CheckExchange): boolean {
  return statusOf(x) === 401 && writerOf(x) === 'service' && responderOf(x) === 'mlflow' && loginChallenge(x)?.scheme === 'Basic';
}

/**
 * MLflow's own permission refusal: 403 "Permission denied", as Flask sends a string (text/html), never
 * with a challenge. The two words are common, so the answer must also come from MLflow's server: its
 * web stack's Server header, none, or the Server that MLflow's own answers through the same origin
 * carry (a proxy in front that names itself on every answer) — not a hop's that names itself apart.
 */
function mlflowPermissionRefusal(ev: Evidence, x: CheckExchange): boolean {
  if (statusOf(x) !== 403 || writerOf(x) !== 'service' || responderOf(x) !== 'mlflow') return false;
  if (readBody(x).text !== 'Permission denied' || headerValue(x.response?.headers, 'www-authenticate') !== undefined) return false;
  if (!/^text\/html\b/i.test(headerValue(x.response?.headers, 'content-type') ?? 'text/html')) return false;
  const server = innerServer(x);
  if (server === undefined || isMlflowWebServer(server)) return true;
  const origin = originOf(x.request.url);
  return ev.exchanges.some(
    (y) =>
      y !== x && originOf(y.request.url) === origin && (statusOf(y) ?? 0) < 300 && responderOf(y) === 'mlflow' && innerServer(y) === server,
  );
}

/** The innermost `Server` of an answer (a proxied reply carries one per layer, in order). */
function innerServer(x: CheckExchange): string | undefined {
  return headerValues(x.response?.headers, 'server').at(-1);
}

/** The Authorization scheme the request carried, lower case ('basic', 'bearer'); undefined for none. */
function sentScheme(x: CheckExchange): string | undefined {
  const value = x.request.headers.find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  return value === undefined ? undefined : (/^\s*(\S+)/.exec(value)?.[1]?.toLowerCase() ?? '');
}

function realmOf(x: CheckExchange): string {
  return loginChallenge(x)?.realm ?? '';
}

/** Why the answer is MLflow's: the fingerprint's basis, and an answer of MLflow's through the same origin if there is one. */
function writtenBy(ev: Evidence, x: CheckExchange): string {
  const origin = originOf(x.request.url);
  const other = ev.exchanges.find(
    (y) =>
      y !== x && originOf(y.request.url) === origin && (statusOf(y) ?? 0) < 300 && writerOf(y) === 'service' && responderOf(y) === 'mlflow',
  );
  return `${fingerprintOf(x).basis}${other ? `; ${other.label} (${other.id}) through the same origin answered as MLflow` : ''}`;
}

function carriedWords(ev: Evidence, x: CheckExchange): string {
  const scheme = sentScheme(x);
  if (scheme === undefined) return 'no credentials';
  if (scheme === 'bearer') {
    const from = ev.credentials?.scheme === 'bearer' ? ` (from ${ev.credentials.from})` : '';
    return `a Bearer token${from}, which MLflow's basic-auth app does not read (it takes the Basic scheme alone)`;
  }
  return `an Authorization header of another scheme (${scheme}), which MLflow's basic-auth app does not read`;
}

function requiredFixes(ev: Evidence, x: CheckExchange): string[] {
  if (ev.target.kind === 'hokusai') {
    return [
      "The API's MLflow proxy forwards the Hokusai key as a Bearer token, which MLflow's basic-auth app treats as no login: make the proxy authenticate to MLflow (an MLflow user's Basic credentials on every forwarded request), or run MLflow behind the API without --app-name basic-auth.",
    ];
  }
  const fixes = [
    `Set ${USER_VARS} to an MLflow user's login, as for MLflow's own client: hokus-check sends them as HTTP Basic, to this server only.`,
  ];
  const from = ev.credentials?.scheme === 'bearer' ? ev.credentials.from : undefined;
  if (sentScheme(x) === 'bearer' && from === 'MLFLOW_TRACKING_TOKEN')
    fixes.push(
      `MLFLOW_TRACKING_TOKEN is sent as a Bearer token, which this server does not read; with ${USER_VARS} set, the pair is sent instead (as by MLflow's client).`,
    );
  else if (sentScheme(x) === 'bearer' && from !== undefined && from !== 'HOKUSAI_API_KEY')
    fixes.push(
      `The key from ${from} is sent because it was named explicitly (--api-key-env, --api-key-stdin, HOKUS_CHECK_API_KEY_ENV or apiKeyEnv), before MLflow's variables: leave it out.`,
    );
  fixes.push('No user yet? An admin creates one: POST /api/2.0/mlflow/users/create {"username", "password"}.');
  return fixes;
}

// --- what the refused call needs (routes.tsv: MLflow 2.12.2's URL map with the auth app) ----------

interface Need {
  permission: 'READ' | 'EDIT' | 'MANAGE' | 'admin';
  resource: 'experiment' | 'registered model';
  /** The experiment id, or the model's name. */
  id?: string;
  /** The experiment's name, when the check's evidence shows it. */
  name?: string;
}

type Where = 'experiment_id' | 'experiment_name' | 'run' | 'artifact-path' | 'name' | 'none';

/** Route (after /api/2.0/ or /ajax-api/2.0/) and method → the permission and where the resource is named. */
const NEEDS: ReadonlyArray<{
  route: RegExp;
  methods?: readonly string[];
  permission: Need['permission'];
  resource: Need['resource'];
  where: Where;
}> = [
  { route: /^mlflow-artifacts\/artifacts\/\d+\//, methods: ['PUT'], permission: 'EDIT', resource: 'experiment', where: 'artifact-path' },
  { route: /^mlflow-artifacts\/artifacts\/\d+\//, methods: ['GET'], permission: 'READ', resource: 'experiment', where: 'artifact-path' },
  {
    route: /^mlflow-artifacts\/artifacts\/\d+\//,
    methods: ['DELETE'],
    permission: 'MANAGE',
    resource: 'experiment',
    where: 'artifact-path',
  },
  { route: /^mlflow\/runs\/create$/, permission: 'EDIT', resource: 'experiment', where: 'experiment_id' },
  { route: /^mlflow\/experiments\/(delete|restore)$/, permission: 'MANAGE', resource: 'experiment', where: 'experiment_id' },
  { route: /^mlflow\/experiments\/(update|set-experiment-tag)$/, permission: 'EDIT', resource: 'experiment', where: 'experiment_id' },
  { route: /^mlflow\/experiments\/get$/, permission: 'READ', resource: 'experiment', where: 'experiment_id' },
  { route: /^mlflow\/experiments\/get-by-name$/, permission: 'READ', resource: 'experiment', where: 'experiment_name' },
  { route: /^mlflow\/experiments\/permissions\//, permission: 'MANAGE', resource: 'experiment', where: 'experiment_id' },
  { route: /^mlflow\/runs\/(delete|restore)$/, permission: 'MANAGE', resource: 'experiment', where: 'run' },
  {
    route: /^mlflow\/runs\/(set-tag|delete-tag|log-batch|log-metric|log-parameter|log-model|update)$/,
    permission: 'EDIT',
    resource: 'experiment',
    where: 'run',
  },
  { route: /^mlflow\/(runs\/get|artifacts\/list|metrics\/get-history)$/, permission: 'READ', resource: 'experiment', where: 'run' },
  {
    route: /^mlflow\/(model-versions\/(delete|delete-tag)|registered-models\/delete)$/,
    permission: 'MANAGE',
    resource: 'registered model',
    where: 'name',
  },
  { route: /^mlflow\/registered-models\/alias$/, methods: ['DELETE'], permission: 'MANAGE', resource: 'registered model', where: 'name' },
  { route: /^mlflow\/registered-models\/alias$/, methods: ['GET'], permission: 'READ', resource: 'registered model', where: 'name' },
  {
    route: /^mlflow\/(model-versions\/(get|get-download-uri)|registered-models\/(get|get-latest-versions))$/,
    permission: 'READ',
    resource: 'registered model',
    where: 'name',
  },
  { route: /^mlflow\/(model-versions|registered-models)\/[a-z-]+$/, permission: 'EDIT', resource: 'registered model', where: 'name' },
  { route: /^mlflow\/registered-models\/permissions\//, permission: 'MANAGE', resource: 'registered model', where: 'name' },
  { route: /^mlflow\/users\/(create|delete|update-admin)$/, permission: 'admin', resource: 'experiment', where: 'none' },
];

function needOf(ev: Evidence, x: CheckExchange): Need | undefined {
  const route = /\/(?:ajax-)?api\/2\.0\/(.+)$/.exec(pathOf(x.request.url))?.[1];
  if (route === undefined) return undefined;
  const row = NEEDS.find((r) => r.route.test(route) && (!r.methods || r.methods.includes(x.request.method)));
  if (!row) return undefined;
  const need: Need = { permission: row.permission, resource: row.resource };
  const id = resourceId(ev, x, row.where, route);
  if (id !== undefined) need.id = id;
  if (row.resource === 'experiment') {
    const name = experimentName(ev, id) ?? (row.where === 'experiment_name' ? param(x, 'experiment_name') : undefined);
    if (name !== undefined) need.name = name;
  }
  return need;
}

function resourceId(ev: Evidence, x: CheckExchange, where: Where, route: string): string | undefined {
  switch (where) {
    case 'artifact-path':
      return /^mlflow-artifacts\/artifacts\/(\d+)\//.exec(route)?.[1];
    case 'experiment_id':
      return param(x, 'experiment_id');
    case 'run': {
      // The check's own run is in the check's experiment.
      const run = param(x, 'run_id') ?? param(x, 'run_uuid');
      return run !== undefined && run === ev.state.runId ? ev.state.experimentId : undefined;
    }
    case 'name':
      return param(x, 'name');
    default:
      return undefined;
  }
}

/** A request parameter, from the JSON body or the query string. */
function param(x: CheckExchange, name: string): string | undefined {
  const body = x.request.bodyExcerpt;
  if (body !== undefined && body.startsWith('{')) {
    try {
      const value = (JSON.parse(body) as Record<string, unknown>)[name];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
    } catch {
      // A cut or binary body: no parameter from it.
    }
  }
  try {
    return new URL(x.request.url).searchParams.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The experiment's name, from an answer of this check that showed it (experiments/get-by-name, …/get). */
function experimentName(ev: Evidence, id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  for (const y of ev.exchanges) {
    const experiment = readBody(y).json?.experiment as { experiment_id?: unknown; name?: unknown } | undefined;
    if (experiment && String(experiment.experiment_id) === id && typeof experiment.name === 'string') return experiment.name;
  }
  return undefined;
}

function resourceWords(need: Need): string {
  if (need.resource === 'registered model')
    return need.id !== undefined ? `registered model ${JSON.stringify(need.id)}` : 'the registered model';
  if (need.id === undefined) return need.name !== undefined ? `experiment ${JSON.stringify(need.name)}` : 'the experiment';
  return `experiment ${need.id}${need.name !== undefined ? ` (${JSON.stringify(need.name)})` : ''}`;
}

function deniedFixes(ev: Evidence, x: CheckExchange, need: Need | undefined, user: string): string[] {
  const base = `${originOf(x.request.url) ?? ''}${mlflowPrefix(x)}/api/2.0/mlflow`;
  if (!need)
    return [
      `Grant ${user} the permission ${x.label} needs (MLflow's auth REST API: ${base}/experiments/permissions/create or …/registered-models/permissions/create, as an admin).`,
    ];
  if (need.permission === 'admin') return [`Only an admin may call ${x.label}: run this as an MLflow admin.`];
  // The check deletes what it made: that needs MANAGE, where creating needs EDIT.
  const level = need.permission === 'EDIT' ? 'EDIT (MANAGE to let the check delete its run and artifacts afterwards)' : need.permission;
  const grant =
    need.resource === 'experiment'
      ? `POST ${base}/experiments/permissions/create {"experiment_id": "${need.id ?? '<id>'}", "username": "${user}", "permission": "${need.permission === 'EDIT' ? 'MANAGE' : need.permission}"}`
      : `POST ${base}/registered-models/permissions/create {"name": "${need.id ?? '<name>'}", "username": "${user}", "permission": "${need.permission === 'EDIT' ? 'MANAGE' : need.permission}"}`;
  const fixes = [
    `Grant ${user} ${level} on ${resourceWords(need)}, as an admin or a user who MANAGEs it: ${grant} (PATCH …/permissions/update when ${user} has a permission there already).`,
  ];
  const shared = need.resource === 'experiment' && need.name !== undefined && /^hokus-check(-\d)?$/.test(need.name);
  if (shared && !ev.state.created.experimentCreated)
    fixes.push(
      `Or let the check create its own experiment: the creator of an experiment MANAGEs it. Run the check as the user who created ${JSON.stringify(need.name)}, or have an admin delete experiment ${need.id ?? need.name} (POST ${base}/experiments/delete): the check then makes the next of hokus-check-2 … -5 as ${user}.`,
    );
  return fixes;
}

/** The path in front of /api/2.0/ (a proxy mount such as /api/mlflow), '' for a plain server. */
function mlflowPrefix(x: CheckExchange): string {
  return /^(.*?)\/(?:ajax-)?api\/2\.0\//.exec(pathOf(x.request.url))?.[1] ?? '';
}
