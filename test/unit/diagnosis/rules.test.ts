// What each rule says, handed evidence directly (no engine): the details a person acts on.
import { describe, expect, it } from 'vitest';
import { ruleFor } from '../../../src/diagnosis/catalogue.js';
import { diagnose } from '../../../src/diagnosis/engine.js';
import type { Evidence, Finding } from '../../../src/diagnosis/types.js';
import {
  Check,
  MODEL,
  REST,
  RUN,
  api,
  deleteModelVersion,
  deleteRun,
  failedPut,
  healthyCheck,
  mlflow,
  passArtifact,
  passCleanup,
  passRegister,
  proxied,
  search,
  upToArtifact,
  upToExperiments,
} from './evidence.js';
import { SCENARIOS, VARIANTS } from './scenarios.js';

function run(code: string, ev: Evidence): Finding[] {
  return ruleFor(code)!
    .match(ev)
    .filter((f) => f.code === code);
}

function one(code: string, ev: Evidence): Finding {
  const found = run(code, ev);
  expect(found, `${code}: ${JSON.stringify(found)}`).toHaveLength(1);
  return found[0]!;
}

describe('rules stay quiet on a healthy check', () => {
  const ev = healthyCheck().evidence();
  for (const code of Object.keys(SCENARIOS)) {
    it(`${code} finds nothing`, () => expect(run(code, ev)).toEqual([]));
  }
});

describe('network and tls', () => {
  it('tells a first-byte timeout from a connect timeout and names the host', () => {
    const firstByte = one('NET_TIMEOUT', SCENARIOS.NET_TIMEOUT!().ev);
    expect(firstByte.cause).toMatch(/registry\.example\.test accepted the connection but sent no response.*first-byte timeout/);
    const connect = one('NET_TIMEOUT', VARIANTS.connectTimeout().evidence());
    expect(connect.cause).toMatch(/auth\.example\.test did not accept a connection .*connect timeout/);
  });

  it('cites every failed try, the retried one included', () => {
    expect(one('NET_REFUSED', SCENARIOS.NET_REFUSED!().ev).evidence).toEqual(['x4', 'x5']);
  });

  it('names the DNS name without the port', () => {
    expect(one('NET_DNS', SCENARIOS.NET_DNS!().ev).cause).toMatch(/^The host name registry\.example\.test does not resolve \(ENOTFOUND\)/);
  });
});

