// Gateway family: what sits between the client and MLflow answers instead of it — a load balancer
// with no healthy targets, a proxy that cannot reach MLflow, a proxy or gateway that gives up waiting.
import type { Exchange } from '../../http/types.js';
import type { StepId } from '../../steps/types.js';
import type { Responder } from '../../http/types.js';
import { headerValue, readBody } from '../exchange-body.js';
import { isMlflowPath, originOf, pageOf } from '../fingerprint.js';
import { proxyFix } from '../proxy-fixes.js';
import { isProxy } from '../signatures.js';
import {
  apiMlflowProbeFailure,
  earliestFailingStep,
  exchangesWhere,
  firstPerStep,
  hostOf,
  is2xx,
  isArtifactCall,
  loginChallenge,
  loginRedirect,
  needsExplaining,
  onRegistry,
  pathOf,
  proxyRefusal,
  responderOf,
  statusOf,
} from '../evidence-query.js';
import { capitalise, describeAnswer, formatBytes, nameOf, responderWords } from '../words.js';
import { report, rule } from '../finding.js';
import type { Evidence, Finding, Rule, RuleMeta } from '../types.js';

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

const loginMeta: RuleMeta = {
  code: 'GATEWAY_LOGIN_REQUIRED',
  family: 'gateway',
  title: 'A login in front of the service',
  severity: 'error',
  docs: {
    means: 'Something in front of the auth service, the API or MLflow asks for its own login before anything reaches the service: HTTP Basic, Digest or Negotiate (a staging deployment behind a proxy\'s basic auth — nginx auth_basic, Apache AuthType Basic, Caddy basicauth, HAProxy http-request auth —, or MLflow\'s own basic-auth app), or a redirect to a browser login (SSO: an ALB authenticate-oidc rule, oauth2-proxy, Cloudflare Access). The API key was never checked: the service never saw the request. A Basic login and the Bearer key both need the Authorization header, and an API client cannot complete a browser login.',
    detect: 'An answer 401 with a WWW-Authenticate challenge other than Bearer (Basic, Digest, Negotiate, NTLM) — the Hokusai services answer 401 with JSON `detail` and no such challenge —, or a 3xx whose Location is an identity provider\'s login (OAuth2/OIDC/SAML paths such as /oauth2/, /authorize, /login, or hosts such as login.microsoftonline.com, *.okta.com, *.cloudflareaccess.com).',
    fix: 'Exempt the API paths (/api/, /health, the auth service) from the login of the server in front — in its own terms, which the finding names — or give the check a URL that does not pass that login. For MLflow\'s basic-auth app (realm "mlflow"), the proxy in front of MLflow must authenticate to it.',
    confirm: 'Rerun hokus-check: the step gets the service\'s own answer.',
  },
};

const forbiddenMeta: RuleMeta = {
  code: 'GATEWAY_FORBIDDEN',
  family: 'gateway',
  title: 'A proxy in front refuses the path',
  severity: 'error',
  docs: {
    means: 'A proxy or load balancer in front of the auth service, the API or MLflow answers 403 itself, with its own page: an access rule (nginx `deny`/`allow`, HAProxy `http-request deny`, Apache `Require`, an IP allow-list, a WAF rule) covers the path, so the request never reached the service, and the API key was not checked. (A refused PUT on the artifact path is ROUTE_METHOD_REFUSED.)',
    detect: 'An answer 403 written by a proxy in front (fingerprinted by its own page or Server header, with nothing behind it answering).',
    fix: 'Find the access rule that covers this path in the proxy that answered and let the check\'s host (or every API client) through: in its own terms, which the finding names.',
    confirm: 'Rerun hokus-check: the step gets the service\'s own answer.',
  },
};

