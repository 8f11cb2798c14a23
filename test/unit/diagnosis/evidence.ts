// Builders for hand-made evidence: answers shaped like the real components (bodies copied verbatim
// from fixtures/mlflow-2.12.2 where MLflow speaks), exchanges, step results, and whole checks.
import type { Exchange, ExchangeError, Header, Timings } from '../../../src/http/types.js';
import type { Evidence } from '../../../src/diagnosis/types.js';
import { checkExchanges } from '../../../src/diagnosis/evidence-query.js';
import {
  NOT_RUN,
  STEP_IDS,
  type CheckState,
  type StepId,
  type StepResult,
  type StepFailure,
  type StepStatus,
  type StopCause,
  type Target,
} from '../../../src/steps/types.js';

export const REGISTRY = 'https://registry.example.test';
export const AUTH = 'https://auth.example.test';
export const BASE = `${REGISTRY}/api/mlflow`;
export const REST = `${BASE}/api/2.0/mlflow`;
export const ART = `${BASE}/api/2.0/mlflow-artifacts/artifacts`;
export const AJAX_ART = `${BASE}/ajax-api/2.0/mlflow-artifacts/artifacts`;
export const DIRECT = 'http://mlflow.hokusai-development.local:5000';
export const PLAIN = 'http://127.0.0.1:5055';

export const CHECK_ID = 'c0ffee123456';
export const EXP = '1';
export const RUN = '889bd0b9dc06489091d46ac695b921ad';
export const REL = `${EXP}/${RUN}/artifacts`;
export const MODEL = `hokus-check-${CHECK_ID}`;

// Verbatim from fixtures/mlflow-2.12.2/transcript.jsonl.
export const FLASK_404 =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';
export const FLASK_405 =
  '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n';
export const MLFLOW_NO_EXPERIMENT =
  '{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Could not find experiment with name \'fixture-experiment\'"}';
export const MLFLOW_MISSING_NAME =
  '{"error_code": "INVALID_PARAMETER_VALUE", "message": "Missing value for required parameter \'name\'. See the API docs for more information about request parameters."}';
const FIXTURE_DATE = 'Fri, 27 Nov 2026 01:43:14 GMT';

export interface Answer {
  status: number;
  headers: Header[];
  body: string;
}

/** MLflow (gunicorn) as the fixtures show it: JSON for objects, text/html for strings. */
export function mlflow(status: number, body: string | object): Answer {
  const json = typeof body !== 'string' || body.startsWith('{');
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  return {
    status,
    headers: [
      ['Server', 'gunicorn'],
      ['Date', FIXTURE_DATE],
      ['Connection', 'close'],
      ['Content-Type', json ? 'application/json' : 'text/html; charset=utf-8'],
      ['Content-Length', String(Buffer.byteLength(text))],
    ],
    body: text,
  };
}

/** An upstream answer passed through the API's proxy: uvicorn's own server/date come first. */
export function proxied(upstream: Answer): Answer {
  return {
    status: upstream.status,
    headers: [['server', 'uvicorn'], ['date', FIXTURE_DATE], ...upstream.headers.filter(([n]) => n.toLowerCase() !== 'content-length')],
    body: upstream.body,
  };
}

/** The API (FastAPI on uvicorn) answering itself. */
export function api(status: number, body: object, extra: Header[] = []): Answer {
  return { status, headers: [['server', 'uvicorn'], ['content-type', 'application/json'], ...extra], body: JSON.stringify(body) };
}

/** The auth service (FastAPI on uvicorn). */
export function auth(status: number, body: object, extra: Header[] = []): Answer {
  return api(status, body, extra);
}

