import { describe, expect, it } from 'vitest';
import type { Exchange, Http, HttpResult, RequestSpec } from '../../../src/http/types.js';
import { probeArtifactRouting } from '../../../src/diagnosis/probes/artifact-routing.js';
import { probeAuthHealth } from '../../../src/diagnosis/probes/auth-health.js';
import { probeAuthWithoutServiceId } from '../../../src/diagnosis/probes/auth-without-service-id.js';
import type { StepContext, Target } from '../../../src/steps/types.js';

const REL = '1/0123456789abcdef/artifacts';

/** A fake Http that records the specs it is sent and answers each with `answer(spec)`. */
function fakeContext(target: Partial<Target>, answer: (spec: RequestSpec) => number | 'throw' = () => 200, aborted = false) {
  const sent: RequestSpec[] = [];
  const http: Http = {
    send(spec) {
      sent.push(spec);
      const status = answer(spec);
      if (status === 'throw') return Promise.reject(new Error('bug in the client'));
      return Promise.resolve({ exchange: {} as Exchange, status, text: '{}', json: {} } satisfies HttpResult);
    },
    exchanges: () => [],
    redact: (s) => s,
    close: async () => {},
  };
  const controller = new AbortController();
  if (aborted) controller.abort();
  const fullTarget: Target = {
    name: 'staging',
    kind: 'hokusai',
    registryUrl: 'https://registry.example.test',
    authUrl: 'https://auth.example.test/',
    mlflowPath: '/api/mlflow',
    serviceId: 'platform',
    apiKeyEnv: 'HOKUSAI_API_KEY',
    ...target,
  };
  const ctx = {
    target: fullTarget,
    http,
    state: { checkId: 'abc123', created: { artifactPaths: [], artifactDirs: [], modelVersions: [] } },
    signal: controller.signal,
    mlflowBase: fullTarget.kind === 'mlflow' ? (fullTarget.mlflowUrl ?? '') : 'https://registry.example.test/api/mlflow',
  } as unknown as StepContext;
  return { ctx, sent };
}

describe('auth probes', () => {
  it('validates again without a service_id', async () => {
    const { ctx, sent } = fakeContext({});
    await probeAuthWithoutServiceId(ctx);
    expect(sent).toEqual([
      {
        step: 'auth',
        probe: 'auth-without-service-id',
        label: 'validate without service_id',
        method: 'POST',
        url: 'https://auth.example.test/api/v1/keys/validate',
        json: {},
        retries: 0,
      },
    ]);
  });

  it("asks the auth service's /health without the key", async () => {
    const { ctx, sent } = fakeContext({});
    await probeAuthHealth(ctx);
    expect(sent).toEqual([
      {
        step: 'auth',
        probe: 'auth-health',
        label: 'auth /health',
        method: 'GET',
        url: 'https://auth.example.test/health',
        withKey: false,
        retries: 0,
      },
    ]);
  });

  it('sends nothing without an auth URL or after an abort', async () => {
    const none = fakeContext({ authUrl: undefined });
    await probeAuthHealth(none.ctx);
    await probeAuthWithoutServiceId(none.ctx);
    expect(none.sent).toEqual([]);
    const aborted = fakeContext({}, () => 200, true);
    await probeAuthHealth(aborted.ctx);
    expect(aborted.sent).toEqual([]);
  });

  it('never throws, even when the client does', async () => {
    const { ctx } = fakeContext({}, () => 'throw');
    await expect(probeAuthWithoutServiceId(ctx)).resolves.toBeUndefined();
  });
});

describe('artifact routing probe', () => {
  it('lists, then uploads via ajax-api, and records the directory for cleanup when it succeeds', async () => {
    const { ctx, sent } = fakeContext({});
    await probeArtifactRouting(ctx, REL);
    expect(sent.map((s) => [s.probe, s.label, s.method, s.url, s.query])).toEqual([
      [
        'artifact-listing',
        'probe: list artifacts',
        'GET',
        'https://registry.example.test/api/mlflow/api/2.0/mlflow-artifacts/artifacts',
        { path: REL },
      ],
      [
        'ajax-artifact',
        'probe: PUT via ajax-api',
        'PUT',
        `https://registry.example.test/api/mlflow/ajax-api/2.0/mlflow-artifacts/artifacts/${REL}/hokus-check/ajax-probe-abc123.txt`,
        undefined,
      ],
    ]);
    expect(sent.every((s) => s.step === 'artifact')).toBe(true);
    expect(
      sent.every((s) => s.retries === 0),
      'probes make one try',
    ).toBe(true);
    expect(ctx.state.created.artifactDirs).toEqual([
      {
        base: 'https://registry.example.test/api/mlflow/ajax-api/2.0/mlflow-artifacts/artifacts',
        path: `${REL}/hokus-check`,
        withKey: true,
      },
    ]);
  });

  it('records nothing for cleanup when the ajax-api upload fails', async () => {
    const { ctx } = fakeContext({}, (s) => (s.method === 'PUT' ? 404 : 200));
    await probeArtifactRouting(ctx, REL);
    expect(ctx.state.created.artifactDirs).toEqual([]);
  });

  it('with a direct URL, uploads and reads back direct too, and records that directory', async () => {
    const { ctx, sent } = fakeContext({ mlflowDirectUrl: 'http://mlflow.internal:5000/' });
    await probeArtifactRouting(ctx, REL);
    const direct = sent.filter((s) => s.probe === 'direct-artifact');
    const url = `http://mlflow.internal:5000/api/2.0/mlflow-artifacts/artifacts/${REL}/hokus-check/direct-probe-abc123.txt`;
    expect(direct.map((s) => [s.label, s.method, s.url])).toEqual([
      ['probe: PUT direct', 'PUT', url],
      ['probe: GET direct', 'GET', url],
    ]);
    expect(ctx.state.created.artifactDirs.map((d) => d.base)).toEqual([
      'https://registry.example.test/api/mlflow/ajax-api/2.0/mlflow-artifacts/artifacts',
      'http://mlflow.internal:5000/api/2.0/mlflow-artifacts/artifacts',
    ]);
  });

  it('does not read back direct when the direct upload failed', async () => {
    const { ctx, sent } = fakeContext({ mlflowDirectUrl: 'http://mlflow.internal:5000' }, (s) =>
      s.probe === 'direct-artifact' ? 404 : 200,
    );
    await probeArtifactRouting(ctx, REL);
    expect(sent.filter((s) => s.probe === 'direct-artifact').map((s) => s.label)).toEqual(['probe: PUT direct']);
  });

  it('skips the ajax-api upload against a plain MLflow server', async () => {
    const { ctx, sent } = fakeContext({ kind: 'mlflow', mlflowUrl: 'http://127.0.0.1:5055', registryUrl: undefined, authUrl: undefined });
    await probeArtifactRouting(ctx, REL);
    expect(sent.map((s) => s.probe)).toEqual(['artifact-listing']);
  });

  it('stops when the check is aborted and never throws', async () => {
    const aborted = fakeContext({ mlflowDirectUrl: 'http://mlflow.internal:5000' }, () => 200, true);
    await probeArtifactRouting(aborted.ctx, REL);
    expect(aborted.sent).toEqual([]);
    const throwing = fakeContext({ mlflowDirectUrl: 'http://mlflow.internal:5000' }, () => 'throw');
    await expect(probeArtifactRouting(throwing.ctx, REL)).resolves.toBeUndefined();
    expect(throwing.ctx.state.created.artifactDirs).toEqual([]);
  });
});