const unreachableMeta: RuleMeta = {
  code: 'GATEWAY_UPSTREAM_UNREACHABLE',
  family: 'gateway',
  title: 'Proxy cannot reach its upstream',
  severity: 'error',
  docs: {
    means: 'A proxy between the client and MLflow cannot open a connection to the upstream it sends the path to: the API\'s MLflow proxy, or a reverse proxy in front (nginx, HAProxy, Apache httpd, Caddy, Envoy, Traefik, Kong, a cloud load balancer) answering with its own 502/503 page.',
    detect: 'A call answers 502 {"detail": "Failed to connect to MLflow server at <url>"} from the API\'s proxy, or a 502 (503 where that is the proxy\'s "no server" answer) whose page or headers the signature table gives to a proxy; the API\'s /api/health/mlflow may answer 503 too. MLflow itself did not answer.',
    fix: 'For the API\'s proxy: check its MLflow URL (MLFLOW_SERVER_URL / MLFLOW_TRACKING_URI), that the name resolves inside the VPC (Cloud Map) and MLflow tasks are registered, that MLflow\'s security group admits the API on port 5000, and with TLS that the proxy trusts MLflow\'s certificate (MLFLOW_CA_BUNDLE_PATH). For a reverse proxy in front: check the upstream it sends the path to, in its own terms (nginx proxy_pass, HAProxy server line, Apache ProxyPass, Caddy reverse_proxy) — the finding names the proxy and the directive.',
    confirm: 'Rerun `hokus-check --only health,experiments`: both pass.',
  },
};

const timeoutMeta: RuleMeta = {
  code: 'GATEWAY_TIMEOUT',
  family: 'gateway',
  title: 'Gateway timed out',
  severity: 'error',
  docs: {
    means: 'A proxy or gateway between the client and MLflow gave up waiting for its upstream: the API\'s proxy buffers a whole upload and stops after 30 s ("MLflow server request timeout after 30.0s"), a reverse proxy\'s read timeout expired (nginx proxy_read_timeout, HAProxy timeout server, Apache ProxyTimeout, Caddy response_header_timeout), or a load balancer\'s idle timeout.',
    detect: 'A call answers 504 written by a proxy (its page or headers, per the signature table), or an upload answers 504; the finding says how long the proxy waited.',
    fix: 'Raise the proxy\'s timeout (PROXY_TIMEOUT, 30 s) and stream bodies instead of buffering them; raise the load balancer\'s idle timeout above your largest upload; use multipart uploads (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true) for large artifacts.',
    confirm: 'Rerun `hokus-check --only artifact --artifact-size <size of your largest model>`.',
  },
};

