// The shared experiment deleted between checks: the next check restores it (experiments/restore),
// or — when restore is refused — moves to the next name (hokus-check-2), and every later check
// settles on the same one. A check never fails because an earlier one's experiment was deleted.
// The experiment is deleted over MLflow's own REST API, as a user's cleanup script would.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { parseReport } from '../helpers/report.js';
import { runCheckInProcess } from '../helpers/safety-inprocess.js';
import { startFront, type FrontAction } from '../helpers/stall-front.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;

beforeEach(async () => {
  stack = await startStack({ pendingPolls: 0 });
});
afterEach(async () => {
  await stack.close();
});

async function check(registryUrl: string) {
  const run = await runCheckInProcess({
    flags: { registryUrl, authUrl: stack.authUrl, timeout: '5s', retries: '0' },
    outputs: { json: '-' },
    key: stack.apiKey,
    cwd: tmp.path,
  });
  const target = parseReport(run.out).targets[0]!;
  return {
    run,
    target,
    step: target.steps.find((s) => s.id === 'run')!,
    labels: target.exchanges.filter((x) => x.step === 'run').map((x) => `${x.label} ${x.response?.status ?? x.error?.kind}`),
  };
}

async function deleteExperiment(name: string): Promise<string> {
  const api = `${stack.mlflowUrl}/api/2.0/mlflow`;
  const got = (await (await fetch(`${api}/experiments/get-by-name?experiment_name=${name}`)).json()) as {
    experiment: { experiment_id: string };
  };
  const id = got.experiment.experiment_id;
  const res = await fetch(`${api}/experiments/delete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ experiment_id: id }),
  });
  expect(res.status).toBe(200);
  return id;
}

const stage = (name: string) => stack.inventory().experiments.find((e) => e.name === name)?.lifecycleStage;

describe('a deleted shared experiment', () => {
  it('is restored by the next check, which passes (exit 0) and says so', async () => {
    const first = await check(stack.registryUrl);
    expect(first.run.code, first.run.err).toBe(0);
    const id = await deleteExperiment('hokus-check');
    expect(stage('hokus-check')).toBe('deleted');

    const second = await check(stack.registryUrl);
    expect(second.run.code, second.run.err).toBe(0);
    expect(second.step.status).toBe('pass');
    expect(second.step.detail).toMatch(new RegExp(`^run \\w{8}… in experiment ${id}, restored$`));
    expect(second.step.notes).toContain(`experiment hokus-check (${id}) was deleted: restored it (experiments/restore)`);
    expect(second.labels).toEqual(['experiments/get-by-name 200', 'experiments/restore 200', 'runs/create 200']);
    expect(second.target.findings).toEqual([]);
    expect(stage('hokus-check')).toBe('active');
    expect(second.run.err).toMatch(/run\s+✔ pass .* in experiment \d+, restored/);
  });

  it('is replaced by hokus-check-2 when restore is refused, and later checks reuse hokus-check-2', async () => {
    await check(stack.registryUrl);
    await deleteExperiment('hokus-check');
    // A proxy that does not route experiments/restore: its own 403 page.
    const refuse = (method: string, path: string): FrontAction =>
      method === 'POST' && path.endsWith('/experiments/restore')
        ? {
            kind: 'answer',
            status: 403,
            headers: { 'content-type': 'text/html', server: 'nginx' },
            body: '<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr><center>nginx</center></body></html>',
          }
        : { kind: 'forward' };
    const front = await startFront(stack.registryUrl, refuse);
    try {
      const second = await check(front.url);
      expect(second.run.code, second.run.err).toBe(0);
      expect(second.step.detail).toMatch(/^run \w{8}… in experiment \d+ \(hokus-check-2\)$/);
      expect(second.step.notes).toEqual([
        'experiment hokus-check is deleted and could not be restored (experiments/restore: 403 text/html): using hokus-check-2',
      ]);
      expect(second.labels).toEqual([
        'experiments/get-by-name 200',
        'experiments/restore 403',
        'experiments/get-by-name 200',
        'experiments/get-by-name 404',
        'experiments/create 200',
        'runs/create 200',
      ]);
      expect(stage('hokus-check')).toBe('deleted');
      expect(stage('hokus-check-2')).toBe('active');

      const third = await check(front.url);
      expect(third.run.code, third.run.err).toBe(0);
      expect(third.labels.slice(-2)).toEqual(['experiments/get-by-name 200', 'runs/create 200']);
      expect(
        stack
          .inventory()
          .experiments.filter((e) => e.name.startsWith('hokus-check'))
          .map((e) => e.name)
          .sort(),
      ).toEqual(['hokus-check', 'hokus-check-2']);
    } finally {
      await front.close();
    }
  });
});
