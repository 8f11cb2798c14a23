import { fingerprintOf } from '../../../src/diagnosis/fingerprint.js';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/http/types.js';
import { diagnose } from '../../../src/diagnosis/engine.js';
import { RULES } from '../../../src/diagnosis/catalogue.js';
import type { Rule } from '../../../src/diagnosis/types.js';
import {
  api,
  ARTIFACT_URL,
  Check,
  FLASK_404,
  REST,
  ajaxProbe,
  createRun,
  failHealthQuoting,
  failedPut,
  gatewayKeyRequired,
  healthyCheck,
  incident,
  listingProbe,
  mlflow,
  passAuth,
  passCleanup,
  passExperiments,
  passRun,
  proxied,
  search,
  text,
  upToArtifact,
} from './evidence.js';
import { SCENARIOS, VARIANTS } from './scenarios.js';

describe('diagnose: a healthy check', () => {
  it('finds nothing at all when every step passes', () => {
    expect(diagnose(healthyCheck().evidence())).toEqual([]);
  });

  it('fingerprints the exchanges it was given, in place', () => {
    const ev = healthyCheck().evidence();
    diagnose(ev);
    const search = ev.exchanges.find((x) => x.label === 'experiments/search')!;
    expect(fingerprintOf(search).responder).toBe('mlflow');
    expect(fingerprintOf(search).chain).toEqual(['hokusai-api', 'mlflow']);
    expect(fingerprintOf(ev.exchanges.find((x) => x.label === 'validate')!).responder).toBe('hokusai-auth');
  });
});

describe('diagnose: a rule that throws', () => {
  it('is a DIAGNOSIS_RULE_FAILED warning naming the rule and its error, and the other findings stand', () => {
    const { check } = incident();
    const broken: Rule = {
      meta: { ...RULES[0]!.meta, code: 'SOME_RULE' },
      match: () => {
        throw new Error('cannot read properties of undefined (\u001b[31mreading "x")');
      },
    };
    const findings = diagnose(check.evidence(), [...RULES, broken]);
    const failed = findings.filter((f) => f.code === 'DIAGNOSIS_RULE_FAILED');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ severity: 'warn', step: 'artifact', rootCause: false });
    expect(failed[0]!.cause).toMatch(/^The diagnosis rule for SOME_RULE failed on this check's evidence \(cannot read properties/);
    expect(failed[0]!.cause).not.toMatch(/\u001b/);
    expect(findings.find((f) => f.rootCause)?.code).toBe('ROUTE_ARTIFACTS_MISROUTED');
  });

  it('is not raised when no rule throws', () => {
    expect(diagnose(incident().check.evidence()).map((f) => f.code)).not.toContain('DIAGNOSIS_RULE_FAILED');
  });
});

