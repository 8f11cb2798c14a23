// A plain MLflow server as the target (--mlflow-url): no auth service, no proxy prefix, key optional.
import { afterAll, describe, expect, it } from 'vitest';
import { startStack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport, stepOf } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('a plain MLflow server', () => {
  it('passes every step but auth (skipped) without a key, using MLflow /health and /version', async () => {
    const stack = await startStack();
    try {
      const json = tmp.file('plain.json');
      const run = await runInProcess(['--mlflow-url', stack.mlflowUrl, '--json', json], { env: {} });
      expect(run.code, run.all).toBe(0);
      const report = readReport(json);
      expect(stepOf(report, 'auth')).toMatchObject({ status: 'skipped' });
      expect(stepOf(report, 'health').detail).toMatch(/OK; MLflow 2\.12\.2/);
      for (const id of ['experiments', 'run', 'artifact', 'register', 'cleanup']) expect(stepOf(report, id).status).toBe('pass');
      const urls = report.targets[0]!.exchanges.map((x) => x.request.url);
      expect(urls.every((u) => u.startsWith(stack.mlflowUrl))).toBe(true);
      expect(urls.some((u) => u.includes('/api/mlflow/'))).toBe(false); // no proxy prefix
      const sent = stack.requests().filter((r) => r.server === 'mlflow');
      expect(sent.some((r) => 'authorization' in r.headers)).toBe(false); // no key, no header
      expect(stack.inventory().registeredModels).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('diagnoses MLFLOW_ARTIFACTS_NOT_SERVED when MLflow itself has no artifact routes', async () => {
    const stack = await startStack({ faults: ['artifacts-not-served'] });
    try {
      const json = tmp.file('plain-not-served.json');
      const run = await runInProcess(['--mlflow-url', stack.mlflowUrl, '--json', json], { env: {} });
      expect(run.code, run.all).toBe(1);
      const report = readReport(json);
      const artifact = stepOf(report, 'artifact');
      expect(artifact).toMatchObject({ status: 'fail', rootCause: true });
      expect(artifact.findings.map((f) => f.code)).toContain('MLFLOW_ARTIFACTS_NOT_SERVED');
      expect(stepOf(report, 'register')).toMatchObject({ status: 'blocked', blockedBy: 'artifact' });
    } finally {
      await stack.close();
    }
  });

  it('refuses --mlflow-url together with --registry-url (exit 2, one line)', async () => {
    const run = await runInProcess(['--mlflow-url', 'http://127.0.0.1:9', '--registry-url', 'http://127.0.0.1:9'], { env: {} });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
