// RuleTester-style cases (in the manner of ESLint's RuleTester): for every catalogue code, `valid` evidence
// on which the rule must stay silent — above all the same words or status from another component —
// and `invalid` evidence on which it must report, with the expected step and the responder of the
// first cited exchange. Invalid cases are the scenarios (scenarios.ts) plus the real proxies' own
// answers (test/fixtures/proxies). A code without a valid case fails the suite.
import { describe, expect, it } from 'vitest';
import { RULES, ruleFor } from '../../../src/diagnosis/catalogue.js';
import { place } from '../../../src/diagnosis/engine.js';
import { fingerprintOf } from '../../../src/diagnosis/fingerprint.js';
import type { Evidence } from '../../../src/diagnosis/types.js';
import {
  AUTH,
  Check,
  REGISTRY,
  albPage,
  api,
  createRun,
  failedPut,
  healthyCheck,
  mlflow,
  passAuth,
  passExperiments,
  passHealth,
  search,
  upToArtifact,
  upToExperiments,
  type Answer,
} from './evidence.js';
import { proxyPage } from './proxy-pages.js';
import {
  hopSaysPermissionDenied,
  mlflowAsksForLogin,
  mlflowIgnoresToken,
  mlflowLogin401ViaProxy,
  mlflowRejectsLogin,
  nginxLoginInFront,
  runCreateRefused,
} from './mlflow-auth-evidence.js';
import { SCENARIOS } from './scenarios.js';
import * as mtls from './client-cert-evidence.js';

interface Case {
  name: string;
  ev: () => Evidence;
}

interface InvalidCase extends Case {
  step: string;
  responder?: string;
}

/** Experiments pass, then runs/create gets `answer`. */
function runAnswers(answer: Answer): Evidence {
  const c = upToExperiments();
  passExperiments(c);
  createRun(c, answer);
  c.step('run', 'fail', String(answer.status));
  return c.evidence();
}

/** experiments/search gets `answer`, after `ms` (health's calls took 12 ms each). */
function searchAnswers(answer: Answer, ms?: number): Evidence {
  const c = upToExperiments();
  search(c, { answer, ...(ms !== undefined ? { ms } : {}) });
  c.step('experiments', 'fail', String(answer.status));
  return c.evidence();
}

function putAnswers(answer: Answer): Evidence {
  const c = upToArtifact();
  failedPut(c, answer);
  return c.evidence();
}

/** validate gets `answer`; health and the MLflow calls through the registry pass (as with a cached validation). */
function validateAnswers(answer: Answer): Evidence {
  const c = new Check();
  c.x({ step: 'auth', label: 'validate', method: 'POST', url: `${AUTH}/api/v1/keys/validate`, answer });
  c.step('auth', 'fail', String(answer.status));
  passHealth(c);
  passExperiments(c);
  return c.evidence();
}

/** The auth service fails validate with a database error of its own. */
function authDbError(): Evidence {
  const c = new Check();
  c.x({
    step: 'auth',
    label: 'validate',
    method: 'POST',
    url: `${AUTH}/api/v1/keys/validate`,
    answer: api(500, { detail: 'psycopg2.OperationalError: could not connect to server: Connection refused' }),
  });
  c.step('auth', 'fail', '500');
  return c.evidence();
}

const healthy: Case = { name: 'a healthy check', ev: () => healthyCheck().evidence() };
const mlflowForbiddenPut: Case = {
  name: "MLflow's own PERMISSION_DENIED on the PUT",
  ev: () => putAnswers(mlflow(403, { error_code: 'PERMISSION_DENIED', message: 'Forbidden' })),
};
const nginxForbiddenPut: Case = { name: "nginx's 403 Forbidden page on the PUT", ev: () => putAnswers(proxyPage('nginx', 403)) };
const nginx429: Case = { name: "nginx's own 429 page", ev: () => runAnswers(proxyPage('nginx', 429)) };
const api429: Case = {
  name: "the API's 429 Rate limit exceeded",
  ev: () => runAnswers(api(429, { detail: 'Rate limit exceeded' }, [['retry-after', '30']])),
};
const nginx502: Case = { name: "nginx's own 502 page", ev: () => searchAnswers(proxyPage('nginx', 502)) };
const nginx504: Case = { name: "nginx's own 504 page, 1.0 s after fast calls", ev: () => searchAnswers(proxyPage('nginx', 504), 1004) };
const nginx404: Case = { name: "nginx's own 404 page", ev: () => searchAnswers(proxyPage('nginx', 404, /mount/)) };
const mlflowNoSuchThing: Case = {
  name: "MLflow's own RESOURCE_DOES_NOT_EXIST on the PUT",
  ev: () => putAnswers(mlflow(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'No such file' })),
};
const authPsycopg: Case = { name: "the auth service's own psycopg2 error", ev: authDbError };
const loginWallOnValidate: Case = {
  name: "nginx's login wall (401, Basic realm) on validate",
  ev: () => validateAnswers(proxyPage('nginx', 401, /auth service/)),
};
const apiBearer401: Case = {
  name: "the API's own 401 with a Bearer challenge (FastAPI HTTPBearer)",
  ev: () => searchAnswers(api(401, { detail: 'Not authenticated' }, [['www-authenticate', 'Bearer']])),
};

