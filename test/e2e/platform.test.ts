// The real platform's behaviours, each against the embedded stack with the matching fault:
// DELETE bodies dropped by the proxy, health endpoint variants, the auth outage and validation cache,
// both components' headers on proxied answers, and the incident's exact mechanism.
import { afterAll, describe, it } from 'vitest';
import { startStack } from '../../src/sim/stack.js';
import { CHECK_EXPERIMENT, CHECK_TAG } from '../../src/mlflow/naming.js';
import { runInProcess } from '../helpers/in-process.js';
import { checkWithFaults, evidenceOf, findingIn, stepIn, type FaultRun } from '../helpers/faults-run.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe.concurrent('1. the proxy drops DELETE bodies', () => {
  it('cleanup warns PROXY_DROPS_DELETE_BODY, naming the model, its version and the run, which really are left', async ({ expect }) => {
    const r = await checkWithFaults(['proxy-drops-delete-body'], { json: tmp.file('drops-delete.json') });
    expect(r.run.code, r.run.all).toBe(0);
    expect(stepIn(r.target, 'cleanup').status).toBe('warn');
    const model = `hokus-check-${r.target.checkId}`;
    const runId = checkRunId(r);
    const f = findingIn(r.target, 'PROXY_DROPS_DELETE_BODY');
    expect(f).toMatchObject({ severity: 'warn', step: 'cleanup', rootCause: false });
    expect(f.cause).toContain(`model version ${model} v1`);
    expect(f.cause).toContain(`registered model ${model}`);
    expect(f.cause).toContain(runId);
    expect(f.fix.join('\n')).toMatch(/Forward request bodies on DELETE/);
    expect(f.fix.join('\n')).toMatch(/--mlflow-direct-url/);
    for (const x of evidenceOf(r.target, f)) {
      expect(x.request).toMatchObject({ method: 'DELETE', url: expect.stringContaining(`${r.registryUrl}/api/mlflow/`) as unknown });
      expect(x.response?.status).toBe(400);
    }
    expect(r.target.leftovers).toEqual([`model version ${model} v1`, `registered model ${model}`]);
    // The warning is true: the model and its version are still there.
    expect(r.inventory.registeredModels.find((m) => m.name === model)?.versions.map((v) => v.version)).toEqual(['1']);
  });

  it('cleanup passes with --mlflow-direct-url, deleting through MLflow directly, and nothing of the check is left', async ({ expect }) => {
    const r = await checkWithFaults(['proxy-drops-delete-body'], { json: tmp.file('drops-delete-direct.json'), direct: true });
    expect(r.run.code, r.run.all).toBe(0);
    expect(stepIn(r.target, 'cleanup').status).toBe('pass');
    expect(r.target.findings).toEqual([]);
    expect(r.target.leftovers).toEqual([]);
    const deletes = r.target.exchanges.filter((x) => x.step === 'cleanup' && /^(model-versions|registered-models)\/delete$/.test(x.label));
    expect(deletes.map((x) => x.label).sort()).toEqual(['model-versions/delete', 'registered-models/delete']);
    for (const x of deletes) {
      expect(x.request.url.startsWith(`${r.mlflowUrl}/api/2.0/mlflow/`)).toBe(true);
      expect(x.response?.status).toBe(200);
    }
    expect(r.inventory.registeredModels).toEqual([]);
    expect(r.inventory.runs.filter((x) => x.tags[CHECK_TAG] === r.target.checkId && x.lifecycleStage === 'active')).toEqual([]);
    expect(r.inventory.artifactFiles).toEqual([]);
  });

  it('sweep --mlflow-direct-url removes tagged leftovers the proxy cannot delete, and only those', async ({ expect }) => {
    const stack = await startStack({ faults: ['proxy-drops-delete-body'] });
    try {
      const seeded = seedLeftovers(stack);
      const env = { HOKUSAI_API_KEY: stack.apiKey };
      const target = ['--registry-url', stack.registryUrl];

      // Through the proxy alone the model cannot be deleted: sweep says so and exits 1.
      const viaProxy = await runInProcess(['sweep', ...target, '--older-than', '0s', '--force'], { env });
      expect(viaProxy.code, viaProxy.all).toBe(1);
      expect(viaProxy.stdout).toMatch(new RegExp(`could not delete registered-model ${seeded.model}.*400`));
      expect(stack.inventory().registeredModels.map((m) => m.name)).toContain(seeded.model);

      const before = stack.requests().length;
      const direct = await runInProcess(['sweep', ...target, '--mlflow-direct-url', stack.mlflowUrl, '--older-than', '0s', '--force'], {
        env,
      });
      expect(direct.code, direct.all).toBe(0);
      expect(direct.stdout).toContain(`deleted registered-model ${seeded.model}`);
      const inv = stack.inventory();
      expect(inv.registeredModels.map((m) => m.name)).toEqual([seeded.lookAlike]);
      expect(inv.runs.find((x) => x.runId === seeded.runId)?.lifecycleStage).toBe('deleted');
      expect(inv.runs.find((x) => x.runId === seeded.untaggedRunId)?.lifecycleStage).toBe('active');
      // The direct URL got the registry deletes (MLflow read their bodies: the model is gone).
      const onMlflow = stack
        .requests()
        .slice(before)
        .filter((q) => q.server === 'mlflow' && q.method === 'DELETE' && q.path.startsWith('/api/2.0/mlflow/'));
      expect(onMlflow.map((q) => q.path).sort()).toEqual([
        '/api/2.0/mlflow/model-versions/delete',
        '/api/2.0/mlflow/registered-models/delete',
      ]);
    } finally {
      await stack.close();
    }
  });
});

