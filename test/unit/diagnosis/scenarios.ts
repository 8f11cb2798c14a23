// One hand-built check per catalogue code, shaped like the embedded stack's fault of the same name.
// `step` is the step the finding explains; `root` says whether it must be the root-cause finding.
import type { Evidence } from '../../../src/diagnosis/types.js';
import type { Exchange } from '../../../src/http/types.js';
import type { StepFailure, StepId } from '../../../src/steps/types.js';
import {
  AJAX_ART,
  ART,
  AUTH,
  CHECK_ID,
  Check,
  FLASK_404,
  MLFLOW_MISSING_NAME,
  MODEL,
  PLAIN,
  REGISTRY,
  REL,
  REST,
  RUN,
  ajaxProbe,
  albPage,
  albText404,
  api,
  auth,
  blockedBy,
  createRegisteredModel,
  createRun,
  deleteArtifacts,
  deleteModelVersion,
  deleteRegisteredModel,
  deleteRun,
  directProbe,
  failedPut,
  getArtifact,
  getExperiment,
  getHealth,
  incident,
  listingProbe,
  mlflow,
  mlflowDownload,
  nginxPage,
  passArtifact,
  passAuth,
  passCleanup,
  passExperiments,
  passHealth,
  passRegister,
  passRun,
  proxied,
  putArtifact,
  search,
  searchErrs,
  searchFailsTwice,
  text,
  upToArtifact,
  upToExperiments,
  type Answer,
} from './evidence.js';
import { proxyPage } from './proxy-pages.js';
import { alertOnExperiments, CLIENT_CERT, EXPIRED_CERT } from './client-cert-evidence.js';
import { mlflowAsksForLogin, mlflowRejectsLogin, runCreateRefused } from './mlflow-auth-evidence.js';

export interface Scenario {
  ev: Evidence;
  step: StepId;
  root: boolean;
}

const VALIDATE = `${AUTH}/api/v1/keys/validate`;

function scenario(c: Check, step: StepId, root = true): Scenario {
  return { ev: c.evidence(), step, root };
}

/** The auth-without-service-id probe's validate, answered with `answer` (sent with `reqBody`, if any). */
function validateWithoutServiceId(c: Check, answer: Answer, reqBody?: object): Exchange {
  return c.x({
    step: 'auth',
    probe: 'auth-without-service-id',
    label: 'validate without service_id',
    method: 'POST',
    url: VALIDATE,
    ...(reqBody ? { reqBody } : {}),
    answer,
  });
}

/** Auth fails with `answer` on validate; the rest is blocked. */
function authFails(c: Check, answer: Parameters<Check['x']>[0]['answer'], withoutServiceId?: Parameters<Check['x']>[0]['answer']): Check {
  c.x({ step: 'auth', label: 'validate', method: 'POST', url: VALIDATE, reqBody: { service_id: c.target.serviceId }, answer });
  if (withoutServiceId) validateWithoutServiceId(c, withoutServiceId, {});
  c.step('auth', 'fail', `${answer?.status}`);
  passHealth(c);
  for (const id of ['experiments', 'run', 'artifact', 'register'] as const) c.step(id, 'blocked', 'blocked by auth');
  return c.step('cleanup', 'pass', 'nothing to delete');
}

/** experiments fails with `answer` (health passes; auth passes, or is skipped with `withAuth` false). */
function experimentsFails(answer: Answer, detail = `${answer.status}`, withAuth = true): Check {
  const c = new Check(withAuth ? {} : { authUrl: undefined });
  if (withAuth) passAuth(c);
  else c.step('auth', 'skipped', 'no --auth-url');
  passHealth(c);
  search(c, { answer });
  c.step('experiments', 'fail', detail);
  return blockedBy(c, 'experiments');
}

function transport(
  kind: 'dns' | 'refused' | 'connect-timeout' | 'timeout' | 'reset' | 'tls-expired' | 'tls-untrusted' | 'tls-hostname' | 'tls-other',
  code: string,
): Check {
  const c = upToExperiments();
  const error = {
    kind,
    code,
    message: `${REGISTRY.replace('https://', '')}:443 ${code}`,
    phase: kind === 'timeout' ? ('headers' as const) : ('connect' as const),
  };
  search(c, { error, retried: true });
  search(c, { error, ms: 5000 });
  c.step('experiments', 'error', `${kind}: ${code}`);
  return blockedBy(c, 'experiments');
}

