// A realistic two-target check for the reporter tests: `staging` passes; `prod` has the incident
// (artifact PUT through the proxy gets MLflow's Flask HTML 404 → ROUTE_ARTIFACTS_MISROUTED, register
// blocked by artifact, cleanup passes) plus a degraded health warning, a retried transport error,
// multi-valued headers and a URL whose key was masked by the HTTP layer.
import { annotate } from '../../../src/diagnosis/fingerprint.js';
import { randomBytes } from 'node:crypto';
import type { Exchange, Header, Timings } from '../../../src/http/types.js';
import type { Responder } from '../../../src/diagnosis/profiles/index.js';
import type { Finding } from '../../../src/diagnosis/types.js';
import type { CheckResult, StepId, StepResult, StepStatus, Target } from '../../../src/steps/types.js';
import { buildReport } from '../../../src/report/build.js';
import type { Report } from '../../../src/report/schema.js';

/** A fresh fake key per run: never a literal that looks like a real one. */
export const RAW_KEY = `hk_test_${randomBytes(18).toString('base64url')}`;
export const MASKED_KEY = `hk_test_…${RAW_KEY.slice(-4)}`;

export const FLASK_404 =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';

const START = Date.parse('2026-03-14T09:26:53.000Z');

interface XSpec {
  step: StepId;
  label: string;
  method: string;
  url: string;
  probe?: string;
  reqBody?: string;
  reqHeaders?: Header[];
  status?: number;
  statusText?: string;
  contentType?: string;
  resHeaders?: Header[];
  body?: string;
  error?: Exchange['error'];
  ms?: number;
  chain?: Responder[];
  attempt?: number;
  retried?: boolean;
}

function makeExchanges(specs: XSpec[], startMs: number): Exchange[] {
  let clock = startMs;
  return specs.map((s, i): Exchange => {
    const ms = s.ms ?? 10 + i;
    const started = clock;
    clock += ms + 1;
    const timings: Timings = s.error
      ? { blocked: 0, dns: 1, connect: ms - 1, ssl: -1, send: 0, wait: 0, receive: 0, total: ms }
      : { blocked: 0, dns: -1, connect: -1, ssl: -1, send: 1, wait: ms - 3, receive: 2, total: ms };
    const chain = s.chain;
    const x: Exchange = {
      id: `x${i + 1}`,
      step: s.step,
      ...(s.probe ? { probe: s.probe } : {}),
      label: s.label,
      attempt: s.attempt ?? 1,
      startedAt: new Date(started).toISOString(),
      request: {
        method: s.method,
        url: s.url,
        headers: [
          ['user-agent', 'hokus-check/0.1.0'],
          ['authorization', `Bearer ${MASKED_KEY}`],
          ...(s.reqBody !== undefined ? ([['content-type', 'application/json']] as Header[]) : []),
          ...(s.reqHeaders ?? []),
        ],
        ...(s.reqBody !== undefined ? { bodyExcerpt: s.reqBody, bodySize: Buffer.byteLength(s.reqBody) } : {}),
      },
      ...(s.error
        ? { error: s.error }
        : {
            response: {
              status: s.status ?? 200,
              ...(s.statusText ? { statusText: s.statusText } : {}),
              headers: [
                ...(s.resHeaders ?? []),
                ['content-type', s.contentType ?? 'application/json'],
                ['content-length', String(Buffer.byteLength(s.body ?? '{}'))],
              ],
              contentType: s.contentType ?? 'application/json',
              bodyExcerpt: s.body ?? '{}',
              bodySize: Buffer.byteLength(s.body ?? '{}'),
              truncated: false,
            },
          }),
      timings,
      ...(s.retried ? { retried: true } : {}),
    };
    // Who answered, as the diagnosis would have annotated it.
    if (chain !== undefined && chain.length > 0)
      annotate(x, {
        responder: chain[chain.length - 1]!,
        chain,
        writer: 'service',
        behind: 'mlflow',
        basis: 'test fixture',
        sure: 'certain',
      });
    return x;
  });
}

function step(
  id: StepId,
  status: StepStatus,
  durationMs: number,
  detail: string,
  exchangeIds: string[],
  extra: Partial<StepResult> = {},
): StepResult {
  return { id, status, durationMs, detail, notes: [], rootCause: false, exchangeIds, ...extra };
}

// Two `server` headers: the API's uvicorn wrapping MLflow's gunicorn reply.
const PROXIED: Header[] = [
  ['server', 'uvicorn'],
  ['server', 'gunicorn'],
];
const VIA_PROXY: Responder[] = ['hokusai-api', 'mlflow'];

