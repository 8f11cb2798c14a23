// Generic family: the fallback that explains any failed step no other rule explains, cleanup
// leftovers no specific rule names, and a rule that failed (raised by the engine, engine.ts).
import { readBody } from '../exchange-body.js';
import { byHop, exchangesWhere, is2xx, isFailure, pathOf, responderOf, statusOf, stepResult } from '../evidence-query.js';
import { capitalise, describeAnswer, nameOf, valueText, writerWords } from '../words.js';
import { sweepCommand } from '../../config/target-flags.js';
import { report, rule } from '../finding.js';
import type { CheckExchange, Rule, RuleMeta } from '../types.js';
import { isDroppedDeleteBody } from './routing.js';
import { ENDPOINT } from '../../mlflow/endpoints.js';

const unexpectedMeta: RuleMeta = {
  code: 'UNEXPECTED_RESPONSE',
  family: 'generic',
  rank: { tier: 'generic', order: 4 },
  title: 'Unexpected response',
  severity: 'error',
  docs: {
    means:
      "A step failed with an answer no specific rule recognises. The finding quotes the answer: status, who produced it, MLflow's error_code and message or the API's detail.",
    detect: 'A step failed or errored and no other finding explains it; the last failed request of the step is cited.',
    fix: 'Read the quoted answer and the logs of the component that produced it; `--verbose` or `--har` shows the whole exchange.',
    confirm: 'Rerun hokus-check: the step passes.',
  },
};

const leftoversMeta: RuleMeta = {
  code: 'CLEANUP_LEFTOVERS',
  family: 'generic',
  rank: { tier: 'context', order: 5 },
  title: 'Cleanup left resources behind',
  severity: 'warn',
  docs: {
    means: 'Cleanup could not delete some of what the check created; each leftover is named.',
    detect: 'A cleanup delete failed (other than "already gone"), or cleanup ran out of time.',
    fix: 'Delete the named resources by hand, or run `hokus-check sweep` (it removes only resources tagged hokus-check.id, older than --older-than).',
    confirm: '`hokus-check sweep --check-id <id> --dry-run` lists nothing for this check.',
  },
};

/** A rule that threw on this check's evidence: said, never silently dropped (engine.ts). */
export const ruleFailedMeta: RuleMeta = {
  code: 'DIAGNOSIS_RULE_FAILED',
  family: 'generic',
  rank: { tier: 'generic', order: 5 },
  title: 'A diagnosis rule failed',
  severity: 'warn',
  docs: {
    means:
      "One of the diagnosis rules threw an error on this check's evidence. The other findings stand, but the cause that rule looks for may be missing.",
    detect: 'Raised by the engine when a rule throws; the finding names the rule and its error.',
    fix: 'This is a bug in hokus-check: report it with the `--json` report (it is redacted) so the rule can be fixed.',
    confirm: 'A later version of hokus-check runs the same check without this finding.',
  },
};