/** experiments/search fails at the forward proxy (HTTPS_PROXY) with `error`, twice (a retry). */
function throughProxy(error: NonNullable<Exchange['error']>): Check {
  const c = upToExperiments();
  for (const x of searchFailsTwice(c, error)) x.via = 'http://proxy.corp.example:3128';
  c.step('experiments', 'error', `${error.kind}: ${error.message}`);
  return blockedBy(c, 'experiments');
}

/** run fails on runs/create with `answer`. */
function runCreateFails(answer: Answer, detail: string, failure?: StepFailure): Check {
  const c = upToExperiments();
  passExperiments(c);
  getExperiment(c);
  createRun(c, answer);
  c.step('run', 'fail', detail, [], failure);
  return blockedBy(c, 'run');
}

function artifactFails(answer: Answer, detail?: string): Check {
  const c = upToArtifact();
  failedPut(c, answer, detail);
  return passCleanup(c);
}

function registerEndsIn(status: 'FAILED_REGISTRATION' | 'PENDING_REGISTRATION'): Check {
  const c = upToArtifact();
  passArtifact(c);
  createRegisteredModel(c);
  const version = (s: string) =>
    proxied(
      mlflow(200, {
        model_version: {
          name: MODEL,
          version: '1',
          status: s,
          source: `mlflow-artifacts:/${REL}/hokus-check`,
          status_message: s === 'FAILED_REGISTRATION' ? 'source not readable' : '',
        },
      }),
    );
  c.x({
    step: 'register',
    label: 'model-versions/create',
    method: 'POST',
    url: `${REST}/model-versions/create`,
    answer: version('PENDING_REGISTRATION'),
  });
  c.x({
    step: 'register',
    label: 'model-versions/get',
    url: `${REST}/model-versions/get?name=${MODEL}&version=1`,
    answer: version('PENDING_REGISTRATION'),
  });
  c.x({
    step: 'register',
    label: 'model-versions/get',
    url: `${REST}/model-versions/get?name=${MODEL}&version=1`,
    answer: version(status),
  });
  c.state.created.modelName = MODEL;
  c.state.created.modelVersions.push('1');
  c.step(
    'register',
    'fail',
    status === 'FAILED_REGISTRATION' ? 'v1 FAILED_REGISTRATION: source not readable' : 'v1 still PENDING_REGISTRATION after 2s',
  );
  return passCleanup(c);
}

/** Tracking passes, then the proxy in front refuses PUT on the artifact path with its own page. */
function proxyRefusesPut(): Check {
  const c = upToArtifact();
  failedPut(c, proxyPage('nginx', 403));
  return c;
}

