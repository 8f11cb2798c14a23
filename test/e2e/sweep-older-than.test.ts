// `sweep --older-than` shorter than a check can run (its deadline plus the cleanup budget) would delete
// what checks still running made: refused with one line that says why and how to override
// (exit 2, nothing sent); `--force` sweeps anyway and says what it risks.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSweep } from '../../src/commands/sweep.js';
import { createFactory } from '../../src/factory.js';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { fakeIo } from '../helpers/safety-inprocess.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const TAG = 'hokus-check.id';
const CREATED = 'hokus-check.created';
const ID = 'f0f0f0f0f0f1';
const NAME = `hokus-check-${ID}`;

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
  // What a check that started 90 s ago has made so far: well within its 2 min deadline.
  const at = Date.now() - 90_000;
  const exp = stack.seed.experiment('hokus-check');
  stack.seed.run({
    experimentId: exp,
    name: NAME,
    tags: { [TAG]: ID, [CREATED]: String(at) },
    startTime: at,
    artifacts: { 'hokus-check/probe.bin': 'x' },
  });
  stack.seed.registeredModel({ name: NAME, tags: { [TAG]: ID, [CREATED]: String(at) }, creationTimestamp: at });
});
afterEach(() => stack.close());

/** Active runs and models of the check, as the stack holds them. */
function held() {
  const inv = stack.inventory();
  return {
    runs: inv.runs.filter((r) => r.lifecycleStage === 'active').map((r) => r.name),
    models: inv.registeredModels.map((m) => m.name),
    files: inv.artifactFiles.length,
  };
}

describe('sweep --older-than below what a check can take', () => {
  it('--older-than 1m: exit 2, one line saying why and how to override, and nothing is sent', async () => {
    const before = stack.requests().length;
    const run = await runInProcess(['sweep', '--registry-url', stack.registryUrl, '--older-than', '1m'], {
      env: { HOKUSAI_API_KEY: stack.apiKey },
    });
    expect(run.code, run.all).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      'hokus-check: --older-than 1m is shorter than a check can run (deadline 2m + cleanup 10s = 2m10s), so it could delete what a running check made; give --older-than 2m10s or more, or add --force',
    ]);
    expect(stack.requests().length).toBe(before);
    expect(held()).toEqual({ runs: [NAME], models: [NAME], files: 1 });
  });

  it('counts the configured deadline: HOKUS_CHECK_DEADLINE=5m refuses --older-than 4m', async () => {
    const run = await runInProcess(['sweep', '--registry-url', stack.registryUrl, '--older-than', '4m'], {
      env: { HOKUSAI_API_KEY: stack.apiKey, HOKUS_CHECK_DEADLINE: '5m' },
    });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr).toMatch(/^hokus-check: --older-than 4m is shorter than a check can run \(deadline 5m \+ cleanup 10s = 5m10s\)/);
  });

  it('a shorter configured deadline does not lower the bound below the default one (checks run by others)', async () => {
    const run = await runInProcess(['sweep', '--registry-url', stack.registryUrl, '--older-than', '1m'], {
      env: { HOKUSAI_API_KEY: stack.apiKey, HOKUS_CHECK_DEADLINE: '20s' },
    });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr).toMatch(/\(deadline 2m \+ cleanup 10s = 2m10s\)/);
  });

  it('--older-than 2m10s is accepted, and the 90 s-old check is not old enough', async () => {
    const run = await runInProcess(['sweep', '--registry-url', stack.registryUrl, '--older-than', '2m10s'], {
      env: { HOKUSAI_API_KEY: stack.apiKey },
    });
    expect(run.code, run.all).toBe(0);
    expect(run.stdout).toMatch(/^0 leftovers older than 2m10s found/m);
    expect(held()).toEqual({ runs: [NAME], models: [NAME], files: 1 });
  });

  it('--force sweeps anyway, and says what it risks', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { HOKUSAI_API_KEY: stack.apiKey };
    const code = await runSweep(
      { registryUrl: stack.registryUrl, olderThan: '1m', force: true, env: [] },
      createFactory({ io: fakeIo(out, err, env), env, cwd: tmp.path, version: '0.0.0-test' }),
    );
    expect(code, err.join('')).toBe(0);
    expect(err.join('')).toMatch(
      /^hokus-check: warning: --force: --older-than 1m is shorter than a check can run \(2m10s\): what running checks made may be deleted$/m,
    );
    expect(out.join('')).toMatch(/^2 leftovers older than 1m found; 2 deleted, 0 not$/m);
    expect(held()).toEqual({ runs: [], models: [], files: 0 });
  });
});
