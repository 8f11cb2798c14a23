import { describe, expect, it } from 'vitest';
import { fingerprint, type Fingerprint } from '../../../src/diagnosis/fingerprint.js';
import {
  AUTH,
  Check,
  FLASK_404,
  FLASK_405,
  MLFLOW_NO_EXPERIMENT,
  PLAIN,
  REGISTRY,
  REST,
  ART,
  albPage,
  albText404,
  api,
  auth,
  gatewayKeyRequired,
  mlflow,
  nginxPage,
  proxied,
  text,
  type Answer,
} from './evidence.js';

function who(
  answer: Answer,
  url = `${REST}/experiments/search?max_results=1`,
  step: 'experiments' | 'auth' | 'health' | 'artifact' = 'experiments',
) {
  const x = new Check().x({ step, label: 'probe', url, answer });
  return named(fingerprint(x, { authOrigin: AUTH }));
}

/** Who and through what: the naming part of a fingerprint. */
function named(fp: Fingerprint): Pick<Fingerprint, 'responder' | 'chain'> {
  return { responder: fp.responder, chain: fp.chain };
}

describe('fingerprint: MLflow, as the fixtures show it', () => {
  it("names MLflow for Flask's HTML 404 page with Server: gunicorn", () => {
    expect(who(mlflow(404, FLASK_404), `${PLAIN}/api/2.0/mlflow/does-not-exist`)).toEqual({ responder: 'mlflow', chain: ['mlflow'] });
  });

  it("names MLflow for Flask's HTML 405 page", () => {
    expect(who(mlflow(405, FLASK_405), `${PLAIN}/api/2.0/mlflow/experiments/create`).responder).toBe('mlflow');
  });

  it('names MLflow for its JSON error {error_code, message}', () => {
    expect(who(mlflow(404, MLFLOW_NO_EXPERIMENT)).responder).toBe('mlflow');
  });

  it('names MLflow for its text /health "OK" and /version', () => {
    expect(who(mlflow(200, 'OK'), `${PLAIN}/health`, 'health').responder).toBe('mlflow');
    expect(who(mlflow(200, '2.12.2'), `${PLAIN}/version`, 'health').responder).toBe('mlflow');
  });

  it('names MLflow for "Invalid Host header" text even without a server header', () => {
    expect(who(text(403, 'Invalid Host header - possible DNS rebinding attack detected')).responder).toBe('mlflow');
  });
});

describe('fingerprint: a reply proxied by the API', () => {
  it("reads the chain ['hokusai-api', 'mlflow'] from two server headers, two dates and connection: close", () => {
    const answer = proxied(mlflow(404, FLASK_404));
    const servers = answer.headers.filter(([n]) => n.toLowerCase() === 'server').map(([, v]) => v);
    const dates = answer.headers.filter(([n]) => n.toLowerCase() === 'date');
    expect(servers).toEqual(['uvicorn', 'gunicorn']);
    expect(dates).toHaveLength(2);
    expect(answer.headers.some(([n, v]) => n.toLowerCase() === 'connection' && v === 'close')).toBe(true);
    expect(who(answer, `${ART}/1/r/artifacts/x.bin`, 'artifact')).toEqual({ responder: 'mlflow', chain: ['hokusai-api', 'mlflow'] });
  });

  it('puts the API outermost whatever the header order', () => {
    const answer: Answer = {
      status: 200,
      headers: [
        ['server', 'gunicorn'],
        ['server', 'uvicorn'],
        ['content-type', 'application/json'],
      ],
      body: '{}',
    };
    expect(who(answer)).toEqual({ responder: 'mlflow', chain: ['hokusai-api', 'mlflow'] });
  });

  it('names MLflow for a proxied success body', () => {
    expect(who(proxied(mlflow(200, {})))).toEqual({ responder: 'mlflow', chain: ['hokusai-api', 'mlflow'] });
  });

  it("names MLflow's gateway (a second uvicorn behind the API) for a proxied {detail: 'API key required'}", () => {
    expect(who(gatewayKeyRequired())).toEqual({ responder: 'mlflow', chain: ['hokusai-api', 'mlflow'] });
  });

  it('names the load balancer behind the API when the proxy forwards to an external URL', () => {
    const answer: Answer = {
      status: 404,
      headers: [
        ['server', 'uvicorn'],
        ['server', 'awselb/2.0'],
        ['content-type', 'text/plain'],
      ],
      body: 'Not Found',
    };
    expect(who(answer, `${ART}/x`, 'artifact')).toEqual({ responder: 'load-balancer', chain: ['hokusai-api', 'load-balancer'] });
  });
});

