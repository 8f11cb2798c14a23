// MLflow family: the tracking server itself answers, and says what is wrong with it — artifact
// routes not served, a Host header it refuses, a backend database that fails.
import { artifactVerdict, type ArtifactVerdict } from '../artifact-verdict.js';
import { errorWords, readBody } from '../exchange-body.js';
import { canSpeakForMlflow, earliestFailingStep, firstPerStep, hostOf, isArtifactCall, responderOf, statusOf } from '../evidence-query.js';
import { describeAnswer, nameOf, sameWay } from '../words.js';
import { STORAGE_DENIED } from './artifact.js';
import { report, rule } from '../finding.js';
import type { CheckExchange, Rule, RuleMeta } from '../types.js';
import { LABEL } from '../../steps/labels.js';

const notServedMeta: RuleMeta = {
  code: 'MLFLOW_ARTIFACTS_NOT_SERVED',
  family: 'mlflow',
  rank: { tier: 'route', order: 7 },
  title: 'MLflow does not serve artifacts',
  severity: 'error',
  docs: {
    means:
      "MLflow's artifact proxy routes (/api/2.0/mlflow-artifacts/…) do not exist on the server: it runs without --serve-artifacts (or with --no-serve-artifacts), or the API has artifact proxying switched off (503 ARTIFACTS_DISABLED).",
    detect:
      'The artifact PUT answers 404 from MLflow itself, and the same route 404s everywhere it was tried: direct to MLflow (--mlflow-direct-url), via ajax-api, or the listing; or the proxy answers 503 ARTIFACTS_DISABLED.',
    fix: "Start MLflow with --serve-artifacts --artifacts-destination <store> (check the container's command really passes it, and no --no-serve-artifacts); for ARTIFACTS_DISABLED set MLFLOW_SERVE_ARTIFACTS=true on the API service.",
    confirm: 'GET <mlflow>/api/2.0/mlflow-artifacts/artifacts?path= answers 200 JSON; rerun `hokus-check --only artifact`.',
  },
};

const internalMeta: RuleMeta = {
  code: 'MLFLOW_INTERNAL_ERROR',
  family: 'mlflow',
  rank: { tier: 'service', order: 4 },
  title: 'MLflow failed inside',
  severity: 'error',
  docs: {
    means:
      "The request reached MLflow and MLflow failed while handling it: an unhandled exception in its web stack (Werkzeug's \"500 Internal Server Error\" page, gunicorn's or uvicorn's error answer) or its own INTERNAL_ERROR. On tracking and registry calls that is its tracking store — the database behind --backend-store-uri is locked (SQLite with several workers), unreachable or full; on artifact calls its artifact store — the --artifacts-destination is not writable, full, or its bucket refuses MLflow. Not a hop in front: the answer is MLflow's own, through whatever proxy.",
    detect:
      "A call answers 500 that MLflow wrote itself (its web stack's page or Server header, or its JSON error), through any proxy, and no more specific finding (MLFLOW_BACKEND_ERROR, ARTIFACT_STORAGE_DENIED) names the cause.",
    fix: "Read MLflow's log around this time: it has the traceback. Tracking and registry calls: check the database (reachable from MLflow, credentials, disk space; SQLite: one worker, or PostgreSQL/MySQL). Artifact calls: check --artifacts-destination (permissions, free space, the bucket's policy for MLflow's role).",
    confirm: 'Rerun hokus-check: the step passes.',
  },
};

const hostMeta: RuleMeta = {
  code: 'MLFLOW_HOST_NOT_ALLOWED',
  family: 'mlflow',
  rank: { tier: 'service', order: 1 },
  title: 'MLflow refuses the Host header',
  severity: 'error',
  docs: {
    means:
      "MLflow 3's DNS-rebinding protection refuses requests whose Host header is not on its allow-list — here the host the proxy uses to reach it.",
    detect: 'A call answers 403 "Invalid Host header - possible DNS rebinding attack detected".',
    fix: "Add the host the proxy uses, with and without the port (mlflow.<ns>.local and mlflow.<ns>.local:5000), to MLflow's --allowed-hosts / MLFLOW_SERVER_ALLOWED_HOSTS.",
    confirm: 'Rerun `hokus-check --only experiments`: it passes.',
  },
};