const STATUS_TEXT: Record<number, string> = {
  413: 'Request Entity Too Large',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The HTML error page the ALB and nginx share; nginx signs it with its version under a rule. */
function errorPage(status: number, server: string, signed: boolean): Answer {
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  const signature = signed ? `<hr><center>${server}</center>\r\n` : '';
  return {
    status,
    headers: [
      ['server', server],
      ['content-type', 'text/html'],
    ],
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n${signature}</body>\r\n</html>\r\n`,
  };
}

export function albPage(status: number): Answer {
  return errorPage(status, 'awselb/2.0', false);
}

export function albText404(): Answer {
  return {
    status: 404,
    headers: [
      ['server', 'awselb/2.0'],
      ['content-type', 'text/plain; charset=utf-8'],
    ],
    body: 'Not Found',
  };
}

export function nginxPage(status: number): Answer {
  return errorPage(status, 'nginx/1.25.3', true);
}

/** MLflow's gateway (a second uvicorn behind the API's proxy) refusing a request that lost its key. */
export function gatewayKeyRequired(): Answer {
  return {
    status: 401,
    headers: [
      ['server', 'uvicorn'],
      ['server', 'uvicorn'],
      ['content-type', 'application/json'],
    ],
    body: '{"detail":"API key required"}',
  };
}

export function text(status: number, body: string, headers: Header[] = []): Answer {
  return { status, headers: [['content-type', 'text/plain'], ...headers], body };
}

export interface XSpec {
  step: StepId;
  label: string;
  method?: string;
  url: string;
  probe?: string;
  answer?: Answer;
  error?: ExchangeError;
  reqBody?: string | object;
  reqSize?: number;
  retried?: boolean;
  ms?: number;
}

/** A whole check, built step by step. */
export class Check {
  target: Target;
  exchanges: Exchange[] = [];
  steps: StepResult[] = [];
  state: CheckState;
  keyHadWhitespace = false;

  constructor(target: Partial<Target> = {}) {
    this.target = {
      name: 'staging',
      kind: 'hokusai',
      registryUrl: REGISTRY,
      authUrl: AUTH,
      mlflowPath: '/api/mlflow',
      serviceId: 'platform',
      apiKeyEnv: 'HOKUSAI_API_KEY',
      ...target,
    };
    this.state = { checkId: CHECK_ID, created: { artifactPaths: [], artifactDirs: [], modelVersions: [] } };
  }

  /** Records one exchange; returns it (ids are x1, x2, … in order). */
  x(spec: XSpec): Exchange {
    const ms = spec.ms ?? 12;
    const timings: Timings = { blocked: 0, dns: -1, connect: -1, ssl: -1, send: 1, wait: ms - 3, receive: 2, total: ms };
    const reqBody = spec.reqBody === undefined ? undefined : typeof spec.reqBody === 'string' ? spec.reqBody : JSON.stringify(spec.reqBody);
    const x: Exchange = {
      id: `x${this.exchanges.length + 1}`,
      step: spec.step,
      label: spec.label,
      attempt: 1,
      startedAt: new Date(Date.UTC(2026, 2, 14, 9, 0, this.exchanges.length)).toISOString(),
      request: {
        method: spec.method ?? 'GET',
        url: spec.url,
        headers: [['authorization', 'Bearer hk_test_…abcd']],
        ...(reqBody !== undefined ? { bodyExcerpt: reqBody, bodySize: Buffer.byteLength(reqBody) } : {}),
        ...(spec.reqSize !== undefined ? { bodySize: spec.reqSize } : {}),
      },
      timings,
    };
    if (spec.probe) x.probe = spec.probe;
    if (spec.retried) x.retried = true;
    if (spec.answer) {
      const a = spec.answer;
      const contentType = a.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1];
      x.response = {
        status: a.status,
        headers: a.headers,
        ...(contentType ? { contentType } : {}),
        bodyExcerpt: a.body,
        bodySize: Buffer.byteLength(a.body),
        truncated: false,
      };
    } else {
      x.error = spec.error ?? { kind: 'other', message: 'no answer' };
    }
    this.exchanges.push(x);
    return x;
  }

  step(id: StepId, status: StepStatus, detail = '', notes: string[] = [], failure?: StepFailure): this {
    this.steps = this.steps.filter((s) => s.id !== id);
    this.steps.push({ id, status, durationMs: 10, detail, notes, rootCause: false, exchangeIds: [], ...(failure ? { failure } : {}) });
    return this;
  }

  /** A step the runner did not start because the check was stopped (src/steps/dag.ts). */
  notRun(id: StepId, cause: StopCause): this {
    this.steps = this.steps.filter((s) => s.id !== id);
    this.steps.push({
      id,
      status: 'error',
      durationMs: 0,
      detail: NOT_RUN[cause],
      notes: [],
      rootCause: false,
      exchangeIds: [],
      stopped: cause,
    });
    return this;
  }

  /** The evidence, with exchange ids per step and the runner's root-cause mark filled in. */
  evidence(): Evidence {
    const steps = STEP_IDS.map((id) => this.steps.find((s) => s.id === id)).filter((s): s is StepResult => s !== undefined);
    for (const s of steps) {
      s.exchangeIds = this.exchanges.filter((x) => x.step === s.id).map((x) => x.id);
      s.rootCause = false;
    }
    const root = steps.find((s) => s.status === 'fail' || s.status === 'error');
    if (root) root.rootCause = true;
    return {
      target: this.target,
      steps,
      exchanges: checkExchanges(this.exchanges),
      state: this.state,
      keyHadWhitespace: this.keyHadWhitespace,
    };
  }
}

// ---- the passing steps, to compose scenarios from -------------------------------------------

export function passAuth(c: Check): Check {
  c.x({
    step: 'auth',
    label: 'validate',
    method: 'POST',
    url: `${AUTH}/api/v1/keys/validate`,
    reqBody: { service_id: 'platform' },
    answer: auth(200, { is_valid: true, key_id: 'k1', service_id: 'platform', scopes: ['read', 'write'] }),
  });
  c.state.scopes = ['read', 'write'];
  return c.step('auth', 'pass', 'key valid for platform');
}

/** The health step's GET /health, answered with `answer`. */
export function getHealth(c: Check, answer: Answer): Exchange {
  return c.x({ step: 'health', label: 'GET /health', url: `${REGISTRY}/health`, answer });
}

export function passHealth(c: Check, services: Record<string, unknown> = { api: 'healthy', mlflow: 'healthy' }): Check {
  const degraded = Object.values(services).some((v) => v !== 'healthy');
  getHealth(c, api(200, { status: degraded ? 'degraded' : 'healthy', services }));
  c.x({ step: 'health', label: 'GET /api/health/mlflow', url: `${REGISTRY}/api/health/mlflow`, answer: api(200, { status: 'ok' }) });
  return c.step('health', degraded ? 'warn' : 'pass', degraded ? 'degraded' : 'healthy');
}

/**
 * The health step when the API's own MLflow check fails: /health 200, /api/health/mlflow 503 quoting
 * what MLflow answered the API (as the API's health_mlflow route words it).
 */
export function failHealthQuoting(
  c: Check,
  mlflowStatus: number,
  mlflowBody: string,
  services: Record<string, unknown> = { api: 'healthy', mlflow: 'healthy' },
): Exchange {
  const degraded = Object.values(services).some((v) => v !== 'healthy');
  getHealth(c, api(200, { status: degraded ? 'degraded' : 'healthy', services }));
  const x = c.x({
    step: 'health',
    label: 'GET /api/health/mlflow',
    url: `${REGISTRY}/api/health/mlflow`,
    answer: api(503, {
      status: 'error',
      tracking_uri: 'http://mlflow.hokusai-development.local:5000/mlflow',
      latency_ms: 3.2,
      sample_model: null,
      error_type: 'MlflowException',
      error: `API request to endpoint /api/2.0/mlflow/registered-models/search failed with error code ${mlflowStatus} != 200. Response body: '${mlflowBody}'`,
    }),
  });
  c.step(
    'health',
    'fail',
    `/api/health/mlflow: 503 API request to endpoint /api/2.0/mlflow/registered-models/search failed with error code ${mlflowStatus} != 200`,
  );
  return x;
}

export const SEARCH_URL = `${REST}/experiments/search?max_results=1`;

/** The experiments step's experiments/search, answered or failed as `spec` says. */
export function search(c: Check, spec: Omit<XSpec, 'step' | 'label' | 'url'>): Exchange {
  return c.x({ step: 'experiments', label: 'experiments/search', url: SEARCH_URL, ...spec });
}

export function passExperiments(c: Check): Exchange {
  const x = search(c, { answer: proxied(mlflow(200, {})) });
  c.step('experiments', 'pass', 'listed (none yet)');
  return x;
}

/** The run step's experiments/get-by-name, answered with the experiment. */
export function getExperiment(c: Check): Exchange {
  return c.x({
    step: 'run',
    label: 'experiments/get-by-name',
    url: `${REST}/experiments/get-by-name?experiment_name=hokus-check`,
    answer: proxied(mlflow(200, { experiment: { experiment_id: EXP, name: 'hokus-check' } })),
  });
}

/** The run step's runs/create, answered with `answer`. */
export function createRun(c: Check, answer: Answer, reqBody?: object): Exchange {
  return c.x({ step: 'run', label: 'runs/create', method: 'POST', url: `${REST}/runs/create`, ...(reqBody ? { reqBody } : {}), answer });
}

export function passRun(c: Check, artifactUri = `mlflow-artifacts:/${REL}`): Check {
  getExperiment(c);
  createRun(c, proxied(mlflow(200, { run: { info: { run_id: RUN, experiment_id: EXP, artifact_uri: artifactUri } } })), {
    experiment_id: EXP,
  });
  Object.assign(c.state, { experimentId: EXP, runId: RUN, artifactUri });
  c.state.created.experimentId = EXP;
  c.state.created.runId = RUN;
  const bypass = !artifactUri.startsWith('mlflow-artifacts:');
  return c.step('run', bypass ? 'warn' : 'pass', bypass ? 'artifact_uri bypasses the proxy' : `run ${RUN.slice(0, 8)}…`);
}

export const ARTIFACT_URL = `${ART}/${REL}/hokus-check/probe-${CHECK_ID}.bin`;

/** The artifact step's PUT of its file (1 KiB unless told), answered with `answer` (200 unless told). */
export function putArtifact(c: Check, answer: Answer = proxied(mlflow(200, {})), reqSize = 1024): Exchange {
  return c.x({ step: 'artifact', label: 'PUT artifact', method: 'PUT', url: ARTIFACT_URL, reqSize, answer });
}

/** The artifact step's GET of its file back, answered with `answer` after `ms` (12 unless told). */
export function getArtifact(c: Check, answer: Answer, ms?: number): Exchange {
  return c.x({ step: 'artifact', label: 'GET artifact', url: ARTIFACT_URL, answer, ...(ms === undefined ? {} : { ms }) });
}

/** MLflow's artifact download through the API's proxy: the file's bytes as octet-stream. */
export function mlflowDownload(body: string, extra: Header[] = []): Answer {
  return proxied({
    status: 200,
    headers: [['Server', 'gunicorn'], ['Content-Type', 'application/octet-stream'], ...extra],
    body,
  });
}

export function passArtifact(c: Check): Check {
  putArtifact(c);
  c.state.created.artifactDirs.push({ base: ART, path: `${REL}/hokus-check`, withKey: true });
  getArtifact(c, mlflowDownload('', [['Content-Disposition', 'attachment; filename=x.bin']]));
  c.x({
    step: 'artifact',
    label: 'list artifacts',
    url: `${ART}?path=${REL}/hokus-check`,
    answer: proxied(mlflow(200, { files: [{ path: `probe-${CHECK_ID}.bin`, is_dir: false, file_size: 1024 }] })),
  });
  return c.step('artifact', 'pass', '1 KiB round-trip, sha256 matches');
}

/** The register step's registered-models/create, answered with the model. */
export function createRegisteredModel(c: Check): Exchange {
  return c.x({
    step: 'register',
    label: 'registered-models/create',
    method: 'POST',
    url: `${REST}/registered-models/create`,
    answer: proxied(mlflow(200, { registered_model: { name: MODEL } })),
  });
}

export function passRegister(c: Check): Check {
  createRegisteredModel(c);
  c.x({
    step: 'register',
    label: 'model-versions/create',
    method: 'POST',
    url: `${REST}/model-versions/create`,
    answer: proxied(mlflow(200, { model_version: { name: MODEL, version: '1', status: 'READY' } })),
  });
  c.state.created.modelName = MODEL;
  c.state.created.modelVersions.push('1');
  Object.assign(c.state, { modelName: MODEL, modelVersion: '1' });
  return c.step('register', 'pass', `${MODEL} v1 READY`);
}

// ---- cleanup's deletes, each answered with 200 unless told ------------------------------------

export function deleteModelVersion(c: Check, answer: Answer = proxied(mlflow(200, {}))): Exchange {
  return c.x({
    step: 'cleanup',
    label: 'model-versions/delete',
    method: 'DELETE',
    url: `${REST}/model-versions/delete`,
    reqBody: { name: MODEL, version: '1' },
    answer,
  });
}

export function deleteRegisteredModel(c: Check, answer: Answer = proxied(mlflow(200, {}))): Exchange {
  return c.x({
    step: 'cleanup',
    label: 'registered-models/delete',
    method: 'DELETE',
    url: `${REST}/registered-models/delete`,
    reqBody: { name: MODEL },
    answer,
  });
}

/** DELETE of an artifact directory the check made (`c.state.created.artifactDirs`). */
export function deleteArtifacts(c: Check, dir: { base: string; path: string }, answer: Answer = proxied(mlflow(200, {}))): Exchange {
  return c.x({ step: 'cleanup', label: 'DELETE artifacts', method: 'DELETE', url: `${dir.base}/${dir.path}`, answer });
}

export function deleteRun(c: Check, answer: Answer = proxied(mlflow(200, {}))): Exchange {
  return c.x({ step: 'cleanup', label: 'runs/delete', method: 'POST', url: `${REST}/runs/delete`, reqBody: { run_id: RUN }, answer });
}

export function passCleanup(c: Check): Check {
  if (c.state.created.modelName) {
    deleteModelVersion(c);
    deleteRegisteredModel(c);
  }
  for (const d of c.state.created.artifactDirs) deleteArtifacts(c, d);
  if (c.state.created.runId) deleteRun(c);
  return c.step('cleanup', 'pass', 'deleted');
}

/** Everything passes. */
export function healthyCheck(): Check {
  const c = upToExperiments();
  passExperiments(c);
  passRun(c);
  passArtifact(c);
  passRegister(c);
  return passCleanup(c);
}

/** Auth and health passing: the setting of every experiments fault. */
export function upToExperiments(target: Partial<Target> = {}): Check {
  const c = new Check(target);
  passAuth(c);
  passHealth(c);
  return c;
}

/** experiments/search fails on `error` (after `ms`), and the step errs with it. */
export function searchErrs(c: Check, error: ExchangeError, ms?: number): Exchange {
  const x = search(c, { error, ...(ms === undefined ? {} : { ms }) });
  c.step('experiments', 'error', `${error.kind}: ${error.message}`);
  return x;
}

/** experiments/search fails on `error`, tried twice (the first try marked retried); returns both tries. */
export function searchFailsTwice(c: Check, error: ExchangeError): Exchange[] {
  return [search(c, { error, retried: true }), search(c, { error })];
}

/** The steps from `step` on to register blocked by `step`'s failure, and cleanup with nothing to delete. */
export function blockedBy(c: Check, step: 'experiments' | 'run'): Check {
  for (const id of STEP_IDS.slice(STEP_IDS.indexOf(step) + 1, STEP_IDS.indexOf('cleanup'))) c.step(id, 'blocked', `blocked by ${step}`);
  return c.step('cleanup', 'pass', 'nothing to delete');
}

/** Up to the artifact step, all passing: the setting of every artifact fault. */
export function upToArtifact(target: Partial<Target> = {}, services?: Record<string, unknown>): Check {
  const c = new Check(target);
  passAuth(c);
  passHealth(c, services);
  passExperiments(c);
  return passRun(c);
}

/** The artifact PUT through the proxy fails with `answer`; register blocked; cleanup passes. */
export function failedPut(c: Check, answer: Answer, detail = `PUT: ${answer.status}`): Exchange {
  const put = putArtifact(c, answer);
  c.step('artifact', 'fail', detail);
  c.step('register', 'blocked', 'blocked by artifact');
  return put;
}

export function listingProbe(c: Check, answer: Answer): Exchange {
  return c.x({ step: 'artifact', probe: 'artifact-listing', label: 'probe: list artifacts', url: `${ART}?path=${REL}`, answer });
}

export function ajaxProbe(c: Check, answer: Answer): Exchange {
  return c.x({
    step: 'artifact',
    probe: 'ajax-artifact',
    label: 'probe: PUT via ajax-api',
    method: 'PUT',
    url: `${AJAX_ART}/${REL}/hokus-check/ajax-probe-${CHECK_ID}.txt`,
    answer,
  });
}

export function directProbe(c: Check, answer: Answer): Exchange {
  return c.x({
    step: 'artifact',
    probe: 'direct-artifact',
    label: 'probe: PUT direct',
    method: 'PUT',
    url: `${DIRECT}/api/2.0/mlflow-artifacts/artifacts/${REL}/hokus-check/direct-probe-${CHECK_ID}.txt`,
    answer,
  });
}

/**
 * THE INCIDENT: MLflow runs with --static-prefix /mlflow, the proxy rewrites api/2.0/mlflow/ to
 * ajax-api but not mlflow-artifacts, so the artifact PUT gets Flask's HTML 404 through the proxy,
 * while the same PUT via ajax-api works; /health says mlflow is unhealthy.
 */
export function incident(): { check: Check; search: Exchange; put: Exchange; ajax: Exchange } {
  const c = new Check();
  passAuth(c);
  passHealth(c, { api: 'healthy', mlflow: 'unhealthy' });
  const search = passExperiments(c);
  passRun(c);
  const put = failedPut(c, proxied(mlflow(404, FLASK_404)), 'PUT: 404 but not JSON (text/html; charset=utf-8)');
  listingProbe(c, proxied(mlflow(404, FLASK_404)));
  const ajax = ajaxProbe(c, proxied(mlflow(200, {})));
  c.state.created.artifactDirs.push({ base: AJAX_ART, path: `${REL}/hokus-check`, withKey: true });
  passCleanup(c);
  return { check: c, search, put, ajax };
}