/** The key accepted by the auth service. */
function validated(t: Target): XSpec {
  return {
    step: 'auth',
    label: 'validate',
    method: 'POST',
    url: `${t.authUrl}/api/v1/keys/validate`,
    reqBody: '{"service_id":"platform"}',
    body: '{"is_valid":true,"key_id":"5cc9","scopes":["read","write"]}',
    chain: ['hokusai-auth'],
  };
}

/** experiments/search through the API's proxy: none listed. */
function listed(rest: string): XSpec {
  return {
    step: 'experiments',
    label: 'experiments/search',
    method: 'GET',
    url: `${rest}/experiments/search?max_results=1`,
    body: '{}',
    resHeaders: PROXIED,
    chain: VIA_PROXY,
  };
}

/** experiments/get-by-name through the API's proxy: experiment 1. */
function experimentFound(rest: string): XSpec {
  return {
    step: 'run',
    label: 'experiments/get-by-name',
    method: 'GET',
    url: `${rest}/experiments/get-by-name?experiment_name=hokus-check`,
    body: '{"experiment":{"experiment_id":"1"}}',
    resHeaders: PROXIED,
    chain: VIA_PROXY,
  };
}

function target(name: string, host: string): Target {
  return {
    name,
    kind: 'hokusai',
    registryUrl: `https://registry.${host}`,
    authUrl: `https://auth.${host}`,
    mlflowPath: '/api/mlflow',
    mlflowDirectUrl: `http://mlflow.${host}:5000`,
    serviceId: 'platform',
    apiKeyEnv: 'HOKUSAI_API_KEY',
  };
}

function passingCheck(): CheckResult {
  const t = target('staging', 'staging.example.test');
  const rest = `${t.registryUrl}/api/mlflow/api/2.0/mlflow`;
  const art = `${t.registryUrl}/api/mlflow/api/2.0/mlflow-artifacts/artifacts`;
  const runPath = '1/0a1b2c3d4e5f/artifacts/hokus-check';
  const exchanges = makeExchanges(
    [
      validated(t),
      {
        step: 'health',
        label: 'GET /health',
        method: 'GET',
        url: `${t.registryUrl}/health`,
        body: '{"status":"healthy","services":{"api":"healthy"}}',
        resHeaders: [['server', 'uvicorn']],
        chain: ['hokusai-api'],
      },
      {
        step: 'health',
        label: 'GET /api/health/mlflow',
        method: 'GET',
        url: `${t.registryUrl}/api/health/mlflow`,
        body: '{"status":"ok"}',
        chain: ['hokusai-api'],
      },
      listed(rest),
      experimentFound(rest),
      {
        step: 'run',
        label: 'runs/create',
        method: 'POST',
        url: `${rest}/runs/create`,
        reqBody: '{"experiment_id":"1"}',
        body: '{"run":{"info":{"run_id":"0a1b2c3d4e5f"}}}',
        resHeaders: PROXIED,
        chain: VIA_PROXY,
      },
      {
        step: 'artifact',
        label: 'PUT artifact',
        method: 'PUT',
        url: `${art}/${runPath}/probe-c0ffee01.bin`,
        body: '{}',
        resHeaders: PROXIED,
        chain: VIA_PROXY,
        ms: 48,
      },
      {
        step: 'artifact',
        label: 'GET artifact',
        method: 'GET',
        url: `${art}/${runPath}/probe-c0ffee01.bin`,
        contentType: 'application/octet-stream',
        body: '',
        chain: VIA_PROXY,
        ms: 35,
      },
      {
        step: 'artifact',
        label: 'list artifacts',
        method: 'GET',
        url: `${art}?path=${runPath}`,
        body: '{"files":[{"path":"probe-c0ffee01.bin","is_dir":false,"file_size":65536}]}',
        chain: VIA_PROXY,
      },
      {
        step: 'register',
        label: 'registered-models/create',
        method: 'POST',
        url: `${rest}/registered-models/create`,
        reqBody: '{"name":"hokus-check-c0ffee01"}',
        body: '{"registered_model":{}}',
        chain: VIA_PROXY,
      },
      {
        step: 'register',
        label: 'model-versions/create',
        method: 'POST',
        url: `${rest}/model-versions/create`,
        reqBody: '{"name":"hokus-check-c0ffee01"}',
        body: '{"model_version":{"version":"1","status":"READY"}}',
        chain: VIA_PROXY,
      },
      {
        step: 'cleanup',
        label: 'model-versions/delete',
        method: 'DELETE',
        url: `${t.mlflowDirectUrl}/api/2.0/mlflow/model-versions/delete`,
        reqBody: '{"name":"hokus-check-c0ffee01","version":"1"}',
        chain: ['mlflow'],
      },
      {
        step: 'cleanup',
        label: 'registered-models/delete',
        method: 'DELETE',
        url: `${t.mlflowDirectUrl}/api/2.0/mlflow/registered-models/delete`,
        reqBody: '{"name":"hokus-check-c0ffee01"}',
        chain: ['mlflow'],
      },
      { step: 'cleanup', label: 'DELETE artifacts', method: 'DELETE', url: `${art}/${runPath}`, chain: VIA_PROXY },
      {
        step: 'cleanup',
        label: 'runs/delete',
        method: 'POST',
        url: `${rest}/runs/delete`,
        reqBody: '{"run_id":"0a1b2c3d4e5f"}',
        chain: VIA_PROXY,
      },
    ],
    START,
  );
  const steps = [
    step('auth', 'pass', 41, '200 key valid for platform (read, write)', ['x1']),
    step('health', 'pass', 30, '200 healthy', ['x2', 'x3']),
    step('experiments', 'pass', 16, '200 experiments/search', ['x4']),
    step('run', 'pass', 36, 'run 0a1b… created in experiment 1', ['x5', 'x6']),
    step('artifact', 'pass', 104, '64 KiB written and read back, sha256 matches', ['x7', 'x8', 'x9']),
    step('register', 'pass', 38, 'hokus-check-c0ffee01 v1 READY', ['x10', 'x11']),
    step('cleanup', 'pass', 64, 'removed model, version, artifacts, run', ['x12', 'x13', 'x14', 'x15']),
  ];
  return {
    target: t,
    checkId: 'c0ffee01',
    startedAt: new Date(START).toISOString(),
    durationMs: 331.6,
    steps,
    exchanges,
    findings: [],
    interrupted: false,
    leftovers: [],
    insecure: false,
    keyMasked: MASKED_KEY,
  };
}