const rateLimitedMeta: RuleMeta = {
  code: 'GATEWAY_RATE_LIMITED',
  family: 'gateway',
  title: 'Proxy rate limit',
  severity: 'error',
  docs: {
    means: 'A reverse proxy or gateway in front of the registry refused a request by its own rate limit (nginx limit_req, an HAProxy stick-table rule, Envoy\'s or Kong\'s rate limiting, a WAF rule): the request never reached the API or MLflow. Not the Hokusai key\'s allowance (AUTH_RATE_LIMITED).',
    detect: 'A call answers 429 written by a proxy, or 503 written by nginx (its limit_req default) or by HAProxy after earlier calls through it passed.',
    fix: 'Raise the proxy\'s rate limit or burst for this path, or exempt the check\'s client; the finding names the proxy and the directive.',
    confirm: 'Rerun hokus-check: no 429/503 from the proxy.',
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
    if (!first) return proxyAnswers(ev, 'unreachable');
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

  rule(timeoutMeta, (ev) => [
    ...firstPerStep(ev, (x) => {
      if (statusOf(x) !== 504 || proxyVerdict(ev, x) === 'timeout') return false;
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
    ...proxyAnswers(ev, 'timeout'),
  ]),

  rule(rateLimitedMeta, (ev) => proxyAnswers(ev, 'rate-limited')),

  rule(forbiddenMeta, (ev) =>
    // A refused PUT/DELETE on the artifact path has its own code (ROUTE_METHOD_REFUSED).
    firstPerStep(ev, (x) => proxyRefusal(x) && !(isArtifactCall(x) && (x.request.method === 'PUT' || x.request.method === 'DELETE'))).map((x) => {
      const who = responderOf(x);
      const service = serviceWords(ev, x);
      return report(forbiddenMeta, {
        step: x.step as StepId,
        cause: `${capitalise(responderWords(who))} at ${hostOf(x.request.url)} refuses ${pathPrefixOf(x)} itself: ${nameOf(x)} got ${describeAnswer(x)} — ${responderWords(who)}'s own answer. ${capitalise(service)} never saw the request, so the API key was not checked.`,
        evidence: [x.id],
        fix: [proxyFix(who, 'forbidden'), 'If the rule allows certain addresses only, run the check from one of them, or add its address.'],
      });
    }),
  ),

  rule(loginMeta, (ev) =>
    firstPerStep(ev, (x) => loginChallenge(x) !== undefined || loginRedirect(x) !== undefined).map((x) => {
      const sso = loginRedirect(x);
      if (sso) return ssoFinding(ev, x, sso);
      const { scheme, realm } = loginChallenge(x)!;
      const who = responderOf(x);
      const challenge = `a ${scheme} login${realm !== undefined ? ` (realm "${realm}")` : ''}`;
      const service = serviceWords(ev, x);
      // MLflow's basic-auth app: realm "mlflow" and its own words (mlflow/server/auth/__init__.py,
      // make_basic_auth_response), or an answer the fingerprint already gives to MLflow.
      if (who === 'mlflow' || (realm === 'mlflow' && /You are not authenticated/i.test(readBody(x).text))) {
        return report(loginMeta, {
          step: x.step as StepId,
          cause: `${nameOf(x)} got 401 asking for ${challenge}: MLflow's own authentication (\`mlflow server --app-name basic-auth\`) is on, and the request did not carry MLflow credentials.`,
          evidence: [x.id],
          fix: [
            'Make the proxy in front of MLflow authenticate to it (MLflow basic-auth credentials on every forwarded request), or run MLflow without --app-name basic-auth behind the API.',
          ],
        });
      }
      const front = frontWords(x);
      return report(loginMeta, {
        step: x.step as StepId,
        cause: `${capitalise(front)} asks for ${challenge} before anything reaches ${service}: ${nameOf(x)} got ${describeAnswer(x)}. ${capitalise(service)} never saw the request, so the API key was not checked.`,
        evidence: [x.id],
        fix: [
          proxyFix(who, 'login'),
          'A Basic login and the Bearer API key both travel in the Authorization header: one request cannot carry both, so the API paths must be exempt (or reached by a URL without the login).',
        ],
      });
    }),
  ),
];

/** A redirect to a browser login (SSO) in front of the service. */
function ssoFinding(ev: Evidence, x: Exchange, to: URL): Finding {
  const who = responderOf(x);
  const front = frontWords(x);
  const service = serviceWords(ev, x);
  return report(loginMeta, {
    step: x.step as StepId,
    cause: `${capitalise(front)} sends ${nameOf(x)} to a browser login (${statusOf(x)} to ${to.origin}${to.pathname}, not followed) before anything reaches ${service}. ${capitalise(service)} never saw the request, so the API key was not checked.`,
    evidence: [x.id],
    fix: [
      who === 'load-balancer'
        ? "Exempt the API paths from the listener rule's authenticate-oidc/cognito action (a rule for /api/* and /health without it)."
        : 'Exempt the API paths (/api/, /health, the auth service) from the login (SSO) in front: oauth2-proxy skip_auth_routes or --skip-jwt-bearer-tokens, a Cloudflare Access bypass or service-token policy, or a listener rule without authentication.',
      'An API client cannot complete a browser login: the check (and every MLflow client) needs a URL that answers without it.',
    ],
  });
}

/** 'nginx at registry.example.test', or 'the server at …' when nothing names it. */
function frontWords(x: Exchange): string {
  const who = responderOf(x);
  return `${who === 'unknown' ? 'the server' : responderWords(who)} at ${hostOf(x.request.url)}`;
}

/** What the request was for: the auth service, the Hokusai API, or MLflow. */
function serviceWords(ev: Evidence, x: Exchange): string {
  const auth = originOf(ev.target.authUrl);
  if (auth !== undefined && originOf(x.request.url) === auth) return 'the auth service';
  return upstreamWords(ev, x);
}

function isLoadBalancerDown(x: Exchange): boolean {
  const s = statusOf(x);
  return (s === 502 || s === 503 || s === 504) && responderOf(x) === 'load-balancer';
}

type ProxyVerdict = 'unreachable' | 'timeout' | 'rate-limited' | 'too-large';

/**
 * What a reverse proxy's own answer says, or undefined when a proxy did not write it. Only the
 * proxy's page counts: the same status from MLflow or the API is theirs to explain.
 */
export function proxyVerdict(ev: Evidence, x: Exchange): ProxyVerdict | undefined {
  const responder = responderOf(x);
  // The API's proxy and an all-paths-down load balancer have their own rules.
  if (!isProxy(responder) || responder === 'hokusai-proxy' || responder === 'load-balancer') return undefined;
  const status = statusOf(x);
  const page = pageOf(x);
  if (status === 429 || page?.means === 'rate-limited') return 'rate-limited';
  // Cloudflare's own 52x: 524 is its 100 s origin timeout, the others an origin it cannot reach or talk to.
  if (status !== undefined && status >= 520 && status <= 530) return status === 524 ? 'timeout' : 'unreachable';
  if (status === 504 || page?.means === 'upstream-timeout') return 'timeout';
  if (status === 502) {
    // Caddy 2.6 answers an upload over its request_body max_size with an empty 502, like an
    // unreachable upstream; but calls without a body reached that upstream through it just before.
    if (responder === 'caddy' && (x.request.bodySize ?? 0) > 0 && readBody(x).text === '' && passedThrough(ev, x, responder)) return 'too-large';
    return 'unreachable';
  }
  if (status === 503) {
    // nginx answers 503 itself only for limit_req/limit_conn (an unreachable upstream is its 502).
    if (responder === 'nginx') return 'rate-limited';
    // HAProxy's 503 page is also what its `deny_status 503` sends: after calls through it passed, a limit.
    if (responder === 'haproxy' && passedThrough(ev, x, responder)) return 'rate-limited';
    return 'unreachable';
  }
  return undefined;
}

/** An earlier call through the same proxy to the same upstream (MLflow or not) got an answer from behind it. */
function passedThrough(ev: Evidence, x: Exchange, proxy: Responder): boolean {
  const origin = originOf(x.request.url);
  const mlflow = isMlflowPath(x.request.url);
  return ev.exchanges.some(
    (y) => y !== x && originOf(y.request.url) === origin && isMlflowPath(y.request.url) === mlflow && is2xx(y) && responderOf(y) !== proxy && Number(y.id.slice(1)) < Number(x.id.slice(1)),
  );
}

/** One finding per step whose answer is the proxy's own, of this verdict. */
function proxyAnswers(ev: Evidence, verdict: ProxyVerdict): Finding[] {
  const hits = firstPerStep(ev, (x) => proxyVerdict(ev, x) === verdict);
  return hits.map((x) => {
    const proxy = responderOf(x);
    const who = responderWords(proxy);
    const upstream = upstreamWords(ev, x);
    const waited = x.timings.total > 0 ? ` after ${(x.timings.total / 1000).toFixed(1)} s` : '';
    const answer = describeAnswer(x);
    if (verdict === 'unreachable') {
      return report(unreachableMeta, {
        step: x.step as StepId,
        cause: `${capitalise(who)} at ${hostOf(x.request.url)} cannot reach ${upstream}: ${nameOf(x)} got ${answer} — ${who}'s own answer; ${upstream} never saw the request.`,
        evidence: [x.id],
        fix: [proxyFix(proxy, 'unreachable'), `Check that ${upstream} is running and listening where ${who} sends ${pathPrefixOf(x)}.`],
      });
    }
    if (verdict === 'timeout') {
      return report(timeoutMeta, {
        step: x.step as StepId,
        cause: `${capitalise(who)} at ${hostOf(x.request.url)} gave up waiting for ${upstream}${waited}: ${nameOf(x)} got ${answer}.`,
        evidence: [x.id],
        fix: [proxyFix(proxy, 'timeout'), `Find why ${upstream} did not answer in time (its logs around this time).`],
      });
    }
    const retryAfter = headerValue(x.response?.headers, 'retry-after');
    return report(rateLimitedMeta, {
      step: x.step as StepId,
      cause: `${capitalise(who)} at ${hostOf(x.request.url)} refused the request by its own rate limit: ${nameOf(x)} got ${answer}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''}; the request never reached ${upstream}.`,
      evidence: [x.id],
      fix: [proxyFix(proxy, 'rate-limit'), retryAfter ? `Or wait ${retryAfter} and rerun.` : 'Or wait a minute and rerun.'],
    });
  });
}

/** Who is behind the proxy for this path: MLflow for MLflow paths, else the registry's API. */
function upstreamWords(ev: Evidence, x: Exchange): string {
  if (ev.target.kind === 'mlflow' || isMlflowPath(x.request.url)) return 'MLflow';
  return ev.target.kind === 'hokusai' && onRegistry(ev, x) ? 'the Hokusai API' : 'its upstream';
}

function pathPrefixOf(x: Exchange): string {
  const p = pathOf(x.request.url);
  const mount = /^(.*?)\/(ajax-)?api\/2\.0\//.exec(p)?.[1];
  return mount !== undefined ? `${mount || ''}/…` : p;
}
