// Artifact family: where artifacts are stored and whether they survive the trip — a root that
// bypasses the proxy, a store MLflow may not write, bodies too large, bytes changed on the way.
import { errorWords, readBody } from '../exchange-body.js';
import { hopReading, smallUploadPassed } from '../hop-situation.js';
import { hopFix } from '../profiles/index.js';
import {
  byHop,
  canSpeakForMlflow,
  exchangesWhere,
  firstPerStep,
  is2xx,
  isFailure,
  responderOf,
  statusOf,
  stepResult,
  stepStatus,
} from '../evidence-query.js';
import { describeAnswer, formatBytes, nameOf, writerWords } from '../words.js';
import { report, rule } from '../finding.js';
import type { CheckExchange, Evidence, Rule, RuleMeta } from '../types.js';
import { LABEL, type Label } from '../../steps/labels.js';
import { ENDPOINT } from '../../mlflow/endpoints.js';

const bypassMeta: RuleMeta = {
  code: 'ARTIFACT_ROOT_BYPASSES_PROXY',
  family: 'artifact',
  rank: { tier: 'context', order: 2 },
  title: 'Artifact root bypasses the proxy',
  severity: 'warn',
  docs: {
    means:
      'New runs get an artifact_uri on a storage service (s3://, gs://, …) instead of mlflow-artifacts:/, so MLflow clients write artifacts straight to that store, bypassing the proxy, and need its credentials (NoCredentialsError / S3 403 on the client).',
    detect: 'runs/create returns a run whose info.artifact_uri does not start with mlflow-artifacts: (nor http/https).',
    fix: 'Start MLflow with --serve-artifacts --artifacts-destination <store> and --default-artifact-root mlflow-artifacts:/ (or without --default-artifact-root). Experiments keep the artifact_location they were created with: create new ones after the change.',
    confirm: 'Rerun hokus-check: the run step passes without a warning (artifact_uri mlflow-artifacts:/…).',
  },
};

const storageDeniedMeta: RuleMeta = {
  code: 'ARTIFACT_STORAGE_DENIED',
  family: 'artifact',
  rank: { tier: 'service', order: 3 },
  title: 'MLflow cannot access its artifact store',
  severity: 'error',
  docs: {
    means: "The proxy reached MLflow, but MLflow's own credentials are refused by the artifact store (or it has none).",
    detect:
      'An artifact call answers 500 whose message names AccessDenied, NoCredentialsError, InvalidAccessKeyId, ExpiredToken or a 403 Forbidden from storage.',
    fix: "Give MLflow's task role (not the execution role) s3:PutObject, s3:GetObject, s3:ListBucket and s3:DeleteObject on the artifacts bucket (plus kms:GenerateDataKey/kms:Decrypt with SSE-KMS); check the bucket name and region in --artifacts-destination; make sure no stale AWS_* variables override the role.",
    confirm: 'Rerun `hokus-check --only artifact`: the PUT passes.',
  },
};

const tooLargeMeta: RuleMeta = {
  code: 'ARTIFACT_TOO_LARGE',
  family: 'artifact',
  rank: { tier: 'limit', order: 3 },
  title: 'Upload refused as too large',
  severity: 'error',
  docs: {
    means:
      'Something between the client and MLflow limits request bodies and refused the upload: with a 413, or by closing or resetting the connection (or answering a 5xx of its own) during the upload, as some proxies do instead of 413.',
    detect:
      'An upload answers 413; or it fails on the way (the connection closed or reset during the upload, or a 5xx a hop wrote itself) while the `small-upload` probe — a few bytes into the same run, through the same path — passes.',
    fix: 'Raise the body limit: nginx client_max_body_size (ingress: nginx.ingress.kubernetes.io/proxy-body-size), the API gateway or load balancer limits; or enable multipart uploads (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true) so large artifacts go in parts.',
    confirm: 'Rerun `hokus-check --only artifact --artifact-size <size of your largest model>`.',
  },
};

const corruptedMeta: RuleMeta = {
  code: 'ARTIFACT_CORRUPTED',
  family: 'artifact',
  rank: { tier: 'service', order: 5 },
  title: 'Artifact changed in transit',
  severity: 'error',
  docs: {
    means:
      'The artifact read back differs from the one uploaded: something re-encodes, truncates or replaces bodies on the way to or from storage.',
    detect:
      'The artifact PUT and GET both answer 2xx, but the sha256 (or size) of the bytes read back differs from the bytes sent — or the read-back runs past the size sent (plus a 64 KiB margin), where the check stops reading.',
    fix: 'Look for a proxy or middleware that decodes bodies as text, changes charsets, applies or strips content-encoding, or cuts bodies at a buffer limit; compare the sizes sent and received.',
    confirm: 'Rerun `hokus-check --only artifact`: "sha256 matches".',
  },
};