function incidentCheck(): CheckResult {
  const t = target('prod', 'example.test');
  const rest = `${t.registryUrl}/api/mlflow/api/2.0/mlflow`;
  const art = `${t.registryUrl}/api/mlflow/api/2.0/mlflow-artifacts/artifacts`;
  const ajax = `${t.registryUrl}/api/mlflow/ajax-api/2.0/mlflow-artifacts/artifacts`;
  const runPath = '1/9f8e7d6c5b4a/artifacts/hokus-check';
  const exchanges = makeExchanges(
    [
      /* x1 */ validated(t),
      /* x2 */ {
        step: 'health',
        label: 'GET /health',
        method: 'GET',
        url: `${t.registryUrl}/health`,
        error: { kind: 'reset', code: 'ECONNRESET', message: 'read ECONNRESET\nsocket hang up', phase: 'headers' },
        retried: true,
      },
      /* x3 */ {
        step: 'health',
        label: 'GET /health',
        method: 'GET',
        url: `${t.registryUrl}/health`,
        attempt: 2,
        body: '{"status":"degraded","services":{"api":"healthy","mlflow":"unhealthy"}}',
        resHeaders: [['server', 'uvicorn']],
        chain: ['hokusai-api'],
      },
      /* x4 */ {
        step: 'health',
        label: 'GET /api/health/mlflow',
        method: 'GET',
        url: `${t.registryUrl}/api/health/mlflow?api_key=hk_…${RAW_KEY.slice(-4)}`,
        status: 404,
        statusText: 'Not Found',
        body: '{"detail":"Not Found"}',
        chain: ['hokusai-api'],
      },
      /* x5 */ listed(rest),
      /* x6 */ experimentFound(rest),
      /* x7 */ {
        step: 'run',
        label: 'runs/create',
        method: 'POST',
        url: `${rest}/runs/create`,
        reqBody: '{"experiment_id":"1","run_name":"hokus-check-deadbeef"}',
        body: '{"run":{"info":{"run_id":"9f8e7d6c5b4a","artifact_uri":"mlflow-artifacts:/1/9f8e7d6c5b4a/artifacts"}}}',
        resHeaders: PROXIED,
        chain: VIA_PROXY,
      },
      /* x8 */ {
        step: 'artifact',
        label: 'PUT artifact',
        method: 'PUT',
        url: `${art}/${runPath}/probe-deadbeef.bin`,
        status: 404,
        statusText: 'NOT FOUND',
        contentType: 'text/html; charset=utf-8',
        body: FLASK_404,
        resHeaders: PROXIED,
        chain: VIA_PROXY,
        ms: 404,
      },
      /* x9 */ {
        step: 'artifact',
        probe: 'artifact-listing',
        label: 'probe: list artifacts',
        method: 'GET',
        url: `${art}?path=1/9f8e7d6c5b4a/artifacts`,
        status: 404,
        contentType: 'text/html; charset=utf-8',
        body: FLASK_404,
        resHeaders: PROXIED,
        chain: VIA_PROXY,
      },
      /* x10 */ {
        step: 'artifact',
        probe: 'ajax-artifact',
        label: 'probe: PUT via ajax-api',
        method: 'PUT',
        url: `${ajax}/${runPath}/ajax-probe-deadbeef.txt`,
        body: '{}',
        resHeaders: PROXIED,
        chain: VIA_PROXY,
      },
      /* x11 */ {
        step: 'artifact',
        probe: 'direct-artifact',
        label: 'probe: PUT direct',
        method: 'PUT',
        url: `${t.mlflowDirectUrl}/api/2.0/mlflow-artifacts/artifacts/${runPath}/direct-probe-deadbeef.txt`,
        body: '{}',
        resHeaders: [['server', 'gunicorn']],
        chain: ['mlflow'],
      },
      /* x12 */ { step: 'cleanup', label: 'DELETE artifacts', method: 'DELETE', url: `${ajax}/${runPath}`, chain: VIA_PROXY },
      /* x13 */ {
        step: 'cleanup',
        label: 'runs/delete',
        method: 'POST',
        url: `${rest}/runs/delete`,
        reqBody: '{"run_id":"9f8e7d6c5b4a"}',
        chain: VIA_PROXY,
      },
    ],
    START + 5,
  );
  const misrouted: Finding = {
    code: 'ROUTE_ARTIFACTS_MISROUTED',
    title: 'Artifact requests are routed to the wrong upstream',
    severity: 'error',
    step: 'artifact',
    cause:
      'Tracking calls pass through the /api/mlflow proxy, but the artifact PUT got a Flask HTML 404 from MLflow via hokusai-api, while the same PUT via ajax-api and direct to MLflow worked: the proxy sends mlflow-artifacts paths to the wrong prefix.',
    evidence: ['x5', 'x8', 'x10', 'x11'],
    fix: [
      'Rewrite api/2.0/mlflow-artifacts/ to ajax-api/2.0/mlflow-artifacts/ in the proxy, as it already does for api/2.0/mlflow/.',
      "Point MLFLOW_SERVER_URL at MLflow's internal URL (not the public registry host).",
    ],
    rootCause: true,
    related: ['HEALTH_DEGRADED'],
  };
  const degraded: Finding = {
    code: 'HEALTH_DEGRADED',
    title: 'The API reports a component not healthy',
    severity: 'warn',
    step: 'health',
    cause: 'GET /health answered "degraded": mlflow is unhealthy | the API cannot reach it on its health path.',
    evidence: ['x3'],
    fix: ['Look at the mlflow service named in /health; it is the same hop as the root cause.'],
    related: ['ROUTE_ARTIFACTS_MISROUTED'],
  };
  const steps = [
    step('auth', 'pass', 52, '200 key valid for platform (read, write)', ['x1']),
    step('health', 'warn', 148, 'degraded: mlflow unhealthy', ['x2', 'x3', 'x4'], {
      notes: ['/api/health/mlflow not present (404): noted'],
    }),
    step('experiments', 'pass', 12, '200 experiments/search', ['x5']),
    step('run', 'pass', 41, 'run 9f8e… created in experiment 1', ['x6', 'x7']),
    step('artifact', 'fail', 404, '404 on PUT artifact', ['x8', 'x9', 'x10', 'x11'], { rootCause: true }),
    step('register', 'blocked', 0, 'blocked by artifact', [], { blockedBy: 'artifact' }),
    step('cleanup', 'pass', 33, 'removed run and artifacts', ['x12', 'x13']),
  ];
  return {
    target: t,
    checkId: 'deadbeef',
    startedAt: new Date(START + 5).toISOString(),
    durationMs: 702.4,
    steps,
    exchanges,
    findings: [misrouted, degraded],
    interrupted: false,
    leftovers: ['run 9f8e7d6c5b4a is soft-deleted (MLflow keeps it until `mlflow gc`)'],
    insecure: true,
    keyMasked: MASKED_KEY,
  };
}

export function fixtureResults(): CheckResult[] {
  return [passingCheck(), incidentCheck()];
}

export function fixtureReport(): Report {
  return buildReport(fixtureResults(), {
    version: '0.1.0',
    startedAt: new Date(START).toISOString(),
    durationMs: 712.9,
    exitCode: 1,
    interrupted: false,
  });
}

/** Only the incident target, as a one-target run reports it. */
export function incidentReport(): Report {
  return buildReport([incidentCheck()], {
    version: '0.1.0',
    startedAt: new Date(START).toISOString(),
    durationMs: 702,
    exitCode: 1,
    interrupted: false,
  });
}