describe.concurrent('2. health endpoints vary by version', () => {
  it('a missing /api/health/mlflow is a note in the health step, not a failure or a finding', async ({ expect }) => {
    const r = await checkWithFaults(['health-mlflow-missing'], { json: tmp.file('health-missing.json') });
    expect(r.run.code, r.run.all).toBe(0);
    const health = stepIn(r.target, 'health');
    expect(health.status).toBe('pass');
    expect(health.notes.join('\n')).toMatch(/\/api\/health\/mlflow is not served by this API version \(404\)/);
    expect(r.target.findings).toEqual([]);
    // The key goes to the health endpoints (older versions guard them); detailed=true is never asked for.
    const mlflowHealth = r.requests.find((q) => q.server === 'api' && q.path === '/api/health/mlflow');
    expect(mlflowHealth?.headers.authorization).toBe('<redacted>');
    expect(r.requests.filter((q) => /detailed=true/.test(q.path))).toEqual([]);
  });

  it('a degraded /health is HEALTH_DEGRADED naming the component, a warning only', async ({ expect }) => {
    const r = await checkWithFaults(['health-degraded'], { json: tmp.file('health-degraded.json') });
    expect(r.run.code, r.run.all).toBe(0);
    const f = findingIn(r.target, 'HEALTH_DEGRADED');
    expect(f).toMatchObject({ severity: 'warn', step: 'health', rootCause: false, related: [] });
    expect(f.cause).toMatch(/redis is unhealthy/);
  });

  it('in the incident, the degraded health is linked to the root cause as the same problem', async ({ expect }) => {
    const r = await incident();
    const f = findingIn(r.target, 'HEALTH_DEGRADED');
    expect(f).toMatchObject({ severity: 'warn', step: 'health', rootCause: false });
    expect(f.related).toContain('ROUTE_ARTIFACTS_MISROUTED');
    expect(f.cause).toMatch(/mlflow is unhealthy/);
    expect(f.cause).toMatch(/the same problem as the root cause ROUTE_ARTIFACTS_MISROUTED/);
    expect(stepIn(r.target, 'health')).toMatchObject({ status: 'warn', rootCause: false });
  });
});

