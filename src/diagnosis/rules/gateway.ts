// Gateway family: a hop in front of the auth service, the API or MLflow answers instead of it — it
// cannot reach its upstream, gives up waiting, rate-limits, refuses the path or asks for a login of
// its own. One rule per situation for every product: who wrote the answer is placed by
// fingerprint.ts, the situation read by hop-situation.ts; a profile only names the hop and its fix.
import { headerValue, readBody } from '../exchange-body.js';
import { isMlflowPath, originOf, serviceWords } from '../fingerprint.js';
import { hopReading, roundTimeout, type HopReading } from '../hop-situation.js';
import { hopFix } from '../profiles/index.js';
import type { Situation } from '../situations.js';
import {
  apiMlflowProbeFailure,
  byHop,
  earliestFailingStep,
  exchangesWhere,
  firstPerStep,
  hostOf,
  hungUp,
  isArtifactCall,
  isTrackingCall,
  loginChallenge,
  loginRedirect,
  onRegistry,
  pathOf,
  responderOf,
  statusOf,
  tlsPortProof,
} from '../evidence-query.js';
import { answerOnly, capitalise, decidedBy, describeAnswer, formatBytes, hopAt, nameOf } from '../words.js';
import { report, rule } from '../finding.js';
import type { CheckExchange, Evidence, Finding, Rule, RuleMeta } from '../types.js';

const loginMeta: RuleMeta = {
  code: 'GATEWAY_LOGIN_REQUIRED',
  family: 'gateway',
  rank: { tier: 'hop-policy', order: 1 },
  title: 'A login in front of the service',
  severity: 'error',
  docs: {
    means:
      "Something in front of the auth service, the API or MLflow asks for its own login before anything reaches the service: HTTP Basic, Digest or Negotiate (a staging deployment behind a proxy's basic auth), an API gateway's own credentials, or a redirect to a browser login (SSO: an ALB authenticate-oidc rule, oauth2-proxy, Cloudflare Access). The API key was never checked: the service never saw the request. A Basic login and the Bearer key both need the Authorization header, and an API client cannot complete a browser login. (MLflow's own basic-auth app is MLFLOW_AUTH_REQUIRED / MLFLOW_AUTH_REJECTED.)",
    detect:
      "An answer 401 with a WWW-Authenticate challenge other than Bearer (Basic, Digest, Negotiate, NTLM) that the service behind did not write — the Hokusai services answer 401 with JSON `detail` and no such challenge; MLflow's basic-auth app with its own sentence —, a 401/407 a hop in front wrote itself, or a 3xx whose Location is an identity provider's login (OAuth2/OIDC/SAML paths such as /oauth2/, /authorize, /login, or hosts such as login.microsoftonline.com, *.okta.com, *.cloudflareaccess.com).",
    fix: 'Exempt the API paths (/api/, /health, the auth service) from the login of the server in front — in its own terms, which the finding names — or give the check a URL that does not pass that login.',
    confirm: "Rerun hokus-check: the step gets the service's own answer.",
  },
};

const forbiddenMeta: RuleMeta = {
  code: 'GATEWAY_FORBIDDEN',
  family: 'gateway',
  rank: { tier: 'hop-policy', order: 2 },
  title: 'A hop in front refuses the path',
  severity: 'error',
  docs: {
    means:
      'A proxy, gateway or load balancer in front of the auth service, the API or MLflow answers 403 itself: an access rule (a deny/allow list, an IP allow-list, a WAF rule, an authorisation policy) covers the path, so the request never reached the service, and the API key was not checked. (A refused PUT on the artifact path, while GET and POST pass, is ROUTE_METHOD_REFUSED.)',
    detect:
      "An answer 403 written in front of the service: none of the service's own marks (the API's and the auth service's JSON `detail`, MLflow's JSON errors and texts such as \"Permission denied\").",
    fix: "Find the access rule that covers this path in the hop that answered and let the check's host (or every API client) through: in its own terms, which the finding names.",
    confirm: "Rerun hokus-check: the step gets the service's own answer.",
  },
};

