// Cleanup deletes only what it proves is the check's own, and says what remains: a create
// that answers after its timeout is found by tag and deleted, a server that hands back someone else's
// run never gets it deleted, and a run whose artifacts cannot be deleted stays, tagged, for sweep.
// Each against the embedded stack's fault, checked by what the server holds afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function check(s: Stack, name: string, args: string[] = []) {
  const json = tmp.file(`${name}.json`);
  const run = await runInProcess(['--registry-url', s.registryUrl, '--auth-url', s.authUrl, '--json', json, ...args], {
    env: { HOKUSAI_API_KEY: s.apiKey },
  });
  return { run, report: readReport(json) };
}

const TAG = 'hokus-check.id';

describe('cleanup proves what it deletes and what remains', () => {
  it('a runs/create that lands after its 1 s timeout: found by its tag and deleted, and said so', async () => {
    stack = await startStack({ faults: ['late-create'], slowMs: 2500, pendingPolls: 0 });
    stack.seed.experiment('hokus-check');
    const { run, report } = await check(stack, 'late-run', ['--timeout', '1s']);
    const t = report.targets[0]!;
    const cleanup = t.steps.find((s) => s.id === 'cleanup')!;
    expect(run.code, run.stdout).toBe(1);
    expect(t.steps.find((s) => s.id === 'run')!.status).toBe('fail');
    // The run landed 2.5 s after the request, while cleanup was looking for it.
    expect(cleanup.detail).toMatch(
      /^deleted 1 resource \(run [0-9a-f]{32}: its create gave no answer of ours; found by its tag and name\)$/,
    );
    expect(t.leftovers).toEqual([]);
    expect(stack.inventory().runs.filter((r) => r.lifecycleStage === 'active' && r.tags[TAG] !== undefined)).toEqual([]);
  }, 30_000);

  it('a registered-models/create that lands after its 1 s timeout: the model is found by name and tag and deleted', async () => {
    stack = await startStack({ faults: ['slow'], slowMs: 2500, pendingPolls: 0 });
    stack.seed.experiment('hokus-check');
    const { report } = await check(stack, 'late-model', ['--timeout', '1s']);
    const t = report.targets[0]!;
    const cleanup = t.steps.find((s) => s.id === 'cleanup')!;
    expect(t.steps.find((s) => s.id === 'register')!.status).toBe('fail');
    expect(cleanup.detail).toMatch(
      /\(registered model hokus-check-[0-9a-f]{12}: its create gave no answer of ours; found by its tag and name\)$/,
    );
    expect(t.leftovers).toEqual([]);
    expect(stack.inventory().registeredModels).toEqual([]);
  }, 30_000);

  it("runs/create answering someone else's run: that run is never deleted, it is named, and the check's own run is found and deleted", async () => {
    stack = await startStack({ faults: ['foreign-run'], pendingPolls: 0 });
    stack.seed.experiment('hokus-check');
    const { run, report } = await check(stack, 'foreign');
    const t = report.targets[0]!;
    expect(run.code, run.stdout).toBe(1);
    expect(t.steps.find((s) => s.id === 'run')!.detail).toMatch(
      /^runs\/create answered run [0-9a-f]{32} \(important-training-run\), which is not this check's \(no hokus-check\.id=[0-9a-f]{12} tag, name not hokus-check-[0-9a-f]{12}\): left alone$/,
    );
    const runs = stack.inventory().runs;
    expect(runs.find((r) => r.name === 'important-training-run')!.lifecycleStage).toBe('active');
    expect(runs.filter((r) => r.tags[TAG] !== undefined).map((r) => r.lifecycleStage)).toEqual(['deleted']);
    const cleanup = t.steps.find((s) => s.id === 'cleanup')!;
    expect(cleanup.notes.join('\n')).toMatch(
      /left alone: run [0-9a-f]{32} \(important-training-run\), which a create answered with but is not this check's/,
    );
  });

  it('an artifact directory whose DELETE fails leaves the run in place and tagged, named with the sweep command', async () => {
    stack = await startStack({ faults: ['artifact-delete-fails'], pendingPolls: 0 });
    stack.seed.experiment('hokus-check');
    const { run, report } = await check(stack, 'artifact-delete');
    const t = report.targets[0]!;
    expect(t.steps.find((s) => s.id === 'cleanup')!.status).toBe('warn');
    const ours = stack.inventory().runs.filter((r) => r.tags[TAG] !== undefined);
    expect(ours.map((r) => r.lifecycleStage)).toEqual(['active']);
    expect(t.leftovers.join('\n')).toMatch(
      /^run [0-9a-f]{32} \(kept, tagged hokus-check\.id=[0-9a-f]{12}, so that `hokus-check sweep` deletes its artifacts and then it\)$/m,
    );
    const finding = t.findings.find((f) => f.code === 'CLEANUP_LEFTOVERS')!;
    expect(finding.fix.join('\n')).toMatch(/hokus-check sweep/);
    expect(run.stdout).toMatch(/CLEANUP_LEFTOVERS/);
  });
});