describe.concurrent('3. auth outage and the validation cache', () => {
  const outages = [
    { fault: 'auth-down', status: 503, detail: 'Authentication service error' },
    { fault: 'auth-down-legacy', status: 401, detail: 'Authentication service unavailable' },
  ] as const;

  for (const o of outages) {
    it(`the API's ${o.status} "${o.detail}" is AUTH_SERVICE_DOWN when the registry is all there is (${o.fault})`, async ({ expect }) => {
      const r = await checkWithFaults([o.fault], { json: tmp.file(`${o.fault}-registry.json`), noAuthUrl: true });
      expect(r.run.code, r.run.all).toBe(1);
      expect(stepIn(r.target, 'auth').status).toBe('skipped');
      const root = r.target.findings[0]!;
      expect(root).toMatchObject({ code: 'AUTH_SERVICE_DOWN', step: 'experiments', rootCause: true });
      const answer = evidenceOf(r.target, root).find((x) => x.label === 'experiments/search');
      expect(answer?.response?.status).toBe(o.status);
      expect(answer?.response?.bodyExcerpt).toContain(o.detail);
      expect(r.target.findings.map((f) => f.code)).not.toContain('AUTH_KEY_INVALID');
    });

    it(`with the auth URL too, AUTH_SERVICE_DOWN cites the auth service and the API's ${o.status} (${o.fault})`, async ({ expect }) => {
      const r = await checkWithFaults([o.fault], { json: tmp.file(`${o.fault}-auth.json`) });
      expect(r.run.code, r.run.all).toBe(1);
      const root = r.target.findings[0]!;
      expect(root).toMatchObject({ code: 'AUTH_SERVICE_DOWN', step: 'auth', rootCause: true });
      const cited = evidenceOf(r.target, root);
      expect(cited.find((x) => x.label === 'validate')?.response?.status).toBe(503);
      const api = cited.find((x) => x.probe === 'registry-accepts-key');
      expect(api?.response?.status).toBe(o.status);
      expect(api?.response?.bodyExcerpt).toContain(o.detail);
      expect(r.target.findings.map((f) => f.code)).toEqual(['AUTH_SERVICE_DOWN']);
    });
  }

  it('auth rejecting a key the registry still accepts is AUTH_CACHE_MASKING, a warning next to the auth failure', async ({ expect }) => {
    const r = await checkWithFaults(['auth-cache-masking'], { json: tmp.file('cache-masking.json') });
    expect(r.run.code, r.run.all).toBe(1);
    expect(r.target.findings[0]).toMatchObject({ code: 'AUTH_KEY_INVALID', step: 'auth', rootCause: true });
    const f = findingIn(r.target, 'AUTH_CACHE_MASKING');
    expect(f).toMatchObject({ severity: 'warn', step: 'auth', rootCause: false });
    expect(f.related).toContain('AUTH_KEY_INVALID');
    const cited = evidenceOf(r.target, f);
    expect(cited.find((x) => x.label === 'validate')?.response?.status).toBe(401);
    const accepted = cited.find((x) => x.request.url.startsWith(`${r.registryUrl}/api/mlflow/`));
    expect(accepted?.response?.status).toBe(200);
    expect(f.cause).toMatch(/cached validation/);
    expect(r.run.stdout.indexOf('Root cause: AUTH_KEY_INVALID')).toBeLessThan(r.run.stdout.indexOf('Warning: AUTH_CACHE_MASKING'));
  });
});

describe.concurrent("4. proxied answers carry both components' headers", () => {
  it('the fingerprint reads both server headers and reports the chain hokusai-api → mlflow', async ({ expect }) => {
    const r = await checkWithFaults([], { json: tmp.file('headers.json') });
    expect(r.run.code, r.run.all).toBe(0);
    const search = r.target.exchanges.find((x) => x.step === 'experiments' && x.label === 'experiments/search');
    const servers = (search?.response?.headers ?? []).filter(([name]) => name.toLowerCase() === 'server').map(([, v]) => v);
    expect(servers).toEqual(['uvicorn', 'gunicorn']);
    expect(search?.chain).toEqual(['hokusai-api', 'mlflow']);
    expect(search?.responder).toBe('mlflow');
  });
});