const unreachableMeta: RuleMeta = {
  code: 'GATEWAY_UPSTREAM_UNREACHABLE',
  family: 'gateway',
  rank: { tier: 'upstream', order: 2 },
  title: 'A hop in front cannot reach its upstream',
  severity: 'error',
  docs: {
    means:
      "A hop between the client and the API or MLflow cannot get an answer from the upstream it sends the path to: the API's MLflow proxy, or a reverse proxy, load balancer, CDN, ingress or gateway in front answering with its own 502/503 (52x) — the upstream is down, has no healthy instance, or is not where the hop sends the path. When every registry path, /health included, gets it, nothing behind the front answers at all.",
    detect:
      'A call answers 502 {"detail": "Failed to connect to MLflow server at <url>"} from the API\'s proxy, or a 502/503/52x (or a 500) that a hop in front wrote itself: none of the service\'s own marks; a 503 counts as unreachable on the first call through the hop (no Retry-After; a rate limit answers after calls pass). MLflow itself did not answer.',
    fix: "For the API's proxy: check its MLflow URL (MLFLOW_SERVER_URL / MLFLOW_TRACKING_URI), that the name resolves inside the VPC and MLflow's tasks are registered, that MLflow's security group admits the API on port 5000, and with TLS that the proxy trusts MLflow's certificate (MLFLOW_CA_BUNDLE_PATH). For a hop in front: check the upstream it sends the path to and its health — in its own terms, which the finding names (nginx proxy_pass, HAProxy server line, Apache ProxyPass, Caddy reverse_proxy, an ALB target group, a Kubernetes Service's endpoints).",
    confirm: 'Rerun `hokus-check --only health,experiments`: both pass.',
  },
};

const timeoutMeta: RuleMeta = {
  code: 'GATEWAY_TIMEOUT',
  family: 'gateway',
  rank: { tier: 'upstream', order: 1 },
  title: 'A hop in front gave up waiting',
  severity: 'error',
  docs: {
    means:
      "A hop between the client and MLflow gave up waiting for its upstream: the API's proxy buffers a whole upload and stops after 30 s (\"MLflow server request timeout after 30.0s\"), a reverse proxy's read timeout expired (nginx proxy_read_timeout, HAProxy timeout server, Apache ProxyTimeout, Caddy response_header_timeout), or a load balancer's idle timeout.",
    detect:
      'A call answers 504 (524) written in front of the service, a 5xx whose text says it timed out, or a 5xx (or a close without an answer) that came at a round interval (1 s, 30 s, 60 s…) while the calls before it through the same hop took a fraction of that; an upload that answers 504. The finding says how long the hop waited.',
    fix: "Raise the hop's timeout above the slowest call (the finding names the hop and the setting), or find why the upstream is slow; for uploads, stream bodies instead of buffering them and use multipart uploads (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true).",
    confirm: 'Rerun `hokus-check --only artifact --artifact-size <size of your largest model>` (or the step that failed).',
  },
};

const rateLimitedMeta: RuleMeta = {
  code: 'GATEWAY_RATE_LIMITED',
  family: 'gateway',
  rank: { tier: 'limit', order: 1 },
  title: 'A hop in front rate-limits',
  severity: 'error',
  docs: {
    means:
      "A reverse proxy or gateway in front of the registry refused a request by its own rate limit (nginx limit_req, an HAProxy stick-table rule, Envoy's or Kong's rate limiting, a WAF rule): the request never reached the API or MLflow. Not the Hokusai key's allowance (AUTH_RATE_LIMITED).",
    detect:
      'A call answers 429 written in front of the service, or such a 503 with Retry-After, with words of a limit, or after calls through the same hop to the same upstream passed (then it may also be the upstream going away: the finding says so).',
    fix: "Raise the hop's rate limit or burst for this path, or exempt the check's client; the finding names the hop and the directive.",
    confirm: 'Rerun hokus-check: no 429/503 from the hop.',
  },
};

