// Gateway family: what sits between the client and MLflow answers instead of it — a load balancer
// with no healthy targets, a proxy that cannot reach MLflow, a proxy or gateway that gives up waiting.
import type { Exchange } from '../../http/types.js';
import type { StepId } from '../../steps/types.js';
import { readBody } from '../exchange-body.js';
import {
  apiMlflowProbeFailure,
  earliestFailingStep,
  exchangesWhere,
  firstPerStep,
  hostOf,
  needsExplaining,
  onRegistry,
  pathOf,
  responderOf,
  statusOf,
} from '../evidence-query.js';
import { capitalise, describeAnswer, formatBytes, nameOf, responderWords } from '../words.js';
import { report, rule } from '../finding.js';
import type { Rule, RuleMeta } from '../types.js';

const noTargetsMeta: RuleMeta = {
  code: 'GATEWAY_NO_TARGETS',
  family: 'gateway',
  title: 'Load balancer has no healthy targets',
  severity: 'error',
  docs: {
    means: 'The load balancer in front of the registry answers every request itself with a 502/503/504 page: it has no healthy API tasks to send them to.',
    detect: 'Every request to the registry, /health included, answers 502/503/504 HTML from the load balancer (Server: awselb/2.0).',
    fix: 'Look at the API service\'s tasks: crash loop (stopped-task reason, container logs: SyntaxError, ImportError, missing env such as MLFLOW_SERVER_URL), "exec format error" (image built for arm64 — build with `docker build --platform linux/amd64`), or a failing target-group health check (path and matcher must be /health → 200, and /health must answer fast without checking dependencies).',
    confirm: 'The target group shows healthy targets; rerun `hokus-check --only health`.',
  },
};

const unreachableMeta: RuleMeta = {
  code: 'GATEWAY_UPSTREAM_UNREACHABLE',
  family: 'gateway',
  title: 'Proxy cannot reach MLflow',
  severity: 'error',
  docs: {
    means: 'The API\'s MLflow proxy cannot open a connection to MLflow at the URL it is configured with.',
    detect: 'A proxied call answers 502 {"detail": "Failed to connect to MLflow server at <url>"}; the API\'s /api/health/mlflow may answer 503 too.',
    fix: 'Check the proxy\'s MLflow URL (MLFLOW_SERVER_URL / MLFLOW_TRACKING_URI on the API); that its name resolves inside the VPC (Cloud Map) and MLflow tasks are registered — hard-coded task IPs go stale on redeploy; that MLflow\'s security group admits the API on its port (5000); and, with TLS to MLflow, that the proxy trusts its certificate (MLFLOW_CA_BUNDLE_PATH).',
    confirm: 'Rerun `hokus-check --only health,experiments`: both pass.',
  },
};

const timeoutMeta: RuleMeta = {
  code: 'GATEWAY_TIMEOUT',
  family: 'gateway',
  title: 'Gateway timed out',
  severity: 'error',
  docs: {
    means: 'A proxy or gateway between the client and MLflow gave up waiting: the API\'s proxy buffers a whole upload and stops after 30 s ("MLflow server request timeout after 30.0s"), or a load balancer\'s idle timeout expired.',
    detect: 'An upload (or a proxied call) answers 504.',
    fix: 'Raise the proxy\'s timeout (PROXY_TIMEOUT, 30 s) and stream bodies instead of buffering them; raise the load balancer\'s idle timeout above your largest upload; use multipart uploads (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true) for large artifacts.',
    confirm: 'Rerun `hokus-check --only artifact --artifact-size <size of your largest model>`.',
  },
};

const UNREACHABLE = /Failed to connect to MLflow server at (\S+)/i;
const PROXY_TIMEOUT = /MLflow server request timeout/i;