describe('auth', () => {
  it('AUTH_KEY_INVALID cites both validate calls and calls out whitespace in the key', () => {
    const { ev } = SCENARIOS.AUTH_KEY_INVALID!();
    const plain = one('AUTH_KEY_INVALID', ev);
    expect(plain.evidence).toEqual(['x1', 'x2']);
    expect(plain.cause).not.toMatch(/whitespace/);
    const f = one('AUTH_KEY_INVALID', { ...ev, keyHadWhitespace: true });
    expect(f.cause).toMatch(/whitespace/);
    expect(f.fix[0]).toMatch(/HOKUSAI_API_KEY had leading\/trailing whitespace/);
  });

  it('AUTH_KEY_INVALID from the registry itself when there is no auth URL', () => {
    const f = one('AUTH_KEY_INVALID', VARIANTS.registryRejectsKey().evidence());
    expect(f.step).toBe('experiments');
    expect(f.cause).toMatch(/registry rejects the key/);
  });

  it('AUTH_SERVICE_ID_MISMATCH cites the 401 with service_id and the 200 without, and names the owning service', () => {
    const f = one('AUTH_SERVICE_ID_MISMATCH', SCENARIOS.AUTH_SERVICE_ID_MISMATCH!().ev);
    expect(f.evidence).toEqual(['x1', 'x2']);
    expect(f.cause).toMatch(/not for service_id 'ml-platform'.*registered for 'platform'/);
    expect(f.fix[0]).toContain('--service-id platform');
    expect(run('AUTH_KEY_INVALID', SCENARIOS.AUTH_SERVICE_ID_MISMATCH!().ev)).toEqual([]);
  });

  it('AUTH_SERVICE_ID_MISMATCH when auth accepts the key but the API rejects it', () => {
    const f = one('AUTH_SERVICE_ID_MISMATCH', VARIANTS.apiUsesOtherServiceId().evidence());
    expect(f.step).toBe('experiments');
    expect(f.evidence).toEqual(['x1', 'x4']);
  });

  it("AUTH_SERVICE_ID_MISMATCH, not AUTH_KEY_INVALID, for the registry's 401 when auth accepts the key without a service_id", () => {
    const { ev } = SCENARIOS.AUTH_SERVICE_ID_MISMATCH!();
    const c = new Check({ serviceId: 'ml-platform' });
    c.exchanges.push(...ev.exchanges.filter((x) => x.step === 'auth'));
    c.step('auth', 'fail', '401');
    search(c, { answer: api(401, { detail: 'Invalid or expired API key' }) });
    c.step('experiments', 'fail', '401');
    const found = run('AUTH_SERVICE_ID_MISMATCH', c.evidence());
    expect(found.map((f) => f.step)).toEqual(['auth', 'experiments']);
    expect(found[1]!.fix[0]).toMatch(/AUTH_SERVICE_ID to 'platform'/);
    expect(run('AUTH_KEY_INVALID', c.evidence())).toEqual([]);
  });

  it('AUTH_SERVICE_DOWN from the API, in both versions (503 now, 401 before June 2026)', () => {
    const now = one('AUTH_SERVICE_DOWN', VARIANTS.apiSaysAuthDown(503).evidence());
    expect(now.cause).toContain('503 "Authentication service error"');
    const legacy = one('AUTH_SERVICE_DOWN', VARIANTS.apiSaysAuthDown(401).evidence());
    expect(legacy.cause).toMatch(/401 "Authentication service unavailable".*before June 2026/);
    expect(run('AUTH_KEY_INVALID', VARIANTS.apiSaysAuthDown(401).evidence())).toEqual([]);
  });

  it('AUTH_SERVICE_DOWN says the hop API → auth is broken when auth answers us', () => {
    const f = one('AUTH_SERVICE_DOWN', VARIANTS.apiCannotReachAuth().evidence());
    expect(f.cause).toMatch(/API cannot reach the auth service although it answers from here/);
  });

  it('AUTH_SERVICE_DOWN on the load balancer page quotes the auth /health probe too', () => {
    const f = one('AUTH_SERVICE_DOWN', SCENARIOS.AUTH_SERVICE_DOWN!().ev);
    expect(f.cause).toMatch(
      /^The AWS load balancer at auth\.example\.test cannot get an answer from the auth service behind it: validate got 503 HTML page "503 Service Temporarily Unavailable" — its own answer/,
    );
    expect(f.cause).toMatch(/; GET \/health got 503/);
  });

  it('AUTH_RATE_LIMITED quotes Retry-After', () => {
    const f = one('AUTH_RATE_LIMITED', SCENARIOS.AUTH_RATE_LIMITED!().ev);
    expect(f.cause).toMatch(/Retry-After: 60 s/);
    expect(f.fix[0]).toBe('Wait 60 seconds and rerun.');
  });

  it('AUTH_SCOPE_MISSING names the required and the current scopes', () => {
    const f = one('AUTH_SCOPE_MISSING', SCENARIOS.AUTH_SCOPE_MISSING!().ev);
    expect(f.cause).toMatch(/needs model:write or mlflow:write; the key has \[read\]/);
  });

  it('AUTH_HEADER_STRIPPED needs the API to have accepted the key', () => {
    const { ev } = SCENARIOS.AUTH_HEADER_STRIPPED!();
    expect(one('AUTH_HEADER_STRIPPED', ev).cause).toMatch(
      /auth step accepted the key, yet experiments\/search .* 401 "API key required" from MLflow/,
    );
    // The API itself asking for a key, with auth not passed and nothing through the proxy: not this.
    const c = VARIANTS.registryRejectsKey();
    const x = c.exchanges.find((y) => y.label === 'experiments/search')!;
    x.response!.bodyExcerpt = '{"detail":"API key required"}';
    expect(run('AUTH_HEADER_STRIPPED', c.evidence())).toEqual([]);
  });

  it('AUTH_CACHE_MASKING cites the rejected validate and the accepted registry call', () => {
    const f = one('AUTH_CACHE_MASKING', SCENARIOS.AUTH_CACHE_MASKING!().ev);
    expect(f.severity).toBe('warn');
    expect(f.evidence).toEqual(['x1', 'x5']);
    expect(f.cause).toMatch(/cached validation/);
  });

  it('AUTH_CACHE_MASKING stays quiet on a service_id mismatch (the registry asks for another service)', () => {
    const { ev } = SCENARIOS.AUTH_SERVICE_ID_MISMATCH!();
    expect(run('AUTH_CACHE_MASKING', ev)).toEqual([]);
  });
});