describe('diagnose: the incident', () => {
  it("diagnoses ROUTE_ARTIFACTS_MISROUTED when experiments pass and the artifact PUT gets MLflow's HTML 404 through the proxy", () => {
    const { check, search, put, ajax } = incident();
    const findings = diagnose(check.evidence());
    const root = findings[0]!;
    expect(root.code).toBe('ROUTE_ARTIFACTS_MISROUTED');
    expect(root.rootCause).toBe(true);
    expect(root.step).toBe('artifact');
    expect(root.evidence).toEqual(expect.arrayContaining([search.id, put.id, ajax.id]));
    expect(root.cause).toMatch(
      /API proxy routes `mlflow-artifacts` requests to the wrong upstream or prefix while tracking requests reach MLflow/,
    );
    expect(root.cause).toContain('404');
  });

  it("names both real fixes and the client workaround, with the values seen (the confirm command is the report's)", () => {
    const root = diagnose(incident().check.evidence())[0]!;
    const fix = root.fix.join('\n');
    // The evidence has no tracking_uri and no --mlflow-direct-url: the placeholder says what to put there.
    expect(fix).toMatch(/MLFLOW_SERVER_URL=<MLflow's internal URL, e.g\. http:\/\/mlflow\.<namespace>\.local:5000>/);
    expect(fix).toMatch(/--static-prefix/);
    expect(fix).toMatch(/rewrite api\/2\.0\/mlflow-artifacts\/ to ajax-api\/2\.0\/mlflow-artifacts\//);
    expect(fix).toContain('https://registry.example.test/api/mlflow/ajax-api/2.0/mlflow-artifacts/artifacts/');
    expect(fix).not.toContain('Confirm the fix');
  });

  it('drops the generic findings about the same PUT', () => {
    const codes = diagnose(incident().check.evidence()).map((f) => f.code);
    expect(codes).not.toContain('RESPONSE_NOT_JSON');
    expect(codes).not.toContain('UNEXPECTED_RESPONSE');
    expect(codes).not.toContain('MLFLOW_ARTIFACTS_NOT_SERVED');
  });

  it('links the degraded health (mlflow unhealthy) to the root cause and says it is the same problem', () => {
    const findings = diagnose(incident().check.evidence());
    const health = findings.find((f) => f.code === 'HEALTH_DEGRADED')!;
    expect(health.severity).toBe('warn');
    expect(health.related).toEqual(['ROUTE_ARTIFACTS_MISROUTED']);
    expect(health.cause).toMatch(/mlflow is unhealthy.*same problem as the root cause ROUTE_ARTIFACTS_MISROUTED/);
    expect(findings[0]!.related).toContain('HEALTH_DEGRADED');
  });

  it('does not link an unrelated degraded component (redis) to the root cause', () => {
    const c = upToArtifact({}, { api: 'healthy', redis: 'unhealthy' });
    failedPut(c, proxied(mlflow(404, FLASK_404)));
    ajaxProbe(c, proxied(mlflow(200, {})));
    passCleanup(c);
    const health = diagnose(c.evidence()).find((f) => f.code === 'HEALTH_DEGRADED')!;
    expect(health.related).toBeUndefined();
    expect(health.cause).not.toMatch(/same problem/);
  });
});

describe('diagnose: misrouted or not served', () => {
  it('says MLFLOW_ARTIFACTS_NOT_SERVED when the Flask 404 came through the proxy from MLflow and the ajax-api probe 404s too', () => {
    const c = upToArtifact();
    failedPut(c, proxied(mlflow(404, FLASK_404)));
    listingProbe(c, proxied(mlflow(404, FLASK_404)));
    const ajax = ajaxProbe(c, proxied(mlflow(404, FLASK_404)));
    const [root] = diagnose(passCleanup(c).evidence());
    expect(root!.code).toBe('MLFLOW_ARTIFACTS_NOT_SERVED');
    expect(root!.evidence).toContain(ajax.id);
    expect(root!.fix.join(' ')).toContain('--serve-artifacts');
  });

  it('says ROUTE_ARTIFACTS_MISROUTED when the PUT 404s from an external load balancer and works direct', () => {
    const ev = VARIANTS.misroutedExternal().evidence();
    const [root] = diagnose(ev);
    expect(root!.code).toBe('ROUTE_ARTIFACTS_MISROUTED');
    const direct = ev.exchanges.find((x) => x.label === 'probe: PUT direct')!;
    expect(root!.evidence).toContain(direct.id);
    expect(root!.cause).toMatch(/direct to MLflow .* succeeded/);
    expect(root!.fix.join(' ')).not.toMatch(/add --mlflow-direct-url/);
  });

  it('lets the direct probe overrule the ajax-api probe: direct 404 means not served', () => {
    expect(diagnose(VARIANTS.notServedDirect().evidence())[0]!.code).toBe('MLFLOW_ARTIFACTS_NOT_SERVED');
  });

  it('reads 503 ARTIFACTS_DISABLED as not served, with the API-side fix', () => {
    const [root] = diagnose(VARIANTS.artifactsDisabled().evidence());
    expect(root!.code).toBe('MLFLOW_ARTIFACTS_NOT_SERVED');
    expect(root!.fix.join(' ')).toContain('MLFLOW_SERVE_ARTIFACTS=true');
  });

  it('on a plain MLflow server a Flask 404 on the artifact route means not served', () => {
    expect(diagnose(VARIANTS.plainNotServed().evidence())[0]!.code).toBe('MLFLOW_ARTIFACTS_NOT_SERVED');
  });

  it("falls back to misrouted on the proxy's rewritten RESOURCE_NOT_FOUND when no probe settled it", () => {
    const c = upToArtifact();
    failedPut(c, {
      status: 404,
      headers: [
        ['server', 'uvicorn'],
        ['content-type', 'application/json'],
      ],
      body: '{"error_code":"RESOURCE_NOT_FOUND","message":"The requested resource was not found: api/2.0/mlflow-artifacts/artifacts/x"}',
    });
    expect(diagnose(passCleanup(c).evidence())[0]!.code).toBe('ROUTE_ARTIFACTS_MISROUTED');
  });

  it("does not blame routing for MLflow's own JSON 404 on a missing artifact", () => {
    const c = upToArtifact();
    c.x({ step: 'artifact', label: 'PUT artifact', method: 'PUT', url: ARTIFACT_URL, answer: proxied(mlflow(200, {})) });
    c.x({
      step: 'artifact',
      label: 'GET artifact',
      url: ARTIFACT_URL,
      answer: proxied(mlflow(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'File not found' })),
    });
    c.step('artifact', 'fail', 'GET: 404 RESOURCE_DOES_NOT_EXIST');
    const [root] = diagnose(c.evidence());
    expect(root!.code).toBe('UNEXPECTED_RESPONSE');
    expect(root!.cause).toContain('RESOURCE_DOES_NOT_EXIST: File not found');
  });
});

describe('diagnose: root cause and order', () => {
  it('makes GATEWAY_UPSTREAM_UNREACHABLE the root cause on the health step, citing both steps', () => {
    const ev = SCENARIOS.GATEWAY_UPSTREAM_UNREACHABLE!().ev;
    const findings = diagnose(ev);
    const root = findings[0]!;
    expect(root.code).toBe('GATEWAY_UPSTREAM_UNREACHABLE');
    expect(root.step).toBe('health');
    const steps = new Set(root.evidence.map((id) => ev.exchanges.find((x) => x.id === id)!.step));
    expect(steps).toEqual(new Set(['health', 'experiments']));
    expect(root.cause).toContain('http://mlflow.hokusai.local:5000');
    // The experiments step's 502 is explained by the same finding: no fallback for it.
    expect(findings.map((f) => f.code)).not.toContain('UNEXPECTED_RESPONSE');
  });

  it('puts GATEWAY_UPSTREAM_UNREACHABLE on experiments when health passed', () => {
    const [root] = diagnose(VARIANTS.upstreamUnreachableHealthPasses().evidence());
    expect(root).toMatchObject({ code: 'GATEWAY_UPSTREAM_UNREACHABLE', step: 'experiments', rootCause: true });
    expect(root!.cause).toContain('http://10.0.3.219:5000:');
  });

  it('prefers the transport finding over AUTH_SERVICE_DOWN for an auth connect timeout, and links them', () => {
    const findings = diagnose(VARIANTS.connectTimeout().evidence());
    expect(findings[0]).toMatchObject({ code: 'NET_TIMEOUT', rootCause: true });
    expect(findings[0]!.cause).toMatch(/connect timeout/);
    const down = findings.find((f) => f.code === 'AUTH_SERVICE_DOWN')!;
    expect(down.rootCause).toBe(false);
    expect(down.related).toContain('NET_TIMEOUT');
  });

  it('keeps the masking warning next to the rejected key and links them', () => {
    const findings = diagnose(SCENARIOS.AUTH_CACHE_MASKING!().ev);
    expect(findings.map((f) => f.code)).toEqual(['AUTH_KEY_INVALID', 'AUTH_CACHE_MASKING']);
    expect(findings[1]!.related).toContain('AUTH_KEY_INVALID');
  });

  it("marks exactly one root cause, on the runner's root-cause step, and orders the rest by step", () => {
    const c = new Check();
    c.x({
      step: 'auth',
      label: 'validate',
      method: 'POST',
      url: 'https://auth.example.test/api/v1/keys/validate',
      answer: {
        status: 500,
        headers: [
          ['server', 'uvicorn'],
          ['content-type', 'application/json'],
        ],
        body: '{"detail":"boom"}',
      },
    });
    c.step('auth', 'fail', '500 boom');
    c.x({
      step: 'health',
      label: 'GET /health',
      url: 'https://registry.example.test/health',
      answer: {
        status: 200,
        headers: [
          ['server', 'uvicorn'],
          ['content-type', 'application/json'],
        ],
        body: '{"status":"degraded","services":{"redis":"unhealthy"}}',
      },
    });
    c.step('health', 'warn', 'degraded');
    c.x({
      step: 'cleanup',
      label: 'runs/delete',
      method: 'POST',
      url: `${REST}/runs/delete`,
      reqBody: { run_id: 'r1' },
      answer: proxied(mlflow(500, { error_code: 'INTERNAL_ERROR', message: 'nope' })),
    });
    c.state.leftovers = ['run r1'];
    c.step('cleanup', 'warn', '1 left behind');
    const findings = diagnose(c.evidence());
    expect(findings.filter((f) => f.rootCause).map((f) => f.code)).toEqual(['AUTH_SERVICE_DOWN']);
    expect(findings.map((f) => `${f.code}@${f.step}`)).toEqual([
      'AUTH_SERVICE_DOWN@auth',
      'HEALTH_DEGRADED@health',
      'CLEANUP_LEFTOVERS@cleanup',
    ]);
  });

  it('turns an error finding on a step that warned into a warning', () => {
    const c = new Check();
    c.x({
      step: 'cleanup',
      label: 'runs/delete',
      method: 'POST',
      url: `${REST}/runs/delete`,
      answer: api(429, { detail: 'Rate limit exceeded' }, [['retry-after', '5']]),
    });
    c.step('cleanup', 'warn', 'left behind');
    const limited = diagnose(c.evidence()).find((f) => f.code === 'AUTH_RATE_LIMITED')!;
    expect(limited.severity).toBe('warn');
    expect(limited.rootCause).toBe(false);
  });

  it('merges duplicate findings of one code on one step', () => {
    const c = new Check();
    const error = { kind: 'refused' as const, code: 'ECONNREFUSED', message: 'refused', phase: 'connect' as const };
    c.x({ step: 'health', label: 'GET /health', url: 'https://registry.example.test/health', error });
    c.x({ step: 'health', label: 'GET /api/health/mlflow', url: 'https://registry.example.test/api/health/mlflow', error });
    c.step('health', 'error', 'refused');
    const findings = diagnose(c.evidence());
    expect(findings.filter((f) => f.code === 'NET_REFUSED')).toHaveLength(1);
    expect(findings[0]!.evidence).toEqual(['x1', 'x2']);
  });
});

describe("diagnose: an MLflow-side fault that fails the API's own MLflow health check first", () => {
  it('makes ROUTE_ARTIFACTS_MISROUTED the root cause though health is the first failing step, and drops the fallback on health', () => {
    const c = new Check();
    passAuth(c);
    const health = failHealthQuoting(c, 404, FLASK_404, { api: 'healthy', mlflow: 'unhealthy' });
    passExperiments(c);
    passRun(c);
    failedPut(c, proxied(mlflow(404, FLASK_404)));
    ajaxProbe(c, proxied(mlflow(200, {})));
    passCleanup(c);
    const ev = c.evidence();
    expect(ev.steps.find((s) => s.rootCause)!.id).toBe('health');
    const findings = diagnose(ev);
    expect(findings.map((f) => `${f.code}@${f.step}${f.rootCause ? '*' : ''}`)).toEqual([
      'ROUTE_ARTIFACTS_MISROUTED@artifact*',
      'HEALTH_DEGRADED@health',
    ]);
    expect(findings[0]!.evidence).toContain(health.id);
    expect(findings[0]!.cause).toMatch(/the API's own MLflow health check gets a 404 through the same base URL/);
    expect(findings[1]!.related).toEqual(['ROUTE_ARTIFACTS_MISROUTED']);
  });

  const mlflowSide: Array<[string, number, string, (c: Check) => Exchange]> = [
    [
      'MLFLOW_BACKEND_ERROR',
      500,
      '{"error_code": "INTERNAL_ERROR", "message": "(psycopg2.OperationalError) password authentication failed for user \\"mlflow\\""}',
      (c) =>
        search(c, {
          answer: proxied(
            mlflow(500, {
              error_code: 'INTERNAL_ERROR',
              message: '(psycopg2.OperationalError) password authentication failed for user "mlflow"',
            }),
          ),
        }),
    ],
    [
      'MLFLOW_HOST_NOT_ALLOWED',
      403,
      'Invalid Host header - possible DNS rebinding attack detected',
      (c) =>
        search(c, { answer: proxied(text(403, 'Invalid Host header - possible DNS rebinding attack detected', [['server', 'uvicorn']])) }),
    ],
    ['AUTH_HEADER_STRIPPED', 401, '{"detail":"API key required"}', (c) => search(c, { answer: gatewayKeyRequired() })],
  ];
  for (const [code, status, quoted, failExperiments] of mlflowSide) {
    it(`reports ${code} once, on the health step, citing the health check and experiments/search`, () => {
      const c = new Check();
      passAuth(c);
      const health = failHealthQuoting(c, status, quoted);
      const search = failExperiments(c);
      c.step('experiments', 'fail', String(status));
      const findings = diagnose(c.evidence());
      expect(findings.map((f) => `${f.code}@${f.step}${f.rootCause ? '*' : ''}`)).toEqual([`${code}@health*`]);
      expect(findings[0]!.evidence).toEqual(expect.arrayContaining([health.id, search.id]));
      expect(findings[0]!.cause).toMatch(/the API's own MLflow health check \(x\d+\) fails the same way/);
    });
  }

  it('says MLFLOW_BACKEND_ERROR for "database is locked" on runs/create', () => {
    const f = diagnose(
      (() => {
        const c = upToArtifact();
        c.exchanges.pop();
        createRun(
          c,
          proxied(
            mlflow(500, {
              error_code: 'INTERNAL_ERROR',
              message: '(sqlite3.OperationalError) database is locked\n[SQL: INSERT INTO runs …]',
            }),
          ),
        );
        c.step('run', 'fail', 'runs/create: 500 INTERNAL_ERROR');
        return c.evidence();
      })(),
    )[0]!;
    expect(f).toMatchObject({ code: 'MLFLOW_BACKEND_ERROR', step: 'run', rootCause: true });
    expect(f.cause).toMatch(/^MLflow's backend database is failing \(database is locked\)/);
  });
});

describe('diagnose: the root among findings of one code', () => {
  it('is the one on the root-cause step, also when a later step failed first in time and cites its probe', () => {
    // http:// to a TLS port: experiments is hung up on before health (which retried), and the
    // tls-port probe of health proves TLS; both steps get TLS_SCHEME_MISMATCH.
    const registry = 'http://registry.example.test:8443';
    const c = new Check({ registryUrl: registry });
    passAuth(c);
    const reset = {
      kind: 'reset' as const,
      code: 'UND_ERR_SOCKET',
      message: 'registry.example.test:8443: other side closed',
      phase: 'headers' as const,
    };
    c.x({
      step: 'experiments',
      label: 'experiments/search',
      url: `${registry}/api/mlflow/api/2.0/mlflow/experiments/search?max_results=1`,
      error: reset,
    });
    c.x({ step: 'health', label: 'GET /health', url: `${registry}/health`, error: reset });
    c.x({
      step: 'health',
      probe: 'tls-port',
      label: 'same port over TLS',
      url: 'https://registry.example.test:8443/health',
      answer: { status: 200, headers: [['content-type', 'application/json']], body: '{"status":"healthy"}' },
    });
    c.step('health', 'error', '/health: reset');
    c.step('experiments', 'error', 'reset');
    const findings = diagnose(c.evidence());
    expect(
      findings
        .filter((f) => f.code === 'TLS_SCHEME_MISMATCH')
        .map((f) => f.step)
        .sort(),
    ).toEqual(['experiments', 'health']);
    expect(findings.find((f) => f.rootCause)).toMatchObject({ code: 'TLS_SCHEME_MISMATCH', step: 'health' });
    expect(findings.map((f) => f.code)).not.toContain('NET_RESET');
  });
});