const refusedMeta: RuleMeta = {
  code: 'GATEWAY_REFUSED',
  family: 'gateway',
  rank: { tier: 'upstream', order: 4 },
  title: 'A hop in front refused the request',
  severity: 'error',
  docs: {
    means:
      'A hop in front of the API or MLflow answered the request itself with a refusal that is not a login, an access rule, a rate limit or a body limit: no route for a path outside the MLflow mount (/health), a header or URL it will not take (400, 414, 431), a Content-Length it requires (411), a host it does not serve (421). The service never saw the request.',
    detect: 'A 4xx (or 501/505) written in front of the service — none of its own marks — that no more specific finding explains.',
    fix: "Read the status and the hop's own log: the finding names the hop and what the status means; route the path, or lift the limit, in the hop.",
    confirm: "Rerun hokus-check: the step gets the service's own answer.",
  },
};

const UNREACHABLE = /Failed to connect to MLflow server at (\S+)/i;
const PROXY_TIMEOUT = /MLflow server request timeout/i;

export const rules: Rule[] = [
  rule(unreachableMeta, (ev) => {
    const hits = hopFindings(ev, 'upstream-unreachable', (x) => !onAuthService(ev, x));
    // Nothing behind the front answers on any registry path: one finding, on the first step in DAG
    // order (health runs beside experiments and may end later), citing every path.
    const all = everyRegistryPath(ev).filter((x) => !x.retried);
    const step = earliestFailingStep(ev, all);
    const x = all.find((y) => y.step === step);
    if (!step || !x || hopReading(ev, x)?.situation !== 'upstream-unreachable') return [...apiProxyUnreachable(ev), ...hits];
    const cited = new Set(all.map((y) => y.id));
    const one = report(unreachableMeta, {
      step,
      cause: hopCause(ev, x, 'upstream-unreachable', hopReading(ev, x)!),
      evidence: [x.id, ...all.map((y) => y.id)],
      fix: hopFixes(ev, x, 'upstream-unreachable'),
    });
    return [...apiProxyUnreachable(ev), one, ...hits.filter((f) => !f.evidence.some((id) => cited.has(id)))];
  }),

  rule(timeoutMeta, (ev) => [
    ...firstPerStep(
      ev,
      (x) =>
        statusOf(x) === 504 &&
        !byHop(x) &&
        (PROXY_TIMEOUT.test(readBody(x).detail ?? readBody(x).text) || (x.step === 'artifact' && x.request.method === 'PUT')),
    ).map((x) => {
      const proxy = PROXY_TIMEOUT.test(readBody(x).detail ?? readBody(x).text);
      const size = x.request.bodySize !== undefined ? ` of ${formatBytes(x.request.bodySize)}` : '';
      return report(timeoutMeta, {
        step: x.step,
        cause: proxy
          ? `The API's MLflow proxy gave up after its 30 s timeout: ${nameOf(x)}${size} got ${describeAnswer(x)}.`
          : `${capitalise(hopAt(x))} timed out waiting for the upstream: ${nameOf(x)}${size} got 504.`,
        evidence: [x.id],
        fix: [
          "Raise the proxy's timeout (PROXY_TIMEOUT = 30 s) and stream request bodies instead of buffering them.",
          "Raise the load balancer's idle timeout above the time your largest upload takes.",
          'Use multipart uploads (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true) for large artifacts.',
        ],
      });
    }),
    ...hopFindings(ev, 'upstream-timeout'),
    ...closedAtTimeout(ev),
  ]),

  rule(rateLimitedMeta, (ev) => hopFindings(ev, 'rate-limited')),

  rule(forbiddenMeta, (ev) => hopFindings(ev, 'path-refused')),

  rule(refusedMeta, (ev) =>
    hopFindings(ev, 'request-refused').concat(
      // No route, or a method refused, where no routing rule speaks: outside the MLflow mount.
      hopFindings(ev, 'no-route', (x) => !isTrackingCall(x) && !isArtifactCall(x)),
      hopFindings(ev, 'method-refused', (x) => !isArtifactCall(x)),
    ),
  ),

  rule(loginMeta, (ev) =>
    firstPerStep(
      ev,
      // MLflow's own login (its basic-auth app) is MLFLOW_AUTH_REQUIRED's and MLFLOW_AUTH_REJECTED's (rules/mlflow-auth.ts).
      (x) =>
        (loginChallenge(x) !== undefined && responderOf(x) !== 'mlflow') ||
        loginRedirect(x) !== undefined ||
        hopReading(ev, x)?.situation === 'login',
    ).map((x) => {
      const sso = loginRedirect(x);
      if (sso) return ssoFinding(ev, x, sso);
      const challenge = loginChallenge(x);
      const who = responderOf(x);
      const service = serviceAt(ev, x);
      const asked = challenge
        ? `a ${challenge.scheme} login${challenge.realm !== undefined ? ` (realm "${challenge.realm}")` : ''}`
        : 'credentials of its own';
      return report(loginMeta, {
        step: x.step,
        cause: `${capitalise(hopAt(x))} asks for ${asked} before anything reaches ${service}: ${nameOf(x)} got ${answerOnly(x)}. ${capitalise(service)} never saw the request, so the API key was not checked.`,
        evidence: [x.id],
        fix: [
          hopFix(who, 'login'),
          'A Basic login and the Bearer API key both travel in the Authorization header: one request cannot carry both, so the API paths must be exempt (or reached by a URL without the login).',
        ],
      });
    }),
  ),
];