export const rules: Rule[] = [
  rule(noTargetsMeta, (ev) => {
    const answered = ev.exchanges.filter((x) => x.response && onRegistry(ev, x));
    if (answered.length === 0 || !answered.every(isLoadBalancerDown)) return [];
    const first = answered.find((x) => needsExplaining(ev, x.step));
    if (!first) return [];
    const statuses = [...new Set(answered.map((x) => statusOf(x)))].join('/');
    // Every path answered the same: cite the answer that counted for each request, not every retry.
    const cited = answered.filter((x) => !x.retried);
    const health = answered.find((x) => pathOf(x.request.url) === '/health');
    return [
      report(noTargetsMeta, {
        step: first.step as StepId,
        cause: `The load balancer at ${hostOf(first.request.url)} has no healthy API targets: all ${cited.length} registry requests${health ? ', /health included,' : ''} got its own ${statuses} page.`,
        evidence: cited.map((x) => x.id),
        fix: [
          'Look at the API service\'s tasks: are they running, or crash-looping? (stopped-task reason, container logs)',
          '"exec format error" in the logs: the image was built for another CPU (arm64) — build with `docker build --platform linux/amd64`.',
          'Check the target group\'s health check: path /health, matcher 200, and /health answering fast without checking dependencies.',
        ],
      }),
    ];
  }),

  rule(unreachableMeta, (ev) => {
    const refused = exchangesWhere(ev, { probe: false, finalOnly: true }).filter((x) => statusOf(x) === 502 && UNREACHABLE.test(readBody(x).detail ?? readBody(x).text));
    const first = refused[0];
    if (!first) return [];
    const url = (UNREACHABLE.exec(readBody(first).detail ?? readBody(first).text)?.[1] ?? '').replace(/["'.,;)]+$/, '');
    // The API's own MLflow check fails on the same connection, often first: one finding for both.
    const health = apiMlflowProbeFailure(ev)?.exchange;
    const step = earliestFailingStep(ev, health ? [health, first] : [first]) ?? (first.step as StepId);
    return [
      report(unreachableMeta, {
        step,
        cause: `The API's MLflow proxy cannot connect to MLflow at ${url}: ${nameOf(first)} got 502 "Failed to connect to MLflow server at ${url}"${health ? `, and ${nameOf(health)} got ${statusOf(health)}` : ''}.`,
        evidence: [health?.id, ...refused.slice(0, 4).map((x) => x.id)],
        fix: [
          `Check the proxy's MLflow URL (MLFLOW_SERVER_URL / MLFLOW_TRACKING_URI on the API): is ${url} right?`,
          `Check that ${hostOf(url)} resolves inside the VPC (Cloud Map) and MLflow tasks are registered; hard-coded task IPs go stale on redeploy.`,
          'Check that MLflow\'s security group admits the API\'s tasks on its port (5000).',
          'With TLS to MLflow, check that the proxy trusts its certificate (MLFLOW_CA_BUNDLE_PATH).',
        ],
      }),
    ];
  }),

  rule(timeoutMeta, (ev) =>
    firstPerStep(ev, (x) => {
      if (statusOf(x) !== 504) return false;
      if (PROXY_TIMEOUT.test(readBody(x).detail ?? readBody(x).text)) return true;
      return x.step === 'artifact' && x.request.method === 'PUT';
    }).map((x) => {
      const proxy = PROXY_TIMEOUT.test(readBody(x).detail ?? readBody(x).text);
      const size = x.request.bodySize !== undefined ? ` of ${formatBytes(x.request.bodySize)}` : '';
      return report(timeoutMeta, {
        step: x.step as StepId,
        cause: proxy
          ? `The API's MLflow proxy gave up after its 30 s timeout: ${nameOf(x)}${size} got ${describeAnswer(x)}.`
          : `${capitalise(responderWords(responderOf(x)))} timed out waiting for the upstream: ${nameOf(x)}${size} got 504.`,
        evidence: [x.id],
        fix: [
          'Raise the proxy\'s timeout (PROXY_TIMEOUT = 30 s) and stream request bodies instead of buffering them.',
          'Raise the load balancer\'s idle timeout above the time your largest upload takes.',
          'Use multipart uploads (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true) for large artifacts.',
        ],
      });
    }),
  ),
];

function isLoadBalancerDown(x: Exchange): boolean {
  const s = statusOf(x);
  return (s === 502 || s === 503 || s === 504) && responderOf(x) === 'load-balancer';
}