/** Another code's scenario: a neighbouring failure the rule must not claim. */
function sibling(code: string): Case {
  return { name: `${code}'s scenario`, ev: () => SCENARIOS[code]!().ev };
}

/** Valid cases per code: evidence on which the rule must not fire. */
/** experiments/search of an http:// registry gets `answer` (the other steps pass). */
function plainSearchAnswers(answer: Answer): Evidence {
  const registry = 'http://registry.example.test:8443';
  const c = new Check({ registryUrl: registry });
  passAuth(c);
  c.x({ step: 'health', label: 'GET /health', url: `${registry}/health`, answer: api(200, { status: 'healthy' }) });
  c.step('health', 'pass', 'healthy');
  c.x({
    step: 'experiments',
    label: 'experiments/search',
    url: `${registry}/api/mlflow/api/2.0/mlflow/experiments/search?max_results=1`,
    answer,
  });
  c.step('experiments', 'fail', String(answer.status));
  return c.evidence();
}

/** GET /health of an http:// registry answers 302 to `location` (the check does not follow it). */
function plainHealthRedirect(location: string): Evidence {
  const registry = 'http://registry.example.test';
  const c = new Check({ registryUrl: registry });
  passAuth(c);
  c.x({
    step: 'health',
    label: 'GET /health',
    url: `${registry}/health`,
    answer: { status: 302, headers: [['location', location]], body: '' },
  });
  c.step('health', 'fail', '/health: 302');
  return c.evidence();
}

/** A TLS failure that is not about the scheme: the handshake itself failed (an old protocol version). */
function tlsHandshakeFails(): Evidence {
  const c = upToExperiments();
  const error = {
    kind: 'tls-other' as const,
    code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    message: 'registry.hokus.ai:443: tlsv1 alert protocol version',
    phase: 'connect' as const,
  };
  search(c, { error });
  c.step('experiments', 'error', 'tls-other');
  return c.evidence();
}