/** The API proxy's own 502 "Failed to connect to MLflow server at <url>". */
function apiProxyUnreachable(ev: Evidence): Finding[] {
  const refused = exchangesWhere(ev, { probe: false, finalOnly: true }).filter(
    (x) => statusOf(x) === 502 && UNREACHABLE.test(readBody(x).detail ?? readBody(x).text),
  );
  const first = refused[0];
  if (!first) return [];
  const url = (UNREACHABLE.exec(readBody(first).detail ?? readBody(first).text)?.[1] ?? '').replace(/["'.,;)]+$/, '');
  // The API's own MLflow check fails on the same connection, often first: one finding for both.
  const health = apiMlflowProbeFailure(ev)?.exchange;
  const step = earliestFailingStep(ev, health ? [health, first] : [first]) ?? first.step;
  return [
    report(unreachableMeta, {
      step,
      cause: `The API's MLflow proxy cannot connect to MLflow at ${url}: ${nameOf(first)} got 502 "Failed to connect to MLflow server at ${url}"${health ? `, and ${nameOf(health)} got ${statusOf(health)}` : ''}.`,
      evidence: [health?.id, ...refused.slice(0, 4).map((x) => x.id)],
      fix: [
        `Check the proxy's MLflow URL (MLFLOW_SERVER_URL / MLFLOW_TRACKING_URI on the API): is ${url} right?`,
        `Check that ${hostOf(url)} resolves inside the VPC (Cloud Map) and MLflow tasks are registered; hard-coded task IPs go stale on redeploy.`,
        "Check that MLflow's security group admits the API's tasks on its port (5000).",
        'With TLS to MLflow, check that the proxy trusts its certificate (MLFLOW_CA_BUNDLE_PATH).',
      ],
    }),
  ];
}

/** One finding per step whose answer a hop wrote itself, showing `situation`. */
function hopFindings(ev: Evidence, situation: Situation, where: (x: CheckExchange) => boolean = () => true): Finding[] {
  const hits = firstPerStep(ev, (x) => where(x) && hopReading(ev, x)?.situation === situation);
  return hits.map((x) => {
    const reading = hopReading(ev, x)!;
    return report(META[situation] ?? refusedMeta, {
      step: x.step,
      cause: hopCause(ev, x, situation, reading),
      evidence: [x.id],
      fix: hopFixes(ev, x, situation),
    });
  });
}

const META: Partial<Record<Situation, RuleMeta>> = {
  'upstream-unreachable': unreachableMeta,
  'upstream-timeout': timeoutMeta,
  'rate-limited': rateLimitedMeta,
  'path-refused': forbiddenMeta,
  'request-refused': refusedMeta,
  'no-route': refusedMeta,
  'method-refused': refusedMeta,
};

/** "<hop> at <host> cannot reach MLflow: x got …; decided by …" */
export function hopCause(ev: Evidence, x: CheckExchange, situation: Situation, reading: HopReading): string {
  const front = capitalise(hopAt(x));
  const upstream = upstreamWords(ev, x);
  const answer = `${nameOf(x)} got ${answerOnly(x)}`;
  const how = decidedBy(x, reading);
  switch (situation) {
    case 'upstream-unreachable':
      return `${front} cannot reach ${upstream}${everyPathWords(ev, x)}: ${answer} — its own answer, ${upstream} never saw the request (${how}).`;
    case 'upstream-timeout':
      return `${front} gave up waiting for ${upstream}: ${answer} (${how}).`;
    case 'rate-limited': {
      const retryAfter = headerValue(x.response?.headers, 'retry-after');
      return `${front} refused the request by its own rate limit: ${answer}${retryAfter ? ` (Retry-After: ${retryAfter.slice(0, 20)})` : ''}; the request never reached ${upstream} (${how}).`;
    }
    case 'path-refused':
      return `${front} refuses ${pathPrefixOf(x)} itself: ${answer}. ${capitalise(serviceAt(ev, x))} never saw the request, so the API key was not checked (${how}).`;
    case 'no-route':
      return `${front} has no route for ${pathOf(x.request.url)}: ${answer} — its own answer, ${upstream} never saw the request (${how}).`;
    default:
      return `${front} refused the request itself: ${answer}${STATUS_MEANS[statusOf(x) ?? 0] ? ` — ${STATUS_MEANS[statusOf(x) ?? 0]}` : ''}; ${upstream} never saw it (${how}).`;
  }
}

function hopFixes(ev: Evidence, x: CheckExchange, situation: Situation): string[] {
  const who = responderOf(x);
  const upstream = upstreamWords(ev, x);
  switch (situation) {
    case 'upstream-unreachable':
      return [hopFix(who, situation), `Check that ${upstream} is running and listening where the hop sends ${pathPrefixOf(x)}.`];
    case 'upstream-timeout':
      return [hopFix(who, situation), `Find why ${upstream} did not answer in time (its logs around this time).`];
    case 'rate-limited': {
      const retryAfter = headerValue(x.response?.headers, 'retry-after');
      return [hopFix(who, situation), retryAfter ? `Or wait ${retryAfter.slice(0, 20)} and rerun.` : 'Or wait a minute and rerun.'];
    }
    case 'path-refused':
      return [hopFix(who, situation), 'If the rule allows certain addresses only, run the check from one of them, or add its address.'];
    default:
      return [
        situation === 'no-route' ? hopFix(who, 'no-route') : hopFix(who, 'request-refused'),
        'See the whole answer with --verbose or --har.',
      ];
  }
}

/** What a status means, for a refusal a hop wrote itself (RFC 9110 reasons, in the check's words). */
const STATUS_MEANS: Readonly<Record<number, string>> = {
  400: 'it could not read the request (headers too large, a bad Host)',
  405: 'it does not allow the method on this path',
  408: 'it timed out waiting for the request',
  411: 'it requires a Content-Length',
  414: 'the URL is too long for it',
  415: 'it does not take the content type',
  421: 'it does not serve this host on this connection (SNI or Host mismatch)',
  431: 'the request headers are too large for it',
  501: 'it does not implement the method',
  505: 'it does not speak this HTTP version',
};

/**
 * A close without an answer at a round interval, while earlier calls through the same origin were
 * fast: a hop's idle or read timeout (not a port that speaks TLS: TLS_SCHEME_MISMATCH).
 */
function closedAtTimeout(ev: Evidence): Finding[] {
  return firstPerStep(
    ev,
    (x) => hungUp(x) && x.error?.phase === 'headers' && roundTimeout(ev, x) !== undefined && !tlsPortProof(ev, x.request.url),
  ).map((x) => {
    const upstream = upstreamWords(ev, x);
    return report(timeoutMeta, {
      step: x.step,
      cause: `Something in front of ${upstream} at ${hostOf(x.request.url)} gave up waiting and closed the connection without an answer: ${nameOf(x)} got none — likely: the connection was ${roundTimeout(ev, x)!}.`,
      evidence: [x.id],
      fix: [hopFix('hop', 'upstream-timeout'), `Find why ${upstream} did not answer in time (its logs around this time).`],
    });
  });
}

/** A redirect to a browser login (SSO) in front of the service. */
function ssoFinding(ev: Evidence, x: CheckExchange, to: URL): Finding {
  const who = responderOf(x);
  const service = serviceAt(ev, x);
  return report(loginMeta, {
    step: x.step,
    cause: `${capitalise(hopAt(x))} sends ${nameOf(x)} to a browser login (${statusOf(x)} to ${to.origin}${to.pathname}, not followed) before anything reaches ${service}. ${capitalise(service)} never saw the request, so the API key was not checked.`,
    evidence: [x.id],
    fix: [
      who === 'load-balancer'
        ? hopFix(who, 'login')
        : 'Exempt the API paths (/api/, /health, the auth service) from the login (SSO) in front: oauth2-proxy skip_auth_routes or --skip-jwt-bearer-tokens, a Cloudflare Access bypass or service-token policy, or a listener rule without authentication.',
      'An API client cannot complete a browser login: the check (and every MLflow client) needs a URL that answers without it.',
    ],
  });
}

/** The auth service's own origin: its outages behind a hop are AUTH_SERVICE_DOWN's to name. */
function onAuthService(ev: Evidence, x: CheckExchange): boolean {
  const auth = originOf(ev.target.authUrl);
  return auth !== undefined && originOf(x.request.url) === auth;
}

/** Every registry answer, when each one is a hop's own 5xx (two at least): nothing behind the front answers. */
function everyRegistryPath(ev: Evidence): CheckExchange[] {
  const answered = ev.exchanges.filter((y) => y.response && onRegistry(ev, y));
  return answered.length > 1 && answered.every((y) => byHop(y) && (statusOf(y) ?? 0) >= 500) ? answered : [];
}

/** ' for any path (all 3 registry requests, /health included, got its own 503)'. */
function everyPathWords(ev: Evidence, x: CheckExchange): string {
  if (!onRegistry(ev, x)) return '';
  const all = everyRegistryPath(ev);
  if (all.length === 0) return '';
  const health = all.some((y) => pathOf(y.request.url) === '/health');
  return ` for any path (all ${all.filter((y) => !y.retried).length} registry requests${health ? ', /health included,' : ''} got its own ${[...new Set(all.map(statusOf))].join('/')})`;
}

/** What the request was for: the auth service, the Hokusai API, or MLflow. */
function serviceAt(ev: Evidence, x: CheckExchange): string {
  if (onAuthService(ev, x)) return 'the auth service';
  return upstreamWords(ev, x);
}

/** Who is behind the hop for this path: MLflow for MLflow paths, else the registry's API. */
function upstreamWords(ev: Evidence, x: CheckExchange): string {
  if (ev.target.kind === 'mlflow' || isMlflowPath(x.request.url)) return 'MLflow';
  if (onAuthService(ev, x)) return 'the auth service';
  return ev.target.kind === 'hokusai' && onRegistry(ev, x) ? serviceWords('hokusai-api') : 'its upstream';
}

function pathPrefixOf(x: CheckExchange): string {
  const p = pathOf(x.request.url);
  const mount = /^(.*?)\/(ajax-)?api\/2\.0\//.exec(p)?.[1];
  return mount !== undefined ? `${mount || ''}/…` : p;
}