export const rules: Rule[] = [
  rule(unexpectedMeta, (ev) =>
    ev.steps.flatMap((step) => {
      if (!isFailure(step.status)) return [];
      // Cut short by Ctrl-C or the deadline: that is the story (DEADLINE_EXCEEDED / interrupted), not an answer.
      if (step.stopped !== undefined) return [];
      const own = exchangesWhere(ev, { step: step.id, probe: false, finalOnly: true });
      if (own.some((x) => x.error?.code === 'HOKUS_DEADLINE' || x.error?.code === 'HOKUS_INTERRUPTED')) return [];
      const x = own.filter((y) => !is2xx(y)).at(-1) ?? own.at(-1);
      return [
        report(unexpectedMeta, {
          step: step.id,
          cause: x
            ? `${nameOf(x)} got ${describeAnswer(x)}${is2xx(x) && step.detail ? `, but ${step.detail}` : ''}.`
            : `The ${step.id} step ${step.status === 'error' ? 'could not complete' : 'failed'}: ${step.detail || 'no detail'}.`,
          evidence: [x?.id],
          fix: x ? fixesFor(x) : ['Rerun with --verbose to see each request as it happens.'],
        }),
      ];
    }),
  ),

  rule(leftoversMeta, (ev) => {
    const cleanup = stepResult(ev, 'cleanup');
    if (!cleanup || (cleanup.status !== 'warn' && !isFailure(cleanup.status))) return [];
    const failed = exchangesWhere(ev, { step: 'cleanup', probe: false, finalOnly: true }).filter(
      (x) => !is2xx(x) && !isAlreadyGone(x) && !isDroppedDeleteBody(ev, x),
    );
    const explainedElsewhere = exchangesWhere(ev, { step: 'cleanup' }).some((x) => isDroppedDeleteBody(ev, x));
    const names = (ev.state.leftovers ?? []).filter((l) => !(explainedElsewhere && /^(model version|registered model) /i.test(l)));
    if (failed.length === 0 && !(cleanup.status === 'error' && names.length > 0)) return [];
    const what = names.length > 0 ? names : failed.map(whatItDeletes);
    return [
      report(leftoversMeta, {
        step: 'cleanup',
        cause: `Cleanup could not delete ${what.join('; ')}${failed[0] ? ` (${nameOf(failed[0])} got ${describeAnswer(failed[0])})` : ''}.`,
        evidence: failed.map((x) => x.id),
        fix: [
          `Delete ${what.length === 1 ? 'it' : 'them'} by hand, or run \`${sweepCommand(ev.target, ev.state.checkId)}\` (it removes only what this check created: resources tagged hokus-check.id=${ev.state.checkId}).`,
          ...(failed.some(isFileDelete500)
            ? ['MLflow 2.12 answers 500 to a DELETE of a single artifact file (fixed in 2.17): delete the directory instead.']
            : []),
        ],
      }),
    ];
  }),
];

function fixesFor(x: CheckExchange): string[] {
  if (!x.response) return ['Nothing answered usably: check the host, port and network path (--verbose shows the error).'];
  const responder = responderOf(x);
  const facts = readBody(x);
  const logs =
    responder === 'mlflow'
      ? `MLflow answered${facts.errorCode ? ` ${facts.errorCode}` : ''} itself: read the MLflow server's logs around this time.`
      : responder === 'hokusai-api' || responder === 'hokusai-proxy'
        ? "The API answered: read the API service's logs around this time."
        : responder === 'hokusai-auth'
          ? 'The auth service answered: read its logs around this time.'
          : byHop(x)
            ? `${capitalise(writerWords(x))} answered itself: read its log for this request (--har shows the headers).`
            : 'Find which server answered (--har shows the headers) and read its logs.';
  return [logs, 'See the whole exchange with --verbose or --har.'];
}

/** A delete answered "no such thing": nothing is left behind. */
function isAlreadyGone(x: CheckExchange): boolean {
  return statusOf(x) === 404 && readBody(x).errorCode === 'RESOURCE_DOES_NOT_EXIST';
}

function isFileDelete500(x: CheckExchange): boolean {
  return x.request.method === 'DELETE' && statusOf(x) === 500 && /\.[a-z0-9]{1,5}$/i.test(pathOf(x.request.url));
}

/** 'model version hokus-check-ab12 v1' from the delete's body or URL. */
function whatItDeletes(x: CheckExchange): string {
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(x.request.bodyExcerpt ?? '');
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  if (x.label === ENDPOINT.modelVersionsDelete) return `model version ${valueText(body?.name)} v${valueText(body?.version)}`;
  if (x.label === ENDPOINT.registeredModelsDelete) return `registered model ${valueText(body?.name)}`;
  if (x.label === ENDPOINT.runsDelete) return `run ${valueText(body?.run_id)}`;
  if (x.request.method === 'DELETE') return `artifacts ${pathOf(x.request.url).replace(/^.*\/mlflow-artifacts\/artifacts\//, '')}`;
  return x.label;
}