const VALID: Record<string, Case[]> = {
  // A refused PUT is ROUTE_METHOD_REFUSED's; the services' own 403s (JSON) are theirs.
  GATEWAY_FORBIDDEN: [
    healthy,
    nginxForbiddenPut,
    mlflowForbiddenPut,
    sibling('AUTH_ADMIN_REQUIRED'),
    sibling('AUTH_SCOPE_MISSING'),
    sibling('ROUTE_METHOD_REFUSED'),
  ],
  // The https upgrade and the logins have their own codes.
  ROUTE_REDIRECTED: [
    healthy,
    sibling('ROUTE_REDIRECTED_TO_HTTPS'),
    { name: 'a redirect to an identity provider', ev: () => plainHealthRedirect('https://sso.example.test/oauth2/authorize?client_id=x') },
    { name: "oauth2-proxy's relative redirect to its sign-in", ev: () => plainHealthRedirect('/oauth2/sign_in?rd=%2Fhealth') },
  ],
  // MLflow's OK on the API's own MLflow health path is the API speaking for MLflow, not a wrong URL;
  // FastAPI's 404 on the mount is an unmounted proxy; the auth service's own 401 is about the key.
  ROUTE_WRONG_BASE_URL: [
    healthy,
    sibling('ROUTE_PROXY_NOT_MOUNTED'),
    sibling('AUTH_KEY_INVALID'),
    sibling('HEALTH_DEGRADED'),
    {
      name: '/api/health/mlflow answering text OK',
      ev: () => {
        const c = new Check();
        passAuth(c);
        c.x({ step: 'health', label: 'GET /health', url: `${REGISTRY}/health`, answer: api(200, { status: 'healthy' }) });
        c.x({
          step: 'health',
          label: 'GET /api/health/mlflow',
          url: `${REGISTRY}/api/health/mlflow`,
          answer: { status: 200, headers: [['content-type', 'text/plain']], body: 'OK' },
        });
        c.step('health', 'pass', 'healthy');
        return c.evidence();
      },
    },
  ],
  // A hang-up with no tls-port proof, a handshake that failed otherwise, the API's own 400, a redirect to https.
  TLS_SCHEME_MISMATCH: [
    healthy,
    sibling('NET_RESET'),
    sibling('TLS_UNTRUSTED'),
    sibling('ROUTE_REDIRECTED_TO_HTTPS'),
    { name: 'a TLS handshake failing on the protocol version', ev: tlsHandshakeFails },
    { name: "the API's own 400 on an http:// registry", ev: () => plainSearchAnswers(api(400, { detail: 'Bad Request' })) },
  ],
  // The target's own refusal and a reverse proxy's 502 are not the forward proxy's; nor is the other proxy code's case.
  NET_PROXY_UNREACHABLE: [healthy, nginx502, sibling('NET_REFUSED'), sibling('NET_DNS'), sibling('NET_PROXY_REFUSED')],
  // A reverse proxy's own 403 and 502 pages are answers of the target's path, not a refused tunnel.
  NET_PROXY_REFUSED: [healthy, nginx502, nginxForbiddenPut, sibling('NET_REFUSED'), sibling('NET_PROXY_UNREACHABLE')],
  NET_DNS: [healthy, nginx502, sibling('NET_REFUSED'), sibling('NET_PROXY_UNREACHABLE')],
  NET_REFUSED: [healthy, nginx502, sibling('NET_TIMEOUT'), sibling('NET_PROXY_UNREACHABLE')],
  NET_TIMEOUT: [healthy, nginx504, sibling('NET_RESET')],
  NET_RESET: [healthy, nginx502, sibling('NET_DNS'), sibling('TLS_CLIENT_CERT_REQUIRED')],
  // A gateway's own 504 page, a reset before any answer, a malformed (not cut) body: no cut transfer.
  NET_TRANSFER_CUT: [healthy, nginx504, sibling('NET_RESET'), sibling('RESPONSE_MALFORMED')],
  DEADLINE_EXCEEDED: [healthy, nginx504, sibling('NET_TIMEOUT')],
  TLS_EXPIRED: [healthy, sibling('TLS_UNTRUSTED'), sibling('TLS_HOSTNAME')],
  TLS_UNTRUSTED: [healthy, sibling('TLS_EXPIRED'), sibling('TLS_HOSTNAME')],
  TLS_HOSTNAME: [healthy, sibling('TLS_EXPIRED'), sibling('TLS_UNTRUSTED')],
  // Mutual TLS (client-cert-evidence.ts): the server's own certificate problems, pages about something
  // else or written by the service, the origin's certificate behind a CDN, an alert that says nothing
  // about the certificate presented, and each other's cases.
  TLS_CLIENT_CERT_REQUIRED: [
    healthy,
    sibling('TLS_UNTRUSTED'),
    sibling('TLS_EXPIRED'),
    sibling('TLS_CLIENT_CERT_REJECTED'),
    sibling('TLS_CLIENT_CERT_EXPIRED'),
    { name: "nginx's 400 about a too large header", ev: () => mtls.registryAnswers(mtls.NGINX_HEADER_TOO_LARGE) },
    { name: "the API's own 400 JSON that names a client certificate", ev: mtls.apiSaysCertificate },
    {
      name: "nginx's no-certificate page on a plain-HTTP URL (not a TLS connection)",
      ev: () => mtls.registryAnswers(mtls.NGINX_NO_CERT, undefined, 'http://registry.example.test'),
    },
    { name: "Cloudflare's 526 Invalid SSL certificate (the origin's)", ev: () => mtls.registryAnswers(mtls.CLOUDFLARE_526) },
    {
      name: 'handshake_failure (40) with a certificate presented (no shared cipher, as likely)',
      ev: () => mtls.alertOnExperiments('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 40, mtls.CLIENT_CERT),
    },
  ],
  TLS_CLIENT_CERT_REJECTED: [
    healthy,
    sibling('TLS_UNTRUSTED'),
    sibling('TLS_CLIENT_CERT_REQUIRED'),
    sibling('TLS_CLIENT_CERT_EXPIRED'),
    { name: "nginx's no-certificate page", ev: () => mtls.registryAnswers(mtls.NGINX_NO_CERT) },
    {
      name: "nginx's certificate error page for a certificate expired by then",
      ev: () => mtls.registryAnswers(mtls.NGINX_CERT_ERROR, mtls.EXPIRED_CERT),
    },
    {
      name: "Cloudflare's 526 Invalid SSL certificate (the origin's)",
      ev: () => mtls.registryAnswers(mtls.CLOUDFLARE_526, mtls.CLIENT_CERT),
    },
    { name: "nginx's 400 about a too large header", ev: () => mtls.registryAnswers(mtls.NGINX_HEADER_TOO_LARGE, mtls.CLIENT_CERT) },
  ],
  TLS_CLIENT_CERT_EXPIRED: [
    healthy,
    sibling('TLS_EXPIRED'),
    sibling('TLS_CLIENT_CERT_REJECTED'),
    sibling('TLS_CLIENT_CERT_REQUIRED'),
    {
      name: "nginx's certificate error page for a certificate valid then",
      ev: () => mtls.registryAnswers(mtls.NGINX_CERT_ERROR, mtls.CLIENT_CERT),
    },
    {
      name: "nginx's no-certificate page, an expired certificate configured",
      ev: () => mtls.registryAnswers(mtls.NGINX_NO_CERT, mtls.EXPIRED_CERT),
    },
  ],
  AUTH_KEY_INVALID: [healthy, nginxForbiddenPut, sibling('AUTH_SERVICE_ID_MISMATCH'), loginWallOnValidate],
  // The services' own 401s (JSON detail, or a Bearer challenge) are theirs, not a login in front.
  GATEWAY_LOGIN_REQUIRED: [
    healthy,
    // MLflow's own login (recorded, fixtures/mlflow-2.12.2-basic-auth) is MLFLOW_AUTH_REQUIRED's and _REJECTED's.
    sibling('MLFLOW_AUTH_REQUIRED'),
    sibling('MLFLOW_AUTH_REJECTED'),
    // A 401 that asks for a client certificate (Kong's mtls-auth) is TLS_CLIENT_CERT_REQUIRED's.
    { name: "Kong's mtls-auth 401 No required TLS certificate was sent", ev: () => mtls.registryAnswers(mtls.KONG_NO_CERT) },
    {
      name: 'MLflow\'s basic-auth 401 through the API\'s proxy (realm "mlflow", its own words)',
      ev: () => searchAnswers(mlflowLogin401ViaProxy()),
    },
    sibling('AUTH_KEY_INVALID'),
    sibling('AUTH_HEADER_STRIPPED'),
    sibling('ROUTE_REDIRECTED_TO_HTTPS'),
    apiBearer401,
    nginxForbiddenPut,
    { name: 'a redirect to the same path on another host (not a login)', ev: () => plainHealthRedirect('https://www.example.test/health') },
  ],
  AUTH_SERVICE_ID_MISMATCH: [healthy, sibling('AUTH_KEY_INVALID')],
  // A login page a hop writes (nginx auth_basic, another realm or MLflow's name) is not MLflow's own.
  MLFLOW_AUTH_REQUIRED: [
    healthy,
    sibling('MLFLOW_AUTH_REJECTED'),
    sibling('GATEWAY_LOGIN_REQUIRED'),
    apiBearer401,
    { name: 'nginx auth_basic\'s 401 (realm "staging", its HTML page) in front of MLflow', ev: () => nginxLoginInFront('staging') },
    { name: 'nginx auth_basic\'s 401 with realm "mlflow" (its HTML page)', ev: () => nginxLoginInFront('mlflow') },
  ],
  MLFLOW_AUTH_REJECTED: [
    healthy,
    sibling('MLFLOW_AUTH_REQUIRED'),
    { name: "MLflow's 401 to a Bearer token (MLFLOW_TRACKING_TOKEN): no login was sent", ev: mlflowIgnoresToken },
    { name: 'nginx auth_basic\'s 401 to a Basic login (realm "mlflow")', ev: () => nginxLoginInFront('mlflow', 'basic') },
  ],
  // Only MLflow's own plain-text refusal after a login: not its JSON errors, not a hop's words.
  MLFLOW_PERMISSION_DENIED: [
    healthy,
    nginxForbiddenPut,
    mlflowForbiddenPut,
    sibling('MLFLOW_AUTH_REJECTED'),
    sibling('MLFLOW_HOST_NOT_ALLOWED'),
    {
      name: 'a hop\'s own 403 "Permission denied" (Server: nginx, text/plain) while MLflow answers as gunicorn',
      ev: hopSaysPermissionDenied,
    },
  ],
  // A proxy's access rule refusing validate is not an outage of the auth service (GATEWAY_FORBIDDEN).
  AUTH_SERVICE_DOWN: [
    healthy,
    nginx502,
    { name: "nginx's 403 (an access rule) on validate", ev: () => validateAnswers(proxyPage('nginx', 403, /validate refused/)) },
  ],
  AUTH_HEADER_STRIPPED: [healthy, nginxForbiddenPut, sibling('AUTH_KEY_INVALID')],
  AUTH_ADMIN_REQUIRED: [healthy, nginxForbiddenPut, sibling('AUTH_SCOPE_MISSING')],
  AUTH_SCOPE_MISSING: [healthy, nginxForbiddenPut, sibling('AUTH_ADMIN_REQUIRED')],
  AUTH_RATE_LIMITED: [healthy, nginx429],
  AUTH_CACHE_MASKING: [healthy, sibling('AUTH_KEY_INVALID'), loginWallOnValidate],
  GATEWAY_UPSTREAM_UNREACHABLE: [
    healthy,
    nginx504,
    nginx404,
    { name: "nginx's 503 page (its limit_req answer)", ev: () => runAnswers(proxyPage('nginx', 503)) },
  ],
  // A run step that failed otherwise, and a create that answered the check's own object.
  RESPONSE_FOREIGN_OBJECT: [healthy, sibling('UNEXPECTED_RESPONSE'), sibling('MLFLOW_INTERNAL_ERROR')],
  // The services' own JSON refusals, and the hop situations with codes of their own.
  GATEWAY_REFUSED: [
    healthy,
    nginx502,
    nginx404,
    nginxForbiddenPut,
    nginx429,
    { name: "the API's own 400 JSON", ev: () => searchAnswers(api(400, { detail: 'Bad Request' })) },
    {
      name: "nginx's 400 No required SSL certificate was sent (TLS_CLIENT_CERT_REQUIRED's)",
      ev: () => mtls.registryAnswers(mtls.NGINX_NO_CERT),
    },
    {
      name: "nginx's 400 The SSL certificate error (TLS_CLIENT_CERT_REJECTED's)",
      ev: () => mtls.registryAnswers(mtls.NGINX_CERT_ERROR, mtls.CLIENT_CERT),
    },
  ],
  // A hop's 5xx page, the database's own words (MLFLOW_BACKEND_ERROR), the auth service's and the API's own 500s are not MLflow failing inside.
  MLFLOW_INTERNAL_ERROR: [
    healthy,
    nginx502,
    authPsycopg,
    sibling('MLFLOW_BACKEND_ERROR'),
    { name: "the API's own 500 JSON", ev: () => runAnswers(api(500, { detail: 'Internal server error while proxying to MLflow' })) },
  ],
  GATEWAY_TIMEOUT: [
    healthy,
    nginx502,
    {
      name: "a hop's 502 that came fast after fast calls (not at a round timeout)",
      ev: () => searchAnswers(proxyPage('apache', 502), 380),
    },
    // A gateway that answers 504 at once for an upstream that refused: it waited for nothing.
    {
      name: "a hop's 504 after 9 ms, with no words of a timeout",
      ev: () => searchAnswers({ status: 504, headers: [['x-powered-by', 'Gateway']], body: 'Error occurred while trying to proxy' }, 9),
    },
  ],
  GATEWAY_RATE_LIMITED: [
    healthy,
    api429,
    {
      name: "HAProxy's 503 page on the first MLflow call (no server, not a limit)",
      ev: () => searchAnswers(proxyPage('haproxy', 503, /upstream down/)),
    },
  ],
  ROUTE_PROXY_NOT_MOUNTED: [
    healthy,
    nginx502,
    { name: "MLflow's Flask 404 through nginx (prefix kept)", ev: () => SCENARIOS.ROUTE_PREFIX_NOT_STRIPPED!().ev },
  ],
  // MLflow's 404 on the mount when --registry-url is MLflow itself: no proxy to blame (ROUTE_WRONG_BASE_URL).
  ROUTE_PREFIX_NOT_STRIPPED: [healthy, nginx404, sibling('ROUTE_WRONG_BASE_URL')],
  ROUTE_METHOD_REFUSED: [
    healthy,
    mlflowForbiddenPut,
    {
      name: "the API's 403 scope answer on the PUT",
      ev: () => putAnswers(api(403, { detail: { error: 'FORBIDDEN', required_scope: 'mlflow:write', current_scopes: ['read'] } })),
    },
  ],
  // oauth2-proxy on the same host sends http:// to its https:// sign-in: a login, not a scheme upgrade.
  ROUTE_REDIRECTED_TO_HTTPS: [
    healthy,
    nginx502,
    {
      name: "oauth2-proxy's redirect to its sign-in on the same host over https",
      ev: () => plainHealthRedirect('https://registry.example.test/oauth2/start?rd=%2Fhealth'),
    },
  ],
  ROUTE_ARTIFACTS_MISROUTED: [healthy, mlflowNoSuchThing, nginxForbiddenPut, sibling('MLFLOW_ARTIFACTS_NOT_SERVED')],
  PROXY_DROPS_DELETE_BODY: [healthy, sibling('CLEANUP_LEFTOVERS')],
  MLFLOW_HOST_NOT_ALLOWED: [healthy, nginxForbiddenPut, sibling('AUTH_ADMIN_REQUIRED')],
  MLFLOW_BACKEND_ERROR: [healthy, authPsycopg],
  MLFLOW_ARTIFACTS_NOT_SERVED: [healthy, mlflowNoSuchThing, sibling('ROUTE_ARTIFACTS_MISROUTED')],
  ARTIFACT_STORAGE_DENIED: [healthy, nginxForbiddenPut, mlflowForbiddenPut],
  ARTIFACT_TOO_LARGE: [healthy, nginxForbiddenPut],
  ARTIFACT_ROOT_BYPASSES_PROXY: [healthy, sibling('MLFLOW_ARTIFACTS_NOT_SERVED')],
  ARTIFACT_CORRUPTED: [healthy, sibling('ARTIFACT_TOO_LARGE')],
  REGISTRY_FAILED: [healthy, sibling('CLEANUP_LEFTOVERS')],
  RESPONSE_MALFORMED: [healthy, nginx502, sibling('NET_RESET')],
  RESPONSE_SCHEMA: [healthy, nginx502, sibling('RESPONSE_NOT_JSON')],
  // A page a hop wrote itself is named by the gateway and routing rules, never as "HTML where JSON was due".
  RESPONSE_NOT_JSON: [
    healthy,
    mlflowNoSuchThing,
    nginx502,
    nginx404,
    { name: "the AWS load balancer's 502 page on the PUT", ev: () => putAnswers(albPage(502)) },
    {
      name: "an unnamed hop's 404 text on the MLflow mount",
      ev: () => searchAnswers({ status: 404, headers: [['content-type', 'text/plain']], body: 'no such route' }),
    },
  ],
  HEALTH_DEGRADED: [healthy, { name: '/api/health/mlflow answering text OK', ev: () => healthOkText() }],
  CLEANUP_LEFTOVERS: [healthy, sibling('REGISTRY_FAILED')],
  UNEXPECTED_RESPONSE: [healthy, sibling('DEADLINE_EXCEEDED')],
};

function healthOkText(): Evidence {
  const c = healthyCheck();
  const x = c.exchanges.find((e) => e.label === 'GET /api/health/mlflow')!;
  x.response = {
    ...x.response!,
    headers: [
      ['server', 'nginx/1.22.1'],
      ['content-type', 'text/plain'],
    ],
    contentType: 'text/plain',
    bodyExcerpt: 'OK',
    bodySize: 2,
  };
  return c.evidence();
}

/** Documented default answers of components not in the suite (sources in src/diagnosis/profiles/). */
const documented = {
  // Azure docs / MicrosoftDocs/azure-docs#110739: the v2 SKU's page, footer Microsoft-Azure-Application-Gateway/v2.
  azure502: {
    status: 502,
    headers: [
      ['server', 'Microsoft-Azure-Application-Gateway/v2'],
      ['content-type', 'text/html'],
    ],
    body: '<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\n</body>\n</html>\n',
  },
  envoyNoUpstream: {
    status: 503,
    headers: [
      ['server', 'envoy'],
      ['content-type', 'text/plain'],
    ],
    body: 'no healthy upstream',
  },
  cloudflare522: {
    status: 522,
    headers: [
      ['server', 'cloudflare'],
      ['cf-ray', '8a1b2c3d4e5f6789-AMS'],
      ['content-type', 'text/plain; charset=UTF-8'],
    ],
    body: 'error code: 522',
  },
  kongNoRoute: {
    status: 404,
    headers: [
      ['server', 'kong/3.4.2'],
      ['content-type', 'application/json; charset=utf-8'],
    ],
    body: '{\n  "message":"no Route matched with those values"\n}',
  },
  kongTimeout: {
    status: 504,
    headers: [
      ['server', 'kong/3.4.2'],
      ['content-type', 'application/json; charset=utf-8'],
    ],
    body: '{\n  "message":"The upstream server is timing out"\n}',
  },
  traefikNoRoute: { status: 404, headers: [['content-type', 'text/plain; charset=utf-8']], body: '404 page not found\n' },
} satisfies Record<string, Answer>;

/** Invalid cases beyond the scenarios: the real proxies' own answers, and documented ones. */
const INVALID: Record<string, InvalidCase[]> = {
  GATEWAY_FORBIDDEN: (['nginx', 'haproxy', 'apache', 'caddy'] as const).flatMap((kind): InvalidCase[] => [
    {
      name: `${kind}'s 403 on the MLflow mount`,
      ev: () => searchAnswers(proxyPage(kind, 403, /mount refused/)),
      step: 'experiments',
      responder: kind,
    },
    {
      name: `${kind}'s 403 on validate`,
      ev: () => validateAnswers(proxyPage(kind, 403, /validate refused/)),
      step: 'auth',
      responder: kind,
    },
  ]),
  TLS_SCHEME_MISMATCH: [
    {
      name: "nginx's 400 for plain HTTP on its TLS port",
      ev: () => plainSearchAnswers(proxyPage('nginx', 400, /plain HTTP/)),
      step: 'experiments',
      responder: 'nginx',
    },
    {
      name: "Apache's 400 for plain HTTP on its TLS port",
      ev: () => plainSearchAnswers(proxyPage('apache', 400, /plain HTTP/)),
      step: 'experiments',
      responder: 'apache',
    },
    // Go's net/http text with no Server header: a hop in front that names itself with nothing.
    {
      name: "Caddy's (Go's) 400 for plain HTTP on its TLS port",
      ev: () => plainSearchAnswers(proxyPage('caddy', 400, /plain HTTP/)),
      step: 'experiments',
      responder: 'hop',
    },
  ],
  TLS_CLIENT_CERT_REQUIRED: [
    {
      name: "nginx's 400 No required SSL certificate was sent",
      ev: () => mtls.registryAnswers(mtls.NGINX_NO_CERT),
      step: 'health',
      responder: 'nginx',
    },
    {
      name: "Kong's mtls-auth 401 No required TLS certificate was sent",
      ev: () => mtls.registryAnswers(mtls.KONG_NO_CERT),
      step: 'health',
      responder: 'kong',
    },
    {
      name: 'TLS 1.2 handshake_failure (40) with no certificate to present',
      ev: () => mtls.alertOnExperiments('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 40),
      step: 'experiments',
      responder: 'unknown',
    },
    {
      name: "bad_certificate (42) with no certificate to present (Go's and Java's TLS 1.2)",
      ev: () => mtls.alertOnExperiments('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 42),
      step: 'experiments',
      responder: 'unknown',
    },
  ],
  TLS_CLIENT_CERT_REJECTED: [
    {
      name: "nginx's 400 The SSL certificate error",
      ev: () => mtls.registryAnswers(mtls.NGINX_CERT_ERROR, mtls.CLIENT_CERT),
      step: 'health',
      responder: 'nginx',
    },
    {
      name: "Kong's mtls-auth 401 TLS certificate failed verification",
      ev: () => mtls.registryAnswers(mtls.KONG_CERT_FAILED, mtls.CLIENT_CERT),
      step: 'health',
      responder: 'kong',
    },
    {
      name: 'bad_certificate (42) with a certificate presented',
      ev: () => mtls.alertOnExperiments('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 42, mtls.CLIENT_CERT),
      step: 'experiments',
      responder: 'unknown',
    },
  ],
  TLS_CLIENT_CERT_EXPIRED: [
    {
      name: "nginx's 400 The SSL certificate error for a certificate expired by then",
      ev: () => mtls.registryAnswers(mtls.NGINX_CERT_ERROR, mtls.EXPIRED_CERT),
      step: 'health',
      responder: 'nginx',
    },
    {
      name: 'certificate_unknown (46) for a certificate expired by then',
      ev: () => mtls.alertOnExperiments('ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', 46, mtls.EXPIRED_CERT),
      step: 'experiments',
      responder: 'unknown',
    },
  ],
  GATEWAY_LOGIN_REQUIRED: (['nginx', 'haproxy', 'apache', 'caddy'] as const)
    .flatMap((kind): InvalidCase[] => [
      {
        name: `${kind}'s login wall on validate`,
        ev: () => validateAnswers(proxyPage(kind, 401, /auth service/)),
        step: 'auth',
        responder: kind,
      },
      {
        name: `${kind}'s login wall on the registry`,
        ev: () => searchAnswers(proxyPage(kind, 401, /registry/)),
        step: 'experiments',
        responder: kind,
      },
    ])
    .concat([
      {
        // AWS ALB authenticate-oidc (documented: a 302 to the IdP's authorization endpoint, with an AWSELBAuthNonce cookie).
        name: "an ALB's redirect to the identity provider (documented)",
        ev: () =>
          searchAnswers({
            status: 302,
            headers: [
              ['server', 'awselb/2.0'],
              ['location', 'https://hokus.auth.us-east-1.amazoncognito.com/oauth2/authorize?client_id=x&response_type=code'],
              ['set-cookie', 'AWSELBAuthNonce=abc; path=/'],
            ],
            body: '',
          }),
        step: 'experiments',
        responder: 'load-balancer',
      },
      {
        // nginx auth_basic "mlflow" in front of a plain MLflow server: the realm is MLflow's name, the page nginx's.
        name: 'nginx\'s auth_basic page with realm "mlflow" in front of a plain MLflow server',
        ev: () => nginxLoginInFront('mlflow'),
        step: 'experiments',
        responder: 'nginx',
      },
    ]),
  // The auth service's own database error is the auth service's fault (and not MLflow's database).
  AUTH_SERVICE_DOWN: [{ name: "the auth service's own psycopg2 error", ev: authDbError, step: 'auth', responder: 'hokusai-auth' }],
  MLFLOW_AUTH_REQUIRED: [
    { name: "MLflow's 401 to no credentials (recorded)", ev: mlflowAsksForLogin, step: 'experiments', responder: 'mlflow' },
    { name: "MLflow's 401 to a Bearer token (recorded)", ev: mlflowIgnoresToken, step: 'experiments', responder: 'mlflow' },
    {
      name: 'MLflow\'s 401 through the API\'s proxy (realm "mlflow", its own words)',
      ev: () => searchAnswers(mlflowLogin401ViaProxy()),
      step: 'experiments',
      responder: 'mlflow',
    },
  ],
  MLFLOW_AUTH_REJECTED: [
    { name: "MLflow's 401 to a wrong password (recorded)", ev: mlflowRejectsLogin, step: 'experiments', responder: 'mlflow' },
  ],
  MLFLOW_PERMISSION_DENIED: [
    { name: "MLflow's 403 Permission denied on runs/create (recorded)", ev: () => runCreateRefused(), step: 'run', responder: 'mlflow' },
  ],
  GATEWAY_UPSTREAM_UNREACHABLE: [
    { name: "nginx's 502 page", ev: () => searchAnswers(proxyPage('nginx', 502)), step: 'experiments', responder: 'nginx' },
    {
      name: "HAProxy's 503 page",
      ev: () => searchAnswers(proxyPage('haproxy', 503, /upstream down/)),
      step: 'experiments',
      responder: 'haproxy',
    },
    { name: "Apache's 503 page", ev: () => searchAnswers(proxyPage('apache', 503)), step: 'experiments', responder: 'apache' },
    {
      name: "Caddy's empty 502",
      ev: () => searchAnswers(proxyPage('caddy', 502, /upstream down/)),
      step: 'experiments',
      responder: 'caddy',
    },
    {
      name: 'Envoy\'s "no healthy upstream" (documented)',
      ev: () => searchAnswers(documented.envoyNoUpstream),
      step: 'experiments',
      responder: 'envoy',
    },
    {
      name: "Cloudflare's 522 (documented)",
      ev: () => searchAnswers(documented.cloudflare522),
      step: 'experiments',
      responder: 'cloudflare',
    },
    {
      name: "the AWS load balancer's 503 Service Temporarily Unavailable (documented)",
      ev: () => searchAnswers(albPage(503)),
      step: 'experiments',
      responder: 'load-balancer',
    },
    {
      name: "the Azure Application Gateway's 502 (documented)",
      ev: () => searchAnswers(documented.azure502),
      step: 'experiments',
      responder: 'azure-appgw',
    },
    {
      name: "an unnamed hop's 504 after 9 ms: it did not wait, it could not reach",
      ev: () => searchAnswers({ status: 504, headers: [['content-type', 'text/plain']], body: 'upstream error' }, 9),
      step: 'experiments',
      responder: 'hop',
    },
    {
      name: "an unnamed hop's 502 (Server: Zorgon)",
      ev: () =>
        searchAnswers({
          status: 502,
          headers: [
            ['server', 'Zorgon/2.1'],
            ['content-type', 'text/html'],
          ],
          body: '<h1>upstream trouble</h1>',
        }),
      step: 'experiments',
      responder: 'hop',
    },
  ],
  GATEWAY_TIMEOUT: [
    // A proxy's read timeout (1 s in the matrix): its 504 comes when it gives up.
    { name: "nginx's 504 page", ev: () => searchAnswers(proxyPage('nginx', 504), 1004), step: 'experiments', responder: 'nginx' },
    { name: "HAProxy's 504 page", ev: () => searchAnswers(proxyPage('haproxy', 504), 1003), step: 'experiments', responder: 'haproxy' },
    // Apache's ProxyTimeout (1 s in the matrix) expired: its 502 comes at the round second.
    {
      name: "Apache's 502 Error reading from remote server, 1.0 s after fast calls",
      ev: () => searchAnswers(proxyPage('apache', 502), 1004),
      step: 'experiments',
      responder: 'apache',
    },
    {
      name: "the AWS load balancer's 504 Gateway Time-out (documented), after its 60 s idle timeout",
      ev: () => searchAnswers(albPage(504), 60_012),
      step: 'experiments',
      responder: 'load-balancer',
    },
    {
      name: "a hop's 503 at a round 3 s after fast calls, no Server header",
      ev: () => searchAnswers({ status: 503, headers: [['content-type', 'text/plain']], body: 'upstream went away' }, 3012),
      step: 'experiments',
      responder: 'hop',
    },
    { name: "Caddy's 504", ev: () => searchAnswers(proxyPage('caddy', 504), 1005), step: 'experiments', responder: 'caddy' },
    {
      name: "Kong's 504 (documented): its words say it",
      ev: () => searchAnswers(documented.kongTimeout),
      step: 'experiments',
      responder: 'kong',
    },
  ],
  GATEWAY_RATE_LIMITED: [
    { name: "nginx's 429 page", ev: () => runAnswers(proxyPage('nginx', 429)), step: 'run', responder: 'nginx' },
    { name: "nginx's 503 page (limit_req)", ev: () => runAnswers(proxyPage('nginx', 503)), step: 'run', responder: 'nginx' },
    { name: "HAProxy's 429 page", ev: () => runAnswers(proxyPage('haproxy', 429)), step: 'run', responder: 'haproxy' },
    {
      name: "HAProxy's 503 page after MLflow calls through it passed",
      ev: () => runAnswers(proxyPage('haproxy', 503, /rate/)),
      step: 'run',
      responder: 'haproxy',
    },
  ],
  ROUTE_PROXY_NOT_MOUNTED: [
    { name: "nginx's 404 page", ev: () => searchAnswers(proxyPage('nginx', 404, /mount/)), step: 'experiments', responder: 'nginx' },
    { name: "HAProxy's 404 page", ev: () => searchAnswers(proxyPage('haproxy', 404, /mount/)), step: 'experiments', responder: 'haproxy' },
    { name: "Apache's 404 page", ev: () => searchAnswers(proxyPage('apache', 404, /mount/)), step: 'experiments', responder: 'apache' },
    { name: "Kong's no-route 404 (documented)", ev: () => searchAnswers(documented.kongNoRoute), step: 'experiments', responder: 'kong' },
    {
      name: "Traefik's 404 page not found (documented)",
      ev: () => searchAnswers(documented.traefikNoRoute),
      step: 'experiments',
      responder: 'traefik',
    },
  ],
  ROUTE_METHOD_REFUSED: [
    { name: "HAProxy's 403 page", ev: () => putAnswers(proxyPage('haproxy', 403)), step: 'artifact', responder: 'haproxy' },
    { name: "Apache's 403 page", ev: () => putAnswers(proxyPage('apache', 403)), step: 'artifact', responder: 'apache' },
    { name: "Caddy's 405", ev: () => putAnswers(proxyPage('caddy', 405)), step: 'artifact', responder: 'caddy' },
  ],
  ARTIFACT_TOO_LARGE: [
    { name: "nginx's 413 page", ev: () => putAnswers(proxyPage('nginx', 413)), step: 'artifact', responder: 'nginx' },
    { name: "HAProxy's 413 page", ev: () => putAnswers(proxyPage('haproxy', 413)), step: 'artifact', responder: 'haproxy' },
  ],
};

describe('rule cases (RuleTester)', () => {
  it('every catalogue code has valid cases, and every valid table names a real code', () => {
    const codes = RULES.map((r) => r.meta.code).sort();
    expect(
      codes.filter((c) => !(VALID[c]?.length ?? 0)),
      'codes without a valid case',
    ).toEqual([]);
    expect(Object.keys(VALID).filter((c) => !codes.includes(c))).toEqual([]);
  });

  for (const [code, cases] of Object.entries(VALID)) {
    for (const c of cases) {
      it(`${code} stays silent on ${c.name}`, () => {
        const ev = c.ev();
        place(ev);
        const found = ruleFor(code)!
          .match(ev)
          .filter((f) => f.code === code);
        expect(found.map((f) => f.cause)).toEqual([]);
      });
    }
  }

  for (const [code, cases] of Object.entries(INVALID)) {
    for (const c of cases) {
      it(`${code} fires on ${c.name}, naming ${c.responder}`, () => {
        const ev = c.ev();
        place(ev);
        const found = ruleFor(code)!
          .match(ev)
          .filter((f) => f.code === code);
        expect(found, JSON.stringify(found)).toHaveLength(1);
        expect(found[0]!.step).toBe(c.step);
        const cited = ev.exchanges.find((x) => x.id === found[0]!.evidence[0]);
        expect(cited === undefined ? undefined : fingerprintOf(cited).responder).toBe(c.responder);
      });
    }
  }
});

/** Cases per code, for the closing note: `npx vitest run test/unit/diagnosis/rule-cases.test.ts`. */
export function caseCounts(): Record<string, { valid: number; invalid: number }> {
  return Object.fromEntries(
    RULES.map((r) => [
      r.meta.code,
      { valid: VALID[r.meta.code]?.length ?? 0, invalid: (INVALID[r.meta.code]?.length ?? 0) + (SCENARIOS[r.meta.code] ? 1 : 0) },
    ]),
  );
}
