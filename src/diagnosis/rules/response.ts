// Response family: the answer is not what the API promises — a page or text where JSON was due, or
// JSON of the wrong shape. Generic on purpose: a more specific finding about the same exchange wins.
import { headerValue, readBody } from '../exchange-body.js';
import {
  byHop,
  exchangesWhere,
  firstPerStep,
  is2xx,
  isArtifactCall,
  isFailure,
  isTrackingCall,
  responderOf,
  stepStatus,
} from '../evidence-query.js';
import { describeAnswer, nameOf, responderWords } from '../words.js';
import { report, rule } from '../finding.js';
import type { CheckExchange, Evidence, Rule, RuleMeta } from '../types.js';

const notJsonMeta: RuleMeta = {
  code: 'RESPONSE_NOT_JSON',
  family: 'response',
  rank: { tier: 'generic', order: 3 },
  title: 'HTML or text where JSON was due',
  severity: 'error',
  docs: {
    means:
      "A call that should answer JSON answered an HTML page or plain text that the service behind wrote, or that nothing places in front of it: the wrong app behind the URL (a captive portal, an SPA fallback serving index.html), or MLflow's own page for a missing route. A page a hop in front wrote itself is never this: it is named by the gateway and routing findings.",
    detect:
      'An MLflow REST, artifact-listing, auth or health call answers a body that is not JSON — a 2xx/3xx, or an error whose writer is the service itself; the finding names who answered.',
    fix: 'Find what serves that path (the responder named in the finding; `--verbose` or `--har` shows the whole answer) and route the path to the right service.',
    confirm: 'Rerun hokus-check: the call answers JSON.',
  },
};

const schemaMeta: RuleMeta = {
  code: 'RESPONSE_SCHEMA',
  family: 'response',
  rank: { tier: 'generic', order: 2 },
  title: 'JSON of an unexpected shape',
  severity: 'error',
  docs: {
    means:
      'The answer is JSON, but not the shape the MLflow REST API defines: a field is missing or of the wrong type. Another service, or an incompatible MLflow version, answered.',
    detect:
      'A step failed because a 2xx JSON answer did not have the shape of the MLflow REST answer (the first problem, e.g. a missing field, is quoted).',
    fix: 'Check what serves the path and its version (MLflow 2.x REST shapes are in fixtures/mlflow-2.12.2); a gateway that rewrites bodies or a different API mounted there also gives this.',
    confirm: 'Rerun hokus-check: the step passes.',
  },
};

const malformedMeta: RuleMeta = {
  code: 'RESPONSE_MALFORMED',
  family: 'response',
  rank: { tier: 'generic', order: 1 },
  title: 'Malformed or oversized HTTP answer',
  severity: 'error',
  docs: {
    means:
      'The answer broke HTTP itself — a Content-Length that does not match the body, headers too large to parse, bad chunking — or its body was larger than the 1 MiB hokus-check reads, so it could not be understood.',
    detect:
      'A request failed with a transport error of kind "protocol" (UND_ERR_RES_CONTENT_LENGTH_MISMATCH, UND_ERR_HEADERS_OVERFLOW, HPE_*) or "body-too-large".',
    fix: 'Find the hop that rewrites or truncates answers (a proxy that changes bodies but keeps Content-Length, a middlebox, an app streaming an endless page) from the responder and headers cited; an oversized body is usually an error page or the wrong service.',
    confirm: 'Rerun with --har and check the answer is complete and well-formed; then rerun hokus-check.',
  },
};

const foreignMeta: RuleMeta = {
  code: 'RESPONSE_FOREIGN_OBJECT',
  family: 'response',
  rank: { tier: 'service', order: 7 },
  title: "A create answered with someone else's object",
  severity: 'error',
  docs: {
    means:
      "A create call (runs/create, registered-models/create, model-versions/create) answered 2xx with an object that is not the one the check asked for: it lacks the check's hokus-check.id tag or name. A cache or proxy in front replays answers (a POST cached by URL), or a gateway rewrites bodies. The check never deletes that object; cleanup finds and deletes the check's own by its tag.",
    detect:
      "The create's 2xx answer names an object without the check's tag and name (the run step or register step fails saying so); cleanup's notes say it was left alone.",
    fix: 'Find the hop that answers POSTs from a cache or rewrites bodies on /api/2.0/mlflow/*/create (an API gateway response cache, a CDN caching POST, a mock left in place) and exempt these paths.',
    confirm: 'Rerun hokus-check: the run step passes, and the report names no foreign object.',
  },
};

/** Which create calls can hand back a foreign object, by the step that made them. */
const CREATES = /^(runs|registered-models|model-versions)\/create$/;

