// Registry family: the model registry accepted the version but never made it READY.
import { readBody } from '../exchange-body.js';
import { exchangesWhere, is2xx, isFailure, stepStatus } from '../evidence-query.js';
import { nameOf, valueText } from '../words.js';
import { report, rule } from '../finding.js';
import type { Rule, RuleMeta } from '../types.js';
import { ENDPOINT } from '../../mlflow/endpoints.js';

const failedMeta: RuleMeta = {
  code: 'REGISTRY_FAILED',
  family: 'registry',
  rank: { tier: 'service', order: 6 },
  title: 'Model version never became READY',
  severity: 'error',
  docs: {
    means:
      'The registry created the model version but could not finish it: it is FAILED_REGISTRATION, or still PENDING_REGISTRATION when the check stopped waiting.',
    detect:
      "The register step's last model-versions/get (or model-versions/create) answers a model_version whose status is FAILED_REGISTRATION, or PENDING_REGISTRATION at the wait limit.",
    fix: "Check that the version's source (the run's artifacts) exists and is readable by the registry (MLflow's role on the artifact store); read the registry worker's / MLflow's logs for the registration error; for a slow registry, wait longer.",
    confirm: 'Rerun `hokus-check --only register`: the version becomes READY.',
  },
};

export const rules: Rule[] = [
  rule(failedMeta, (ev) => {
    const status = stepStatus(ev, 'register');
    if (status !== undefined && !isFailure(status)) return [];
    const answers = exchangesWhere(ev, { step: 'register', probe: false, label: /^model-versions\/(get|create)$/ }).filter(is2xx);
    const lastAnswer = answers.at(-1);
    if (!lastAnswer) return [];
    const version = readBody(lastAnswer).json?.model_version as
      { status?: unknown; status_message?: unknown; source?: unknown; name?: unknown; version?: unknown } | undefined;
    const state = version?.status;
    if (state !== 'FAILED_REGISTRATION' && state !== 'PENDING_REGISTRATION') return [];
    const create = answers.find((x) => x.label === ENDPOINT.modelVersionsCreate);
    const polls = answers.filter((x) => x.label === ENDPOINT.modelVersionsGet).length;
    const which = typeof version?.name === 'string' ? `${version.name} v${valueText(version.version)}` : 'the model version';
    const message = typeof version?.status_message === 'string' && version.status_message !== '' ? ` ("${version.status_message}")` : '';
    const source = typeof version?.source === 'string' ? version.source : undefined;
    return [
      report(failedMeta, {
        step: 'register',
        cause:
          state === 'FAILED_REGISTRATION'
            ? `The registry marked ${which} FAILED_REGISTRATION${message}: it could not finish the version${source ? ` from ${source}` : ''} (${nameOf(lastAnswer)}).`
            : `${which} was still PENDING_REGISTRATION when the check stopped waiting (${polls} poll${polls === 1 ? '' : 's'}, last ${lastAnswer.id}): the registry never finished it.`,
        evidence: [create?.id, lastAnswer.id],
        fix: [
          `Check that the source${source ? ` ${source}` : ''} exists and that MLflow's role can read the artifact store.`,
          "Read the registry worker's / MLflow server's logs for the registration error.",
          ...(state === 'PENDING_REGISTRATION'
            ? ['If the registry is only slow, allow it more time (a longer register wait) and rerun.']
            : []),
        ],
      }),
    ];
  }),
];