describe('routing', () => {
  it('ROUTE_PROXY_NOT_MOUNTED tells a missing API route from a missing load balancer rule', () => {
    expect(one('ROUTE_PROXY_NOT_MOUNTED', SCENARIOS.ROUTE_PROXY_NOT_MOUNTED!().ev).cause).toMatch(/FastAPI's own 404/);
    const lb = one('ROUTE_PROXY_NOT_MOUNTED', VARIANTS.proxyNotMountedAtLb().evidence());
    expect(lb.cause).toMatch(/^The AWS load balancer at registry\.example\.test has no route for \/api\/mlflow\/…/);
    expect(lb.fix[0]).toMatch(/listener rule for this path on every listener \(HTTPS too\)/);
  });

  it('ROUTE_PROXY_NOT_MOUNTED stays quiet when tracking calls pass and only artifacts 404', () => {
    const c = upToArtifact();
    failedPut(c, api(404, { detail: 'Not Found' }));
    expect(run('ROUTE_PROXY_NOT_MOUNTED', c.evidence())).toEqual([]);
    expect(run('ROUTE_ARTIFACTS_MISROUTED', c.evidence())).toHaveLength(1);
  });

  it('PROXY_DROPS_DELETE_BODY names every leftover: model, version, and the run they came from', () => {
    const f = one('PROXY_DROPS_DELETE_BODY', SCENARIOS.PROXY_DROPS_DELETE_BODY!().ev);
    expect(f.step).toBe('cleanup');
    expect(f.severity).toBe('warn');
    expect(f.cause).toContain(`model version ${MODEL} v1`);
    expect(f.cause).toContain(`registered model ${MODEL}`);
    expect(f.cause).toContain(RUN);
    expect(f.fix.join(' ')).toMatch(/bodies on DELETE/);
    expect(f.fix.join(' ')).toMatch(/hokus-check sweep --env staging --check-id c0ffee123456 --mlflow-direct-url/);
  });

  it('PROXY_DROPS_DELETE_BODY names the run as a leftover when it could not be deleted either', () => {
    const c = upToArtifact();
    passArtifact(c);
    passRegister(c);
    const dropped = proxied(
      mlflow(400, { error_code: 'INVALID_PARAMETER_VALUE', message: "Missing value for required parameter 'name'." }),
    );
    c.x({ step: 'cleanup', label: 'model-versions/delete', method: 'DELETE', url: `${REST}/model-versions/delete`, answer: dropped });
    c.x({ step: 'cleanup', label: 'runs/delete', method: 'POST', url: `${REST}/runs/delete`, error: { kind: 'reset', message: 'reset' } });
    c.step('cleanup', 'warn', 'left behind');
    expect(one('PROXY_DROPS_DELETE_BODY', c.evidence()).cause).toContain(`run ${RUN}`);
  });

  it('PROXY_DROPS_DELETE_BODY stays quiet for deletes sent direct to MLflow', () => {
    const c = upToArtifact({ mlflowDirectUrl: 'http://mlflow.internal:5000' });
    c.x({
      step: 'cleanup',
      label: 'model-versions/delete',
      method: 'DELETE',
      url: 'http://mlflow.internal:5000/api/2.0/mlflow/model-versions/delete',
      answer: mlflow(400, { error_code: 'INVALID_PARAMETER_VALUE', message: "Missing value for required parameter 'name'." }),
    });
    c.step('cleanup', 'warn', 'left behind');
    expect(run('PROXY_DROPS_DELETE_BODY', c.evidence())).toEqual([]);
  });
});

describe('artifact, registry, response, health, generic', () => {
  it('ARTIFACT_ROOT_BYPASSES_PROXY is a warning on run, and an error on artifact when the artifact step failed', () => {
    const warn = one('ARTIFACT_ROOT_BYPASSES_PROXY', SCENARIOS.ARTIFACT_ROOT_BYPASSES_PROXY!().ev);
    expect(warn).toMatchObject({ step: 'run', severity: 'warn' });
    expect(warn.cause).toMatch(/s3:\/\/hokusai-mlflow-artifacts.* straight to s3 storage, bypassing the proxy/);
    const c = upToArtifact();
    c.state.artifactUri = 's3://bucket/1/r/artifacts';
    failedPut(c, proxied(mlflow(500, { error_code: 'INTERNAL_ERROR', message: 'boom' })));
    expect(one('ARTIFACT_ROOT_BYPASSES_PROXY', c.evidence())).toMatchObject({ step: 'artifact', severity: 'error' });
  });

  it('ARTIFACT_CORRUPTED cites the PUT and the GET and quotes the step detail', () => {
    const f = one('ARTIFACT_CORRUPTED', SCENARIOS.ARTIFACT_CORRUPTED!().ev);
    expect(f.evidence).toEqual(['x7', 'x8']);
    expect(f.cause).toMatch(/sha256 mismatch: sent 1\.0 KiB .*; sent 1\.0 KiB, got 1000 B back/);
  });

  it('REGISTRY_FAILED also when the version is still pending at the wait limit', () => {
    const f = one('REGISTRY_FAILED', VARIANTS.pendingForever().evidence());
    expect(f.cause).toMatch(/still PENDING_REGISTRATION when the check stopped waiting \(2 polls/);
  });

  it('RESPONSE_SCHEMA quotes the zod path from the step detail and cites the exchange', () => {
    const f = one('RESPONSE_SCHEMA', SCENARIOS.RESPONSE_SCHEMA!().ev);
    expect(f.cause).toContain('run.info.run_id: Invalid input');
    expect(f.evidence).toEqual(['x6']);
  });

  it('RESPONSE_NOT_JSON names who answered a 200 page where JSON was due', () => {
    const c = upToExperiments();
    search(c, {
      answer: {
        status: 200,
        headers: [
          ['server', 'Apache'],
          ['content-type', 'text/html'],
        ],
        body: '<html><head><title>Welcome</title></head><body>portal</body></html>',
      },
    });
    c.step('experiments', 'fail', '200 but not JSON (text/html)');
    const f = one('RESPONSE_NOT_JSON', c.evidence());
    expect(f.cause).toMatch(/200 HTML page "Welcome" from Apache httpd/);
    expect(f.fix[0]).toMatch(/find what serves this path/);
  });

  it("a load balancer's own 502 page on the PUT is a gateway finding, never RESPONSE_NOT_JSON", () => {
    const c = upToArtifact();
    failedPut(c, {
      status: 502,
      headers: [
        ['server', 'awselb/2.0'],
        ['content-type', 'text/html'],
      ],
      body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>',
    });
    const findings = diagnose(c.evidence());
    expect(findings.map((f) => f.code)).not.toContain('RESPONSE_NOT_JSON');
    expect(findings[0]).toMatchObject({ code: 'GATEWAY_UPSTREAM_UNREACHABLE', step: 'artifact', rootCause: true });
    expect(findings[0]!.cause).toMatch(/^The AWS load balancer at registry\.example\.test cannot reach MLflow/);
    expect(findings[0]!.fix[0]).toMatch(/target group/);
  });

  it('HEALTH_DEGRADED names the component and its fix', () => {
    const f = one('HEALTH_DEGRADED', SCENARIOS.HEALTH_DEGRADED!().ev);
    expect(f.cause).toMatch(/degraded: redis is unhealthy/);
    expect(f.fix[0]).toMatch(/REDIS_URL/);
  });

  it('HEALTH_DEGRADED reads services given as objects with a reason', () => {
    const c = upToArtifact({}, { api: 'healthy', postgres: { status: 'unhealthy', error: 'timeout after 5s' } });
    expect(one('HEALTH_DEGRADED', c.evidence()).cause).toMatch(/postgres is unhealthy \(timeout after 5s\)/);
  });

  it('CLEANUP_LEFTOVERS names each leftover and explains the 500 on a file delete', () => {
    const f = one('CLEANUP_LEFTOVERS', SCENARIOS.CLEANUP_LEFTOVERS!().ev);
    expect(f.cause).toMatch(/^Cleanup could not delete artifacts 1\/889bd0b9dc06489091d46ac695b921ad\/artifacts\/hokus-check\//);
  });

  it('CLEANUP_LEFTOVERS names leftovers from the delete bodies when cleanup recorded none', () => {
    const c = upToArtifact();
    passArtifact(c);
    passRegister(c);
    deleteModelVersion(c, proxied(mlflow(500, { error_code: 'INTERNAL_ERROR', message: 'x' })));
    deleteRun(c, proxied(mlflow(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'gone' })));
    c.step('cleanup', 'warn', 'left behind');
    const f = one('CLEANUP_LEFTOVERS', c.evidence());
    expect(f.cause).toMatch(new RegExp(`could not delete model version ${MODEL} v1 \\(`));
    expect(f.cause).not.toContain(`run ${RUN}`);
  });

  it('CLEANUP_LEFTOVERS leaves the dropped-body deletes to PROXY_DROPS_DELETE_BODY', () => {
    expect(run('CLEANUP_LEFTOVERS', SCENARIOS.PROXY_DROPS_DELETE_BODY!().ev)).toEqual([]);
  });

  it('UNEXPECTED_RESPONSE quotes status, responder and MLflow error_code/message, or FastAPI detail', () => {
    const f = one('UNEXPECTED_RESPONSE', SCENARIOS.UNEXPECTED_RESPONSE!().ev);
    expect(f.cause).toBe(
      'runs/create (x6) got 400 INVALID_STATE: Run creation refused: simulated fault from MLflow (via the Hokusai API).',
    );
    const c = upToArtifact();
    failedPut(c, api(500, { detail: 'Internal server error while proxying to MLflow' }));
    expect(one('UNEXPECTED_RESPONSE', c.evidence()).cause).toBe(
      'PUT artifact (x7) got 500 "Internal server error while proxying to MLflow" from the API\'s MLflow proxy.',
    );
  });

  it('UNEXPECTED_RESPONSE covers a failed step that made no request', () => {
    const c = upToArtifact();
    c.step('artifact', 'error', 'deadline reached');
    expect(one('UNEXPECTED_RESPONSE', c.evidence()).cause).toBe('The artifact step could not complete: deadline reached.');
  });

  it('UNEXPECTED_RESPONSE does not fire for steps that passed', () => {
    const c = upToArtifact();
    passArtifact(c);
    passCleanup(c);
    expect(run('UNEXPECTED_RESPONSE', c.evidence())).toEqual([]);
  });
});