const backendMeta: RuleMeta = {
  code: 'MLFLOW_BACKEND_ERROR',
  family: 'mlflow',
  rank: { tier: 'service', order: 2 },
  title: "MLflow's database is failing",
  severity: 'error',
  docs: {
    means:
      'MLflow is up, but its backend store (the database behind --backend-store-uri) is down, unreachable, refuses the credentials, or lacks its tables.',
    detect:
      'A call answers 5xx whose message names the database: OperationalError, psycopg2, sqlalchemy, "password authentication failed", "no such table", "could not connect to server".',
    fix: "Check the database is up and reachable from MLflow (security group, DNS); check the credentials in the task's secrets; check the database name (mlflow vs mlflow_db) and run `mlflow db upgrade <uri>` when tables are missing.",
    confirm: 'Rerun `hokus-check --only experiments`: it passes.',
  },
};

/** Most telling first: the name quoted in the finding is the first that matches. */
const DATABASE_SIGNS = [
  /password authentication failed/i,
  /Database password not found/i,
  /no such table: \S+/i,
  /database is locked/i,
  /relation "[^"]*" does not exist/i,
  /database "[^"]*" does not exist/i,
  /could not connect to server/i,
  /\b\w*OperationalError/,
  /\b\w*ProgrammingError/,
  /psycopg2?/i,
  /sqlalchemy/i,
  /DatabaseError/,
];

function databaseSign(text: string): string | undefined {
  for (const sign of DATABASE_SIGNS) {
    const m = sign.exec(text);
    if (m) return m[0];
  }
  return undefined;
}

/**
 * Fixes in the order the error makes likely, with what the message names (host, port, user,
 * database) instead of placeholders. When the message names no cause, the list says so.
 */