describe('fingerprint: the Hokusai API and its proxy', () => {
  it("names the API for FastAPI's {detail: 'Not Found'}", () => {
    expect(who(api(404, { detail: 'Not Found' }))).toEqual({ responder: 'hokusai-api', chain: ['hokusai-api'] });
  });

  it('names the API for 403 FORBIDDEN and REGISTRY_ADMIN_REQUIRED', () => {
    expect(
      who(api(403, { detail: 'Insufficient permissions for this operation', error: 'FORBIDDEN', required_scope: 'mlflow:write' }))
        .responder,
    ).toBe('hokusai-api');
    expect(who(api(403, { detail: 'Admin access required for the model registry', error: 'REGISTRY_ADMIN_REQUIRED' })).responder).toBe(
      'hokusai-api',
    );
  });

  it("names the proxy for its rewritten 404 RESOURCE_NOT_FOUND, inside the API's chain", () => {
    const fp = who(
      api(404, { error_code: 'RESOURCE_NOT_FOUND', message: 'The requested resource was not found: api/2.0/mlflow-artifacts/x' }),
    );
    expect(fp).toEqual({ responder: 'hokusai-proxy', chain: ['hokusai-api'] });
  });

  it('names the proxy for 502 "Failed to connect", 504 timeout and 503 ARTIFACTS_DISABLED', () => {
    expect(who(api(502, { detail: 'Failed to connect to MLflow server at http://mlflow.hokusai.local:5000' })).responder).toBe(
      'hokusai-proxy',
    );
    expect(who(api(504, { detail: 'MLflow server request timeout after 30.0s' })).responder).toBe('hokusai-proxy');
    expect(who(api(503, { detail: { error: 'ARTIFACTS_DISABLED', message: 'Artifact serving is disabled' } })).responder).toBe(
      'hokusai-proxy',
    );
  });

  it('names the API for its own health JSON', () => {
    expect(who(api(200, { status: 'healthy', services: { api: 'healthy' } }), `${REGISTRY}/health`, 'health').responder).toBe(
      'hokusai-api',
    );
  });
});

describe('fingerprint: the auth service', () => {
  it('names auth for an {is_valid} answer', () => {
    expect(who(auth(200, { is_valid: true }), `${AUTH}/api/v1/keys/validate`, 'auth')).toEqual({
      responder: 'hokusai-auth',
      chain: ['hokusai-auth'],
    });
  });

  it("names auth for FastAPI's {detail} on the auth step, and on the auth origin from any step", () => {
    expect(who(auth(401, { detail: 'Invalid or expired API key' }), `${AUTH}/api/v1/keys/validate`, 'auth').responder).toBe('hokusai-auth');
    expect(who(auth(401, { detail: 'Invalid or expired API key' }), `${AUTH}/api/v1/keys/validate`, 'health').responder).toBe(
      'hokusai-auth',
    );
  });
});

describe('fingerprint: load balancers, nginx and the unknown', () => {
  it('names the load balancer for its HTML 503 page and its plain-text Not Found', () => {
    expect(who(albPage(503))).toEqual({ responder: 'load-balancer', chain: ['load-balancer'] });
    expect(who(albPage(502)).responder).toBe('load-balancer');
    expect(who(albText404())).toEqual({ responder: 'load-balancer', chain: ['load-balancer'] });
  });

  it('places an ALB-shaped page that lost its server header as an unnamed hop in front', () => {
    const page = albPage(503);
    expect(who({ ...page, headers: [['content-type', 'text/html']] })).toEqual({ responder: 'hop', chain: ['hop'] });
  });

  it('names nginx for its HTML page', () => {
    expect(who(nginxPage(413), ART, 'artifact')).toEqual({ responder: 'nginx', chain: ['nginx'] });
  });

  it('says unknown for an unrecognised page and for transport errors', () => {
    expect(
      who({
        status: 200,
        headers: [
          ['server', 'portal-box/1.0'],
          ['content-type', 'text/html'],
        ],
        body: '<html><body>portal</body></html>',
      }),
    ).toEqual({ responder: 'unknown', chain: [] });
    // A server a profile names (src/diagnosis/profiles/) wrote its own page.
    expect(
      who({
        status: 200,
        headers: [
          ['server', 'Apache'],
          ['content-type', 'text/html'],
        ],
        body: '<html><body>portal</body></html>',
      }),
    ).toEqual({ responder: 'apache', chain: ['apache'] });
    const c = new Check();
    const x = c.x({
      step: 'experiments',
      label: 'experiments/search',
      url: REST,
      error: { kind: 'refused', code: 'ECONNREFUSED', message: 'refused' },
    });
    expect(named(fingerprint(x))).toEqual({ responder: 'unknown', chain: [] });
  });
});