export const rules: Rule[] = [
  rule(foreignMeta, (ev) =>
    ev.steps.flatMap((step) => {
      if (step.status !== 'fail' || step.failure?.kind !== 'foreign-object') return [];
      const answered = step.failure.what;
      const x = exchangesWhere(ev, { step: step.id, probe: false, finalOnly: true })
        .filter((y) => CREATES.test(y.label) && is2xx(y))
        .at(-1);
      return [
        report(foreignMeta, {
          step: step.id,
          cause: `${x ? nameOf(x) : `The ${step.id} step's create`} answered ${answered}, which is not what this check created (no hokus-check.id tag of this check): something in front replays or rewrites create answers. That object was left alone.`,
          evidence: [x?.id],
          fix: [
            'Find the hop that answers POSTs on /api/2.0/mlflow/*/create from a cache or rewrites their bodies (an API gateway response cache, a CDN that caches POST, a mock left in place) and exempt these paths.',
            "Cleanup deleted the check's own object by its tag (the cleanup step's notes say so).",
          ],
        }),
      ];
    }),
  ),

  rule(malformedMeta, (ev) =>
    firstPerStep(
      ev,
      (x) => isFailure(stepStatus(ev, x.step) ?? 'fail') && (x.error?.kind === 'protocol' || x.error?.kind === 'body-too-large'),
    ).map((x) =>
      report(malformedMeta, {
        step: x.step,
        cause:
          x.error?.kind === 'body-too-large'
            ? `${nameOf(x)} got ${x.response?.status ?? 'an'} answer whose body is over the 1 MiB read cap (${x.response?.contentType ?? 'no content type'}, from ${responderWords(responderOf(x))}): not the small MLflow JSON answer due.`
            : `${nameOf(x)} got a malformed HTTP answer (${x.error?.code ?? x.error?.kind}: ${x.error?.message}).`,
        evidence: [x.id],
        fix: [
          'Find the hop that rewrites, truncates or pads answers on this path (the responder and headers in the evidence).',
          'See the raw exchange with --verbose or --har.',
        ],
      }),
    ),
  ),

  rule(notJsonMeta, (ev) =>
    firstPerStep(ev, (x) => isFailure(stepStatus(ev, x.step) ?? 'fail') && jsonDue(ev, x) && isNotJson(x) && !byHop(x)).map((x) => {
      const responder = responderOf(x);
      const type = x.response?.contentType ?? headerValue(x.response?.headers, 'content-type') ?? 'no content type';
      return report(notJsonMeta, {
        step: x.step,
        cause: `${nameOf(x)} got ${describeAnswer(x)} (${type}) where JSON was due.`,
        evidence: [x.id],
        fix: [fixFor(responder), 'See the whole answer with --verbose or --har.'],
      });
    }),
  ),

  rule(schemaMeta, (ev) =>
    ev.steps.flatMap((step) => {
      if (step.status !== 'fail' || step.failure?.kind !== 'schema') return [];
      const said = step.failure.problem;
      const own = exchangesWhere(ev, { step: step.id, probe: false, finalOnly: true });
      const x = own.filter((y) => is2xx(y) && readBody(y).isJson).at(-1) ?? own.at(-1);
      return [
        report(schemaMeta, {
          step: step.id,
          cause: `${x ? `${nameOf(x)} answered ${x.response?.status ?? 'no'} JSON` : `The ${step.id} step got JSON`} of an unexpected shape (${said}): it is not the MLflow REST answer the check expects${x ? ` (from ${responderWords(responderOf(x))})` : ''}.`,
          evidence: [x?.id],
          fix: [
            'Check what serves this path, and its version: a gateway that rewrites bodies or another API mounted there answers other shapes.',
            'Compare the body (--verbose) with MLflow 2.x REST answers.',
          ],
        }),
      ];
    }),
  ),
];

/** Calls whose answer must be JSON whatever the status; file downloads and MLflow's text /health are not. */
function jsonDue(ev: Evidence, x: CheckExchange): boolean {
  if (!x.response) return false;
  if (isTrackingCall(x)) return true;
  if (isArtifactCall(x))
    return x.request.method === 'PUT' || x.request.method === 'DELETE' || /[?&]path=/.test(x.request.url) || /list/i.test(x.label);
  if (x.step === 'auth') return true;
  return x.step === 'health' && ev.target.kind === 'hokusai';
}

function isNotJson(x: CheckExchange): boolean {
  // A body cut short by the transport (timeout, reset, bad framing, the size cap) is another story.
  if (x.error) return false;
  const facts = readBody(x);
  return !facts.isJson && !(x.response?.truncated && /^\s*[{[]/.test(facts.text));
}

function fixFor(responder: ReturnType<typeof responderOf>): string {
  switch (responder) {
    case 'mlflow':
      return "MLflow has no route at this path: check the URL prefix (--mlflow-path) and MLflow's --static-prefix.";
    case 'hokusai-api':
    case 'hokusai-proxy':
      return 'The API answered with a page: check its logs and what it mounts at this path.';
    default:
      return `${responder === 'unknown' ? 'Something' : responderWords(responder)} answered with a page where the service was due: find what serves this path (a corporate proxy (HTTPS_PROXY), a captive portal, an app serving index.html for every path).`;
  }
}
