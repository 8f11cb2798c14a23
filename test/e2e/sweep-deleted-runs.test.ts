// An artifact directory whose DELETE failed while its run was deleted (what cleanup did before issue
// 20) is out of every search of active runs: `sweep` also looks at DELETED check runs — tagged with a
// check id and named after it, old enough — and deletes the `hokus-check/` directory at the run's own
// location, reporting it. And sweep itself never makes such an orphan: when a run's artifact delete
// fails, the run stays (tagged), as the check's cleanup now leaves it, so a later sweep finds both.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { tempDir } from '../helpers/tmp.js';
import { readFileSync } from 'node:fs';

const tmp = tempDir();
afterAll(() => tmp.remove());

const HOUR = 3_600_000;
const TAG = 'hokus-check.id';
const CREATED = 'hokus-check.created';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

interface SweepJson {
  leftovers: Array<{ kind: string; name: string; id: string; path?: string; deleted?: boolean; error?: string }>;
}

/** Seeds a check run `hokus-check-<id>` (tag `tagId`, `age` ms old, artifacts under hokus-check/ when `files`), deleted when `deleted`. */
async function checkRun(s: Stack, o: { id: string; tagId?: string; age: number; files: boolean; deleted: boolean }): Promise<string> {
  const exp = s.seed.experiment('hokus-check');
  const at = Date.now() - o.age;
  const runId = s.seed.run({
    experimentId: exp,
    name: `hokus-check-${o.id}`,
    tags: { [TAG]: o.tagId ?? o.id, [CREATED]: String(at) },
    startTime: at,
    ...(o.files ? { artifacts: { [`hokus-check/probe-${o.id}.bin`]: `payload of ${o.id}` } } : {}),
  });
  if (o.deleted) {
    // As cleanup did when its artifact DELETE failed: the run deleted all the same.
    const r = await fetch(`${s.mlflowUrl}/api/2.0/mlflow/runs/delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ run_id: runId }),
    });
    expect(r.status).toBe(200);
  }
  return runId;
}

/** Ids whose probe file is still on the artifact store. */
function filesLeft(s: Stack): string[] {
  return s
    .inventory()
    .artifactFiles.map((f) => /probe-(.*)\.bin$/.exec(f)?.[1] ?? f)
    .sort();
}

describe('sweep and deleted check runs', () => {
  it('finds the artifacts of an old deleted check run and deletes them; clean, young and look-alike deleted runs are left alone', async () => {
    stack = await startStack();
    const orphan = await checkRun(stack, { id: 'ccccccccccc1', age: 2 * HOUR, files: true, deleted: true });
    await checkRun(stack, { id: 'ccccccccccc2', age: 2 * HOUR, files: false, deleted: true });
    await checkRun(stack, { id: 'ccccccccccc3', tagId: 'ddddddddddd3', age: 2 * HOUR, files: true, deleted: true });
    await checkRun(stack, { id: 'ccccccccccc4', age: 5 * 60_000, files: true, deleted: true });
    // The case cleanup leaves from now on: the run kept, active and tagged, with its artifacts.
    const kept = await checkRun(stack, { id: 'ccccccccccc5', age: 2 * HOUR, files: true, deleted: false });
    const args = ['sweep', '--registry-url', stack.registryUrl, '--older-than', '1h'];
    const env = { HOKUSAI_API_KEY: stack.apiKey };
    const exp = stack.inventory().experiments.find((e) => e.name === 'hokus-check')!.id;

    const dry = await runInProcess([...args, '--dry-run'], { env });
    expect(dry.code, dry.all).toBe(0);
    expect(dry.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^would delete run hokus-check-ccccccccccc5 \\(${kept}\\), created `)),
      expect.stringMatching(
        new RegExp(
          `^would delete artifacts ${exp}/${orphan}/artifacts/hokus-check/ of deleted run hokus-check-ccccccccccc1 \\(${orphan}\\), created `,
        ),
      ),
      '2 leftovers older than 1h found; dry run: nothing deleted',
    ]);
    expect(filesLeft(stack)).toEqual(['ccccccccccc1', 'ccccccccccc3', 'ccccccccccc4', 'ccccccccccc5']);
    expect(dry.stderr).toBe('');

    const json = tmp.file('deleted-runs.json');
    const run = await runInProcess([...args, '--json', json], { env });
    expect(run.code, run.all).toBe(0);
    expect(run.stdout).toMatch(/^2 leftovers older than 1h found; 2 deleted, 0 not$/m);
    expect(filesLeft(stack)).toEqual(['ccccccccccc3', 'ccccccccccc4']);
    expect(stack.inventory().runs.filter((r) => r.lifecycleStage === 'active')).toEqual([]);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as SweepJson;
    expect(doc.leftovers.map((l) => [l.kind, l.name, l.id, l.deleted])).toEqual([
      ['run', 'hokus-check-ccccccccccc5', kept, true],
      ['artifacts', 'hokus-check-ccccccccccc1', orphan, true],
    ]);
    expect(doc.leftovers[1]!.path).toBe(`${exp}/${orphan}/artifacts/hokus-check`);

    const again = await runInProcess([...args, '--dry-run'], { env });
    expect(again.stdout).toMatch(/^0 leftovers older than 1h found/m);
  });

  it('when an artifact DELETE fails, the run is kept (tagged, active) and both are reported; a deleted run’s artifacts likewise', async () => {
    stack = await startStack({ faults: ['artifact-delete-fails'] });
    const kept = await checkRun(stack, { id: 'ccccccccccc6', age: 2 * HOUR, files: true, deleted: false });
    const orphan = await checkRun(stack, { id: 'ccccccccccc7', age: 2 * HOUR, files: true, deleted: true });
    const run = await runInProcess(['sweep', '--registry-url', stack.registryUrl], { env: { HOKUSAI_API_KEY: stack.apiKey } });
    expect(run.code, run.all).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(
        `^could not delete run hokus-check-ccccccccccc6 \\(${kept}\\), created \\S+: artifacts \\d+/${kept}/artifacts/hokus-check/: 500 INTERNAL_ERROR; the run is kept, tagged, so that a later sweep finds them$`,
        'm',
      ),
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `^could not delete artifacts \\d+/${orphan}/artifacts/hokus-check/ of deleted run hokus-check-ccccccccccc7 \\(${orphan}\\), created \\S+: 500 INTERNAL_ERROR$`,
        'm',
      ),
    );
    expect(run.stdout).toMatch(/^2 leftovers older than 1h found; 0 deleted, 2 not$/m);
    const runs = stack.inventory().runs;
    expect(runs.find((r) => r.runId === kept)!.lifecycleStage).toBe('active');
    expect(filesLeft(stack)).toEqual(['ccccccccccc6', 'ccccccccccc7']);
  });
});
