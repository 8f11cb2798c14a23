// Paths the check deletes are paths it made: a server that answers runs/create with an artifact
// location that is not the new run's own (`..`, `%2e%2e`, `?`, `#`, another run, a run id that is a
// path) gets a failing artifact step, and no request at all goes to the artifact proxy. Also: JSON
// nested past any real answer is a finding, not an internal error. In-process (safety-inprocess.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runCheckInProcess } from '../helpers/safety-inprocess.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { startTamperingProxy, withJson } from '../helpers/safety-tamper.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
  tmp.remove();
});

type Info = { run_id: string; experiment_id: string; artifact_uri: string };

const LOCATIONS: Array<[string, (info: Info) => Partial<Info>]> = [
  ['.. after the run', (i) => ({ artifact_uri: `mlflow-artifacts:/${i.experiment_id}/${i.run_id}/artifacts/../../../../admin` })],
  ['%2e%2e', () => ({ artifact_uri: 'mlflow-artifacts:/%2e%2e/%2E%2E/admin' })],
  ['a query', (i) => ({ artifact_uri: `mlflow-artifacts:/${i.experiment_id}/${i.run_id}/artifacts?path=/../../x` })],
  ['a fragment', (i) => ({ artifact_uri: `mlflow-artifacts:/${i.experiment_id}/${i.run_id}/artifacts#x` })],
  ['another run', (i) => ({ artifact_uri: `mlflow-artifacts:/${i.experiment_id}/0123456789abcdef0123456789abcdef/artifacts` })],
  ['another experiment', (i) => ({ artifact_uri: `mlflow-artifacts:/999/${i.run_id}/artifacts` })],
  [
    'a run id that is a path',
    (i) => ({ run_id: '..%2f..%2fadmin', artifact_uri: `mlflow-artifacts:/${i.experiment_id}/..%2f..%2fadmin/artifacts` }),
  ],
  ['an s3 location with a path-shaped run id', () => ({ run_id: '../../x', artifact_uri: 's3://bucket/../../x' })],
];

describe('the artifact location must be the run the check created', () => {
  it.each(LOCATIONS)('%s: the artifact step fails and nothing is sent to the artifact proxy', async (name, change) => {
    const proxy = await startTamperingProxy(stack.registryUrl, (request, answer) =>
      request.path.includes('/runs/create') && answer.status === 200
        ? withJson(answer, (json) => {
            const run = json.run as { info: Info };
            return { ...json, run: { ...run, info: { ...run.info, ...change(run.info) } } };
          })
        : answer,
    );
    try {
      const run = await runCheckInProcess({
        flags: { registryUrl: proxy.url, authUrl: stack.authUrl, timeout: '3s', registerWait: '2s' },
        outputs: { json: '-' },
        key: stack.apiKey,
        cwd: tmp.path,
      });
      expect(run.code, run.err).toBe(1);
      const report = JSON.parse(run.out) as {
        targets: Array<{ steps: Array<{ id: string; status: string; detail: string }>; findings: unknown[] }>;
      };
      const artifact = report.targets[0]!.steps.find((s) => s.id === 'artifact')!;
      expect(artifact.status, name).toBe('fail');
      expect(artifact.detail).toMatch(/^artifact location refused: .*nothing was sent there$/);
      expect(report.targets[0]!.findings.length).toBeGreaterThan(0);
      expect(
        proxy.received.filter((r) => r.path.includes('mlflow-artifacts')),
        'requests to the artifact proxy',
      ).toEqual([]);
      expect(run.err).not.toMatch(/internal error/);
    } finally {
      await proxy.close();
    }
  });
});

describe('JSON nested past any real answer', () => {
  it.each([
    ['experiments/search', '/experiments/search'],
    ['runs/create', '/runs/create'],
  ])('from %s is a finding (exit 1), never an internal error', async (_name, path) => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const proxy = await startTamperingProxy(stack.registryUrl, (request, answer) =>
      request.path.includes(path) ? { ...answer, status: 200, body: Buffer.from(`{"a":${deep}}`) } : answer,
    );
    try {
      const run = await runCheckInProcess({
        flags: { registryUrl: proxy.url, authUrl: stack.authUrl, timeout: '3s' },
        outputs: { json: '-' },
        key: stack.apiKey,
        cwd: tmp.path,
      });
      expect(run.code, run.err).toBe(1);
      expect(run.err).not.toMatch(/internal error/);
      const report = JSON.parse(run.out) as { targets: Array<{ findings: Array<{ code: string }> }> };
      expect(report.targets[0]!.findings.map((f) => f.code).length).toBeGreaterThan(0);
      expect(findLeaks(run.out + run.err, stack.apiKey)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