describe.concurrent('5. the incident: static prefix, tracking paths rewritten to ajax-api, artifact paths not', () => {
  it('the stack reproduces the mechanism: MLflow sees the artifact PUT under /mlflow/api/ and 404s it', async ({ expect }) => {
    const r = await incident();
    expect(
      r.serverLog.some((l) => /^mlflow PUT \/mlflow\/api\/2\.0\/mlflow-artifacts\/artifacts\/\S+ -> 404$/.test(l)),
      r.serverLog.join('\n'),
    ).toBe(true);
    expect(r.serverLog.some((l) => /^mlflow GET \/mlflow\/ajax-api\/2\.0\/mlflow\/experiments\/search\S* -> 200$/.test(l))).toBe(true);
  });

  it('ROUTE_ARTIFACTS_MISROUTED cites the ajax-api probe that worked, and names both fixes and the workaround', async ({ expect }) => {
    const r = await incident();
    const f = findingIn(r.target, 'ROUTE_ARTIFACTS_MISROUTED');
    expect(f.rootCause).toBe(true);
    const ajax = evidenceOf(r.target, f).find((x) => x.probe === 'ajax-artifact');
    expect(ajax?.request.method).toBe('PUT');
    expect(ajax?.request.url).toContain(`${r.registryUrl}/api/mlflow/ajax-api/2.0/mlflow-artifacts/artifacts/`);
    expect(ajax?.response?.status).toBe(200);
    expect(f.cause).toContain(`via ajax-api/2.0/mlflow-artifacts succeeded (${ajax?.id})`);
    const fix = f.fix.join('\n');
    expect(fix).toMatch(/internal URL, without the --static-prefix/);
    expect(fix).toMatch(/rewrite api\/2\.0\/mlflow-artifacts\/ to ajax-api\/2\.0\/mlflow-artifacts\//);
    expect(fix).toMatch(/Workaround for clients.*ajax-api\/2\.0\/mlflow-artifacts\/artifacts/);
  });

  it("the probe's uploaded file is cleaned up: nothing of the check is left", async ({ expect }) => {
    const r = await incident();
    expect(stepIn(r.target, 'cleanup').status).toBe('pass');
    const removed = r.target.exchanges.find(
      (x) => x.step === 'cleanup' && x.request.method === 'DELETE' && x.request.url.includes('/ajax-api/2.0/mlflow-artifacts/artifacts/'),
    );
    expect(removed?.response?.status).toBe(200);
    expect(r.inventory.artifactFiles).toEqual([]);
    expect(r.inventory.runs.filter((x) => x.lifecycleStage === 'active')).toEqual([]);
  });
});

let incidentRun: Promise<FaultRun> | undefined;
/** One incident run, shared by the tests that read it. */
function incident(): Promise<FaultRun> {
  return (incidentRun ??= checkWithFaults(['artifacts-misrouted'], { json: tmp.file('incident.json') }));
}

function checkRunId(r: FaultRun): string {
  const run = r.inventory.runs.find((x) => x.tags[CHECK_TAG] === r.target.checkId);
  if (!run) throw new Error(`no run tagged ${CHECK_TAG}=${r.target.checkId} in the stack`);
  return run.runId;
}

/** A crashed check's leftovers (tagged, old), plus look-alikes sweep must not touch. */
function seedLeftovers(stack: Awaited<ReturnType<typeof startStack>>) {
  const id = 'a1b2c3d4e5f6';
  const model = `hokus-check-${id}`;
  const lookAlike = 'hokus-check-0000deadbeef';
  const exp = stack.seed.experiment(CHECK_EXPERIMENT);
  const hourAgo = Date.now() - 3_600_000;
  const runId = stack.seed.run({
    experimentId: exp,
    name: model,
    tags: { [CHECK_TAG]: id },
    startTime: hourAgo,
    artifacts: { 'hokus-check/probe.bin': 'x' },
  });
  const untaggedRunId = stack.seed.run({ experimentId: exp, name: lookAlike, startTime: hourAgo });
  stack.seed.registeredModel({
    name: model,
    tags: { [CHECK_TAG]: id },
    versions: [{ runId, source: `mlflow-artifacts:/${exp}/${runId}/artifacts/hokus-check` }],
  });
  stack.seed.registeredModel({ name: lookAlike });
  return { model, lookAlike, runId, untaggedRunId };
}