export const SCENARIOS: Record<string, () => Scenario> = {
  GATEWAY_RATE_LIMITED: () => {
    const c = upToExperiments();
    passExperiments(c);
    c.x({ step: 'run', label: 'runs/create', method: 'POST', url: `${REST}/runs/create`, answer: proxyPage('nginx', 429) });
    c.step('run', 'fail', '429');
    return scenario(c, 'run');
  },
  ROUTE_METHOD_REFUSED: () => scenario(proxyRefusesPut(), 'artifact'),
  ROUTE_PREFIX_NOT_STRIPPED: () => {
    const c = upToExperiments();
    search(c, {
      answer: {
        status: 404,
        headers: [
          ['server', 'nginx/1.22.1'],
          ['content-type', 'text/html; charset=utf-8'],
        ],
        body: FLASK_404,
      },
    });
    c.step('experiments', 'fail', '404 text/html');
    return scenario(c, 'experiments');
  },
  // The registry's host is an alias that a load balancer rule sends on to another host.
  ROUTE_REDIRECTED: () => {
    const c = new Check();
    passAuth(c);
    getHealth(c, {
      status: 301,
      headers: [
        ['server', 'nginx/1.22.1'],
        ['content-type', 'text/html'],
        ['location', 'https://www.example.test/health'],
      ],
      body: '',
    });
    c.step('health', 'fail', '/health: 301');
    return scenario(c, 'health');
  },
  ROUTE_REDIRECTED_TO_HTTPS: () => {
    const c = new Check({ registryUrl: 'http://registry.example.test' });
    passAuth(c);
    c.x({
      step: 'health',
      label: 'GET /health',
      url: 'http://registry.example.test/health',
      answer: {
        ...proxyPage('nginx', 301),
        headers: [
          ['server', 'nginx/1.22.1'],
          ['content-type', 'text/html'],
          ['location', 'https://registry.example.test/health'],
        ],
      },
    });
    c.step('health', 'fail', '/health: 301');
    return scenario(c, 'health');
  },
  // HTTPS_PROXY names a proxy whose port is closed: nothing left for the registry.
  NET_PROXY_UNREACHABLE: () =>
    scenario(
      throughProxy({
        kind: 'proxy-unreachable',
        code: 'ECONNREFUSED',
        message: 'proxy proxy.corp.example:3128: the proxy refused the connection (ECONNREFUSED); nothing reached registry.hokus.ai:443',
        phase: 'connect',
      }),
      'experiments',
    ),
  // squid's default rules: CONNECT only to 443 — here to the registry's 8443.
  NET_PROXY_REFUSED: () =>
    scenario(
      throughProxy({
        kind: 'proxy-refused',
        code: 'UND_ERR_ABORTED',
        message: 'the proxy proxy.corp.example:3128 answered 403 to the tunnel request (CONNECT registry.hokus.ai:443)',
        phase: 'connect',
        proxyStatus: 403,
      }),
      'experiments',
    ),
  NET_DNS: () => scenario(transport('dns', 'ENOTFOUND'), 'experiments'),
  NET_REFUSED: () => scenario(transport('refused', 'ECONNREFUSED'), 'experiments'),
  NET_TIMEOUT: () => scenario(transport('timeout', 'UND_ERR_HEADERS_TIMEOUT'), 'experiments'),
  NET_RESET: () => scenario(transport('reset', 'ECONNRESET'), 'experiments'),
  // gunicorn's worker --timeout (30 s) kills the worker 1 MiB into an 8 MiB read-back.
  NET_TRANSFER_CUT: () => {
    const c = upToArtifact();
    putArtifact(c, proxied(mlflow(200, {})), 8 * 1024 * 1024);
    c.state.created.artifactDirs.push({ base: ART, path: `${REL}/hokus-check`, withKey: true });
    const get = getArtifact(
      c,
      {
        status: 200,
        headers: [
          ['server', 'gunicorn'],
          ['content-type', 'application/octet-stream'],
          ['content-length', String(8 * 1024 * 1024)],
        ],
        body: '',
      },
      30_014,
    );
    get.response = {
      ...get.response!,
      bodySize: 1024 * 1024,
      bodyExcerpt: `binary body, ${1024 * 1024} bytes, starts 8f3a…, sha256 ${'ab'.repeat(32)}`,
      binary: { sha256: 'ab'.repeat(32), head: '8f3a' },
    };
    get.error = {
      kind: 'cut',
      code: 'UND_ERR_SOCKET',
      message: `registry.hokus.ai closed the connection 30.0 s after the request was sent, ${1024 * 1024} of ${8 * 1024 * 1024} body bytes received`,
      phase: 'body',
    };
    c.step('artifact', 'fail', 'GET: cut');
    c.step('register', 'blocked', 'blocked by artifact');
    return scenario(passCleanup(c), 'artifact');
  },
  DEADLINE_EXCEEDED: () => {
    const c = upToExperiments();
    searchErrs(
      c,
      { kind: 'aborted', code: 'HOKUS_DEADLINE', message: "request to registry ended: the check's deadline passed", phase: 'headers' },
      1000,
    );
    for (const id of ['run', 'artifact', 'register'] as const) c.notRun(id, 'deadline');
    return scenario(c.step('cleanup', 'pass', 'nothing to delete'), 'experiments');
  },
  // https:// to a port that serves plain HTTP: OpenSSL reads the HTTP answer as a bad TLS record.
  TLS_SCHEME_MISMATCH: () => scenario(transport('tls-other', 'ERR_SSL_WRONG_VERSION_NUMBER'), 'experiments'),
  TLS_EXPIRED: () => scenario(transport('tls-expired', 'CERT_HAS_EXPIRED'), 'experiments'),
  TLS_UNTRUSTED: () => scenario(transport('tls-untrusted', 'SELF_SIGNED_CERT_IN_CHAIN'), 'experiments'),
  TLS_HOSTNAME: () => scenario(transport('tls-hostname', 'ERR_TLS_CERT_ALTNAME_INVALID'), 'experiments'),
  // Mutual TLS (client-cert-evidence.ts): the server's TLS alert about the client certificate.
  TLS_CLIENT_CERT_REQUIRED: () => ({
    ev: alertOnExperiments('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 116),
    step: 'experiments',
    root: true,
  }),
  TLS_CLIENT_CERT_REJECTED: () => ({
    ev: alertOnExperiments('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 48, CLIENT_CERT),
    step: 'experiments',
    root: true,
  }),
  TLS_CLIENT_CERT_EXPIRED: () => ({
    ev: alertOnExperiments('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 45, EXPIRED_CERT),
    step: 'experiments',
    root: true,
  }),

  // nginx's access rule (`deny all`) on the MLflow mount: its own 403 page, nothing behind it answered.
  GATEWAY_FORBIDDEN: () => scenario(experimentsFails(proxyPage('nginx', 403, /mount refused/), '403 text/html'), 'experiments'),
  // A staging login wall (nginx auth_basic) in front of the auth service: the key never reached it.
  GATEWAY_LOGIN_REQUIRED: () =>
    scenario(authFails(new Check(), proxyPage('nginx', 401, /auth service/), proxyPage('nginx', 401, /auth service/)), 'auth'),
  AUTH_KEY_INVALID: () =>
    scenario(
      authFails(new Check(), auth(401, { detail: 'Invalid or expired API key' }), auth(401, { detail: 'Invalid or expired API key' })),
      'auth',
    ),
  AUTH_SERVICE_ID_MISMATCH: () =>
    scenario(
      authFails(
        new Check({ serviceId: 'ml-platform' }),
        auth(401, { detail: 'Invalid or expired API key' }),
        auth(200, { is_valid: true, key_id: 'k1', service_id: 'platform', scopes: ['read', 'write'] }),
      ),
      'auth',
    ),
  AUTH_SERVICE_DOWN: () => {
    const c = authFails(new Check(), albPage(503));
    c.x({ step: 'auth', probe: 'auth-health', label: 'auth /health', url: `${AUTH}/health`, answer: albPage(503) });
    return scenario(c, 'auth');
  },
  AUTH_RATE_LIMITED: () =>
    scenario(
      authFails(
        new Check(),
        auth(429, { detail: 'Rate limit exceeded' }, [
          ['retry-after', '60'],
          ['x-ratelimit-limit', '1000'],
        ]),
      ),
      'auth',
    ),
  AUTH_SCOPE_MISSING: () =>
    scenario(
      runCreateFails(
        api(403, {
          detail: 'Insufficient permissions for this operation',
          error: 'FORBIDDEN',
          message: 'This operation requires write permissions',
          required_scope: 'model:write or mlflow:write',
          current_scopes: ['read'],
        }),
        'runs/create: 403 FORBIDDEN',
      ),
      'run',
    ),
  AUTH_ADMIN_REQUIRED: () =>
    scenario(
      experimentsFails(
        api(403, { detail: 'Admin access required for the model registry', error: 'REGISTRY_ADMIN_REQUIRED' }),
        '403 REGISTRY_ADMIN_REQUIRED',
      ),
      'experiments',
    ),
  AUTH_HEADER_STRIPPED: () =>
    scenario(
      experimentsFails(
        {
          status: 401,
          headers: [
            ['server', 'uvicorn'],
            ['date', 'x'],
            ['server', 'uvicorn'],
            ['content-type', 'application/json'],
          ],
          body: '{"detail":"API key required"}',
        },
        '401 API key required',
      ),
      'experiments',
    ),
  AUTH_CACHE_MASKING: () => {
    const c = new Check();
    c.x({ step: 'auth', label: 'validate', method: 'POST', url: VALIDATE, answer: auth(401, { detail: 'Invalid or expired API key' }) });
    validateWithoutServiceId(c, auth(401, { detail: 'Invalid or expired API key' }));
    c.step('auth', 'fail', '401 Invalid or expired API key');
    passHealth(c);
    passExperiments(c);
    return scenario(c, 'auth', false);
  },

  ROUTE_PROXY_NOT_MOUNTED: () => scenario(experimentsFails(api(404, { detail: 'Not Found' }), '404 Not Found'), 'experiments'),
  // --registry-url is MLflow's own URL: its /health answers MLflow's recorded `OK` (fixtures/mlflow-2.12.2).
  ROUTE_WRONG_BASE_URL: () => {
    const c = new Check();
    passAuth(c);
    getHealth(c, {
      status: 200,
      headers: [
        ['server', 'gunicorn'],
        ['content-type', 'text/html; charset=utf-8'],
      ],
      body: 'OK',
    });
    c.step('health', 'fail', '/health: 200 text/html where JSON was due');
    // The MLflow mount is no mount there: MLflow's own Flask 404, as if a proxy kept the prefix.
    search(c, {
      answer: {
        status: 404,
        headers: [
          ['server', 'gunicorn'],
          ['content-type', 'text/html; charset=utf-8'],
        ],
        body: FLASK_404,
      },
    });
    c.step('experiments', 'fail', '404 text/html');
    return scenario(blockedBy(c, 'experiments'), 'health');
  },
  ROUTE_ARTIFACTS_MISROUTED: () => scenario(incident().check, 'artifact'),
  PROXY_DROPS_DELETE_BODY: () => {
    const c = upToArtifact();
    passArtifact(c);
    passRegister(c);
    const dropped = proxied(mlflow(400, MLFLOW_MISSING_NAME));
    deleteModelVersion(c, dropped);
    deleteRegisteredModel(c, dropped);
    deleteArtifacts(c, { base: ART, path: `${REL}/hokus-check` });
    // runs/delete sent without a body here.
    c.x({ step: 'cleanup', label: 'runs/delete', method: 'POST', url: `${REST}/runs/delete`, answer: proxied(mlflow(200, {})) });
    c.state.leftovers = [`model version ${MODEL} v1`, `registered model ${MODEL}`];
    c.step('cleanup', 'warn', '2 left behind');
    return scenario(c, 'cleanup', false);
  },

  // A hop's own refusal that is no login, access rule, limit or route: nginx's 400 for headers too large.
  GATEWAY_REFUSED: () =>
    scenario(
      experimentsFails({
        status: 400,
        headers: [
          ['server', 'nginx/1.25.3'],
          ['content-type', 'text/html'],
        ],
        body: '<html>\r\n<head><title>400 Request Header Or Cookie Too Large</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>Request Header Or Cookie Too Large</center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n',
      }),
      'experiments',
    ),
  // MLflow's own 500 (Werkzeug's page, through the API's proxy): it failed inside, on the tracking store.
  MLFLOW_INTERNAL_ERROR: () =>
    scenario(
      runCreateFails(
        proxied(
          mlflow(
            500,
            '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n',
          ),
        ),
        'runs/create: 500',
      ),
      'run',
    ),
  GATEWAY_UPSTREAM_UNREACHABLE: () => {
    const c = new Check();
    passAuth(c);
    getHealth(c, api(200, { status: 'healthy', services: { api: 'healthy' } }));
    c.x({
      step: 'health',
      label: 'GET /api/health/mlflow',
      url: `${REGISTRY}/api/health/mlflow`,
      answer: api(503, {
        status: 'error',
        tracking_uri: 'http://mlflow.hokusai.local:5000',
        error_type: 'ConnectError',
        error: 'connection refused',
      }),
    });
    c.step('health', 'fail', '/api/health/mlflow: 503');
    search(c, { answer: api(502, { detail: 'Failed to connect to MLflow server at http://mlflow.hokusai.local:5000' }) });
    c.step('experiments', 'fail', '502 Failed to connect to MLflow server at http://mlflow.hokusai.local:5000');
    blockedBy(c, 'experiments');
    return scenario(c, 'health');
  },
  GATEWAY_TIMEOUT: () => scenario(artifactFails(api(504, { detail: 'MLflow server request timeout after 30.0s' }), 'PUT: 504'), 'artifact'),

  MLFLOW_ARTIFACTS_NOT_SERVED: () => {
    const c = upToArtifact();
    failedPut(c, proxied(mlflow(404, FLASK_404)));
    listingProbe(c, proxied(mlflow(404, FLASK_404)));
    ajaxProbe(c, proxied(mlflow(404, FLASK_404)));
    return scenario(passCleanup(c), 'artifact');
  },
  MLFLOW_HOST_NOT_ALLOWED: () =>
    scenario(
      experimentsFails(proxied(text(403, 'Invalid Host header - possible DNS rebinding attack detected', [['server', 'uvicorn']])), '403'),
      'experiments',
    ),
  MLFLOW_BACKEND_ERROR: () =>
    scenario(
      experimentsFails(
        proxied(
          mlflow(500, {
            error_code: 'INTERNAL_ERROR',
            message:
              '(psycopg2.OperationalError) connection to server at "db.internal" (10.0.0.5), port 5432 failed: FATAL:  password authentication failed for user "mlflow"',
          }),
        ),
        '500 INTERNAL_ERROR',
      ),
      'experiments',
    ),

  ARTIFACT_ROOT_BYPASSES_PROXY: () => {
    const c = upToExperiments();
    passExperiments(c);
    passRun(c, `s3://hokusai-mlflow-artifacts/artifacts/1/${RUN}/artifacts`);
    passArtifact(c);
    passRegister(c);
    return scenario(passCleanup(c), 'run', false);
  },
  ARTIFACT_STORAGE_DENIED: () =>
    scenario(
      artifactFails(
        proxied(
          mlflow(500, {
            error_code: 'INTERNAL_ERROR',
            message: 'An error occurred (AccessDenied) when calling the PutObject operation: Access Denied',
          }),
        ),
        'PUT: 500 INTERNAL_ERROR',
      ),
      'artifact',
    ),
  ARTIFACT_TOO_LARGE: () => scenario(artifactFails(nginxPage(413), 'PUT: 413 but not JSON (text/html)'), 'artifact'),
  ARTIFACT_CORRUPTED: () => {
    const c = upToArtifact();
    putArtifact(c);
    getArtifact(c, mlflowDownload('x'.repeat(1000)));
    c.state.created.artifactDirs.push({ base: ART, path: `${REL}/hokus-check`, withKey: true });
    c.step('artifact', 'fail', 'sha256 mismatch: sent 1.0 KiB 1a2b3c4d5e6f…, read back 1000 B 9f8e7d6c5b4a…', [], {
      kind: 'content-mismatch',
      what: 'size',
    });
    c.step('register', 'blocked', 'blocked by artifact');
    return scenario(passCleanup(c), 'artifact');
  },

  REGISTRY_FAILED: () => scenario(registerEndsIn('FAILED_REGISTRATION'), 'register'),

  RESPONSE_NOT_JSON: () =>
    scenario(
      experimentsFails(
        {
          status: 200,
          headers: [['content-type', 'text/html']],
          body: '<!DOCTYPE html><html><head><title>Sign in</title></head><body></body></html>',
        },
        '200 but not JSON (text/html)',
      ),
      'experiments',
    ),
  RESPONSE_SCHEMA: () =>
    scenario(
      runCreateFails(
        proxied(mlflow(200, { run: { info: { experiment_id: '1' } } })),
        'runs/create: schema: run.info.run_id: Invalid input: expected string, received undefined',
        { kind: 'schema', problem: 'run.info.run_id: Invalid input: expected string, received undefined' },
      ),
      'run',
    ),

  RESPONSE_MALFORMED: () => {
    const c = upToExperiments();
    searchErrs(c, {
      kind: 'protocol',
      code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
      message: 'Response body length does not match content-length header',
      phase: 'body',
    });
    return scenario(blockedBy(c, 'experiments'), 'experiments');
  },

  HEALTH_DEGRADED: () => {
    const c = upToArtifact({}, { api: 'healthy', redis: 'unhealthy' });
    passArtifact(c);
    passRegister(c);
    return scenario(passCleanup(c), 'health', false);
  },

  CLEANUP_LEFTOVERS: () => {
    const c = upToArtifact();
    passArtifact(c);
    passRegister(c);
    deleteModelVersion(c);
    deleteRegisteredModel(c);
    deleteArtifacts(
      c,
      { base: ART, path: `${REL}/hokus-check` },
      proxied(mlflow(500, '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n')),
    );
    deleteRun(c);
    c.state.leftovers = [`artifacts ${REL}/hokus-check/`];
    c.step('cleanup', 'warn', '1 left behind');
    return scenario(c, 'cleanup', false);
  },
  // A cache in front answers runs/create with someone else's run (fault foreign-run).
  RESPONSE_FOREIGN_OBJECT: () =>
    scenario(
      runCreateFails(
        proxied(
          mlflow(200, {
            run: {
              info: {
                run_id: 'f'.repeat(32),
                experiment_id: '1',
                artifact_uri: 'mlflow-artifacts:/1/x/artifacts',
                run_name: 'important-training-run',
              },
              data: { tags: [{ key: 'team', value: 'research' }] },
            },
          }),
        ),
        `runs/create answered run ${'f'.repeat(32)} (important-training-run), which is not this check's (no hokus-check.id=${CHECK_ID} tag, name not ${MODEL}): left alone`,
        { kind: 'foreign-object', what: `run ${'f'.repeat(32)} (important-training-run)` },
      ).step('cleanup', 'pass', 'deleted 1 resource'),
      'run',
    ),
  // MLflow's basic-auth app (fixtures/mlflow-2.12.2-basic-auth): no login, a refused login, a missing permission.
  MLFLOW_AUTH_REQUIRED: () => ({ ev: mlflowAsksForLogin(), step: 'experiments', root: true }),
  MLFLOW_AUTH_REJECTED: () => ({ ev: mlflowRejectsLogin(), step: 'experiments', root: true }),
  MLFLOW_PERMISSION_DENIED: () => ({ ev: runCreateRefused(), step: 'run', root: true }),
  // MLflow's own 4xx that no rule knows: the fallback quotes it.
  UNEXPECTED_RESPONSE: () =>
    scenario(
      runCreateFails(
        proxied(mlflow(400, { error_code: 'INVALID_STATE', message: 'Run creation refused: simulated fault' })),
        'runs/create: 400 INVALID_STATE',
      ),
      'run',
    ),
};

// Variants used by the focused tests.
export const VARIANTS = {
  /** artifacts-misrouted-external: artifact paths go to an external load balancer; direct works. */
  misroutedExternal(): Check {
    const c = upToArtifact({ mlflowDirectUrl: 'http://mlflow.hokusai-development.local:5000' });
    // The external load balancer's plain-text 404, passed on by the API's proxy.
    const lb404 = (): Answer => ({
      status: 404,
      headers: [
        ['server', 'uvicorn'],
        ['server', 'awselb/2.0'],
        ['content-type', 'text/plain; charset=utf-8'],
      ],
      body: 'Not Found',
    });
    failedPut(c, lb404());
    listingProbe(c, lb404());
    ajaxProbe(c, lb404());
    directProbe(c, mlflow(200, {}));
    c.x({
      step: 'artifact',
      probe: 'direct-artifact',
      label: 'probe: GET direct',
      url: `http://mlflow.hokusai-development.local:5000/api/2.0/mlflow-artifacts/artifacts/${REL}/hokus-check/direct-probe.txt`,
      answer: mlflow(200, 'probe'),
    });
    return passCleanup(c);
  },
  /** The same Flask 404, but direct to MLflow it 404s too: not served. */
  notServedDirect(): Check {
    const c = upToArtifact({ mlflowDirectUrl: 'http://mlflow.hokusai-development.local:5000' });
    failedPut(c, proxied(mlflow(404, FLASK_404)));
    ajaxProbe(c, proxied(mlflow(200, {})));
    directProbe(c, mlflow(404, FLASK_404));
    return passCleanup(c);
  },
  /** The proxy's 503 ARTIFACTS_DISABLED. */
  artifactsDisabled(): Check {
    return artifactFails(
      api(503, { detail: { error: 'ARTIFACTS_DISABLED', message: 'Artifact serving is disabled' } }),
      'PUT: 503 ARTIFACTS_DISABLED',
    );
  },
  /** A plain MLflow server without --serve-artifacts. */
  plainNotServed(): Check {
    const c = new Check({ kind: 'mlflow', mlflowUrl: PLAIN, registryUrl: undefined, authUrl: undefined, mlflowPath: '' });
    c.step('auth', 'skipped', 'plain MLflow target');
    c.x({ step: 'health', label: 'GET /health', url: `${PLAIN}/health`, answer: mlflow(200, 'OK') });
    c.step('health', 'pass', 'OK');
    c.x({
      step: 'experiments',
      label: 'experiments/search',
      url: `${PLAIN}/api/2.0/mlflow/experiments/search?max_results=1`,
      answer: mlflow(200, {}),
    });
    c.step('experiments', 'pass', 'listed');
    c.x({
      step: 'run',
      label: 'runs/create',
      method: 'POST',
      url: `${PLAIN}/api/2.0/mlflow/runs/create`,
      answer: mlflow(200, { run: { info: { run_id: RUN, experiment_id: '1', artifact_uri: `mlflow-artifacts:/${REL}` } } }),
    });
    c.step('run', 'pass', 'run');
    c.x({
      step: 'artifact',
      label: 'PUT artifact',
      method: 'PUT',
      url: `${PLAIN}/api/2.0/mlflow-artifacts/artifacts/${REL}/hokus-check/probe.bin`,
      answer: mlflow(404, FLASK_404),
    });
    c.x({
      step: 'artifact',
      probe: 'artifact-listing',
      label: 'probe: list artifacts',
      url: `${PLAIN}/api/2.0/mlflow-artifacts/artifacts?path=${REL}`,
      answer: mlflow(404, FLASK_404),
    });
    c.step('artifact', 'fail', 'PUT: 404');
    c.step('register', 'blocked', 'blocked by artifact');
    return c.step('cleanup', 'pass', 'deleted');
  },
  /** Without an auth URL the registry's own 401 tells. */
  registryRejectsKey(): Check {
    return experimentsFails(api(401, { detail: 'Invalid or expired API key' }), '401 Invalid or expired API key', false);
  },
  /** Auth accepts our service_id but the API (validating with its own) rejects the key. */
  apiUsesOtherServiceId(): Check {
    return experimentsFails(api(401, { detail: 'Invalid or expired API key' }), '401 Invalid or expired API key');
  },
  /** auth-down as the API reports it (503, and 401 before June 2026). */
  apiSaysAuthDown(status: 503 | 401): Check {
    const detail = status === 503 ? 'Authentication service error' : 'Authentication service unavailable';
    return experimentsFails(api(status, { detail }, status === 503 ? [['retry-after', '1']] : []), `${status} ${detail}`, false);
  },
  proxyNotMountedAtLb(): Check {
    return experimentsFails(albText404(), '404 but not JSON (text/plain)');
  },
  upstreamUnreachableHealthPasses(): Check {
    return experimentsFails(api(502, { detail: 'Failed to connect to MLflow server at http://10.0.3.219:5000.' }), '502');
  },
  /** Auth answers us, yet the API says it cannot reach it. */
  apiCannotReachAuth(): Check {
    return experimentsFails(api(503, { detail: 'Authentication service timeout' }), '503 Authentication service timeout');
  },
  connectTimeout(): Check {
    const c = new Check();
    c.x({
      step: 'auth',
      label: 'validate',
      method: 'POST',
      url: VALIDATE,
      error: { kind: 'connect-timeout', code: 'UND_ERR_CONNECT_TIMEOUT', message: 'connect timeout', phase: 'connect' },
      ms: 10000,
    });
    c.step('auth', 'error', 'connect-timeout');
    passHealth(c);
    return c;
  },
  pendingForever(): Check {
    return registerEndsIn('PENDING_REGISTRATION');
  },
  ajaxBase: AJAX_ART,
};