/** Words of an artifact store refusing MLflow's own credentials. */
export const STORAGE_DENIED =
  /AccessDenied|Access Denied|NoCredentialsError|Unable to locate credentials|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|AuthorizationPermissionMismatch|403 Forbidden|\(403\)|Forbidden/i;

export const rules: Rule[] = [
  rule(bypassMeta, (ev) => {
    const uri = ev.state.artifactUri;
    if (!uri || /^(mlflow-artifacts:|https?:\/\/)/i.test(uri)) return [];
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1] ?? 'local';
    const created = exchangesWhere(ev, { step: 'run', label: ENDPOINT.runsCreate }).filter(is2xx).at(-1);
    const artifactFailed = isFailure(stepStatus(ev, 'artifact'));
    return [
      report(bypassMeta, {
        step: artifactFailed ? 'artifact' : 'run',
        severity: artifactFailed ? 'error' : 'warn',
        cause: `Runs get artifact_uri ${uri}, not mlflow-artifacts:/…, so MLflow clients write artifacts straight to ${scheme === 'local' ? 'a local path' : `${scheme} storage`}, bypassing the proxy, and need that store's credentials.`,
        evidence: [created?.id],
        fix: [
          'Start MLflow with --serve-artifacts --artifacts-destination <store> and --default-artifact-root mlflow-artifacts:/ (or without --default-artifact-root).',
          'Existing experiments keep their artifact_location: create a new experiment after the change.',
        ],
      }),
    ];
  }),

  rule(storageDeniedMeta, (ev) =>
    firstPerStep(ev, (x) => (statusOf(x) ?? 0) >= 500 && canSpeakForMlflow(x) && STORAGE_DENIED.test(errorWords(readBody(x)))).map((x) => {
      const named = STORAGE_DENIED.exec(errorWords(readBody(x)))?.[0] ?? 'access denied';
      return report(storageDeniedMeta, {
        step: x.step,
        cause: `MLflow cannot access its artifact store (${named}): ${nameOf(x)} got ${describeAnswer(x)}.`,
        evidence: [x.id],
        fix: [
          "Give MLflow's task role s3:PutObject, s3:GetObject, s3:ListBucket and s3:DeleteObject on the artifacts bucket (and kms:GenerateDataKey/kms:Decrypt with SSE-KMS).",
          'Check the bucket and region in --artifacts-destination, and that no stale AWS_* variables override the role.',
        ],
      });
    }),
  ),

  rule(tooLargeMeta, (ev) =>
    firstPerStep(
      ev,
      (x) => statusOf(x) === 413 || hopReading(ev, x)?.situation === 'too-large' || smallUploadPassed(ev, x) !== undefined,
    ).map((x) => {
      const size = x.request.bodySize !== undefined ? ` of ${formatBytes(x.request.bodySize)}` : '';
      const small = smallUploadPassed(ev, x);
      const how =
        statusOf(x) === 413
          ? `${nameOf(x)} got ${describeAnswer(x)}`
          : `${nameOf(x)} got ${x.response ? describeAnswer(x) : `no answer (${x.error?.kind ?? 'closed'}: the connection was closed during the upload)`}, while the same upload of ${formatBytes(small?.request.bodySize ?? 0)} into the run passed (${small?.id})`;
      const by = statusOf(x) === 413 || byHop(x) ? writerWords(x) : 'something in front of MLflow';
      return report(tooLargeMeta, {
        step: x.step,
        cause: `The upload${size} was refused as too large by ${by}: ${how}.`,
        evidence: [x.id, small?.id],
        fix: [
          hopFix(x.response ? responderOf(x) : 'hop', 'too-large'),
          'Or enable multipart uploads (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true) so large artifacts go in parts.',
          'Confirm with `hokus-check --only artifact --artifact-size <size of your largest model>`.',
        ],
      });
    }),
  ),

  rule(corruptedMeta, (ev) => {
    const step = stepResult(ev, 'artifact');
    if (!step || step.status !== 'fail' || step.failure?.kind !== 'content-mismatch') return [];
    const said = step.detail;
    const put = last(ev, LABEL.putArtifact);
    const get = last(ev, LABEL.getArtifact);
    if (get && !is2xx(get)) return [];
    const sizes =
      put?.request.bodySize !== undefined && get?.response
        ? `; sent ${formatBytes(put.request.bodySize)}, got ${formatBytes(get.response.bodySize)} back`
        : '';
    return [
      report(corruptedMeta, {
        step: 'artifact',
        cause: `The artifact read back differs from the one uploaded (${said}${sizes}): something between the client and storage changes artifact bodies.`,
        evidence: [put?.id, get?.id],
        fix: [
          'Look for a proxy or middleware that decodes bodies as text, changes charsets, adds or strips content-encoding, or cuts bodies at a buffer limit.',
          'Compare the object in the store with the bytes sent (size and sha256).',
        ],
      }),
    ];
  }),
];

function last(ev: Evidence, label: Label): CheckExchange | undefined {
  return exchangesWhere(ev, { step: 'artifact', probe: false, label, finalOnly: true }).at(-1);
}