export function backendFixes(sign: string, words: string): string[] {
  const server = /server at "([^"]+)"(?:\s*\([^)]*\))?,\s*port (\d+)/i.exec(words) ?? /host "([^"]+)"(?:[^,]*),?\s*port (\d+)/i.exec(words);
  const where = server ? `${server[1]}:${server[2]}` : 'the database host';
  const user = /for user "([^"]+)"/i.exec(words)?.[1];
  const dbName = /database "([^"]+)" does not exist/i.exec(words)?.[1];
  const reach = `Check that ${where} is up and reachable from MLflow's tasks (security group, DNS name in --backend-store-uri).`;
  const creds = `Check the ${user ? `password of user "${user}"` : 'user and password'} in --backend-store-uri (the MLflow task's secret) against the database.`;
  const upgrade =
    'Run `mlflow db upgrade <backend-store-uri>` once against this database: its tables are missing or older than this MLflow.';
  if (/password|Database password not found/i.test(sign))
    return [creds, `If the secret was rotated, redeploy MLflow so its tasks read the new value.`];
  if (/no such table|relation "/i.test(sign))
    return [upgrade, 'Check that --backend-store-uri names the database MLflow was set up in (mlflow vs mlflow_db).'];
  if (/database "/i.test(sign))
    return [
      `The database "${dbName ?? '?'}" in --backend-store-uri does not exist on ${where}: fix the name (mlflow vs mlflow_db) or create it, then \`mlflow db upgrade\`.`,
    ];
  if (/database is locked/i.test(sign)) {
    return [
      'A SQLite backend store is locked: several MLflow workers or processes write one sqlite file. Run one worker (--workers 1), or move the store to PostgreSQL/MySQL.',
      'Check that no other process (a backup, a second MLflow) holds the file.',
    ];
  }
  if (/could not connect|connection to server|timeout|Connection refused/i.test(words)) return [reach, creds];
  // The message names the driver but not the cause: the usual suspects, with no order to trust.
  return [`The error does not say which: ${reach}`, creds, upgrade];
}

export const rules: Rule[] = [
  rule(internalMeta, (ev) =>
    firstPerStep(ev, (x) => {
      if (x.step === 'cleanup' || statusOf(x) !== 500 || responderOf(x) !== 'mlflow' || !canSpeakForMlflow(x)) return false;
      // The database or the store named in the message: their own findings say more.
      const words = errorWords(readBody(x));
      return databaseSign(words) === undefined && !STORAGE_DENIED.test(words);
    }).map((x) => {
      const artifacts = isArtifactCall(x);
      const store = artifacts
        ? 'its artifact store (--artifacts-destination)'
        : 'its tracking store (the database behind --backend-store-uri)';
      return report(internalMeta, {
        step: x.step,
        cause: `MLflow failed inside while handling ${nameOf(x)}: it got ${describeAnswer(x)} — MLflow's own answer, so the request reached it; the call touches ${store}.`,
        evidence: [x.id],
        fix: artifacts
          ? [
              "Read MLflow's log around this time for the traceback of this artifact call.",
              "Check --artifacts-destination: writable by MLflow, free space, and the bucket policy for MLflow's role (s3:PutObject, s3:GetObject, s3:ListBucket, s3:DeleteObject).",
            ]
          : [
              "Read MLflow's log around this time for the traceback of this call.",
              'Check the database behind --backend-store-uri: reachable from MLflow, its credentials, free space; with SQLite, a single worker (`database is locked` under several), or move to PostgreSQL/MySQL.',
            ],
      });
    }),
  ),

  rule(notServedMeta, (ev) => {
    const v = artifactVerdict(ev);
    if (!v || v.kind !== 'not-served') return [];
    const disabled = v.basis === 'disabled';
    return [
      report(notServedMeta, {
        step: 'artifact',
        cause: disabled
          ? `The API has artifact proxying switched off: ${nameOf(v.failing)} got ${describeAnswer(v.failing)}.`
          : `MLflow does not serve its artifact routes: ${nameOf(v.failing)} got ${describeAnswer(v.failing)}${alsoMissing(v)}.`,
        evidence: [v.tracking?.id, v.failing.id, ...v.decisive.map((x) => x.id)],
        fix: disabled
          ? ['Set MLFLOW_SERVE_ARTIFACTS=true on the API service, and run MLflow with --serve-artifacts.']
          : [
              'Start MLflow with --serve-artifacts --artifacts-destination <store>; check the container command really passes it (and not --no-serve-artifacts).',
              'Confirm: GET <mlflow>/api/2.0/mlflow-artifacts/artifacts?path= answers 200 JSON, then rerun `hokus-check --only artifact`.',
            ],
      }),
    ];
  }),

  rule(hostMeta, (ev) => {
    const hits = firstPerStep(ev, (x) => (statusOf(x) === 403 || isApiMlflowProbe(x)) && HOST_REJECTED.test(errorWords(readBody(x))));
    const main = mainHit(hits);
    if (!main) return [];
    return [
      report(hostMeta, {
        step: earliestFailingStep(ev, hits) ?? main.step,
        cause: `MLflow refuses the Host header it is reached with: ${nameOf(main)} got ${statusOf(main)} "Invalid Host header" (MLflow 3's allowed-hosts check)${sameWay(hits.filter((x) => x !== main))}.`,
        evidence: hits.map((x) => x.id),
        fix: [
          'Add the host the proxy uses to reach MLflow, with and without the port (e.g. mlflow.<namespace>.local and mlflow.<namespace>.local:5000), to --allowed-hosts / MLFLOW_SERVER_ALLOWED_HOSTS.',
        ],
      }),
    ];
  }),

  rule(backendMeta, (ev) => {
    // The auth service's or a proxy's own database error is not MLflow's.
    const hits = firstPerStep(
      ev,
      (x) => (statusOf(x) ?? 0) >= 500 && canSpeakForMlflow(x) && databaseSign(errorWords(readBody(x))) !== undefined,
    );
    const main = mainHit(hits);
    if (!main) return [];
    const named = databaseSign(errorWords(readBody(main))) ?? 'the database';
    return [
      report(backendMeta, {
        step: earliestFailingStep(ev, hits) ?? main.step,
        cause: `MLflow's backend database is failing (${named}): ${nameOf(main)} got ${describeAnswer(main)}${sameWay(hits.filter((x) => x !== main))}.`,
        evidence: hits.map((x) => x.id),
        fix: backendFixes(named, errorWords(readBody(main))),
      }),
    ];
  }),
];

const HOST_REJECTED = /Invalid Host header/i;

function isApiMlflowProbe(x: CheckExchange): boolean {
  return x.step === 'health' && x.label === LABEL.mlflowHealth;
}

/** The exchange to quote: one of our own MLflow calls, rather than the API's health probe quoting it. */
function mainHit(hits: readonly CheckExchange[]): CheckExchange | undefined {
  return hits.find((x) => !isApiMlflowProbe(x)) ?? hits[0];
}

function alsoMissing(v: ArtifactVerdict): string {
  const probe: CheckExchange | undefined = v.decisive[0];
  if (!probe) return v.basis === 'plain-mlflow' ? ', so this server runs without --serve-artifacts' : '';
  if (v.basis === 'direct')
    return `, and the same upload direct to MLflow at ${hostOf(probe.request.url)} got ${statusOf(probe)} too (${probe.id})`;
  if (v.basis === 'ajax') return `, and via ajax-api/2.0/mlflow-artifacts it got ${statusOf(probe)} too (${probe.id})`;
  return `, and the artifact listing got ${statusOf(probe)} from MLflow as well (${probe.id})`;
}
