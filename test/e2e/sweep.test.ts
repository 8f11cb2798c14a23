// `hokus-check sweep` deletes leftovers of crashed checks — tagged `hokus-check.id`=X AND named
// `hokus-check-X` AND old enough — and nothing else, even when a name looks like ours. Also: two
// checks at once against one stack do not get in each other's way.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const HOUR = 60 * 60 * 1000;
const TAG = 'hokus-check.id';

interface Seeded {
  /** Names sweep must delete. */
  leftovers: { runs: string[]; models: string[] };
  /** Names sweep must not touch. */
  lookAlikes: { runs: string[]; models: string[] };
}

/**
 * Seeds the stack: crashed checks' leftovers (2 h old), and look-alikes. The stack's clock is the
 * test's (faked) Date, so registered models — which take their creation time from it — can be old.
 */
function seed(stack: Stack, setClock: (ms: number) => void): Seeded {
  const realNow = Date.now();
  const exp = stack.seed.experiment('hokus-check');
  const run = (name: string, tags: Record<string, string>, startTime: number) =>
    stack.seed.run({ experimentId: exp, name, tags, startTime, artifacts: { [`hokus-check/probe-${name}.bin`]: `payload of ${name}` } });

  setClock(realNow - 2 * HOUR);
  // Leftovers: tag X, name hokus-check-X, old. A run (with its artifact) and a model with a version.
  const oldRunId = run('hokus-check-aaaaaaaaaaa1', { [TAG]: 'aaaaaaaaaaa1' }, realNow - 2 * HOUR);
  run('hokus-check-aaaaaaaaaaa2', { [TAG]: 'aaaaaaaaaaa2', 'mlflow.runName': 'hokus-check-aaaaaaaaaaa2' }, realNow - 3 * HOUR);
  stack.seed.registeredModel({
    name: 'hokus-check-aaaaaaaaaaa1',
    tags: { [TAG]: 'aaaaaaaaaaa1' },
    versions: [{ runId: oldRunId, source: 'mlflow-artifacts:/1/x/artifacts/hokus-check' }],
  });
  stack.seed.registeredModel({ name: 'hokus-check-aaaaaaaaaaa3', tags: { [TAG]: 'aaaaaaaaaaa3' } });
  // Look-alikes, just as old: the name without the tag; a tag that does not match the name.
  run('hokus-check-bbbbbbbbbbb1', {}, realNow - 2 * HOUR);
  run('hokus-check-bbbbbbbbbbb2', { [TAG]: 'ccccccccccc2' }, realNow - 2 * HOUR);
  run('my-own-run', { [TAG]: 'bbbbbbbbbbb3' }, realNow - 2 * HOUR);
  stack.seed.registeredModel({ name: 'hokus-check-bbbbbbbbbbb4', versions: [{ source: 'mlflow-artifacts:/1/y/artifacts/model' }] });
  stack.seed.registeredModel({ name: 'hokus-check-bbbbbbbbbbb5', tags: { [TAG]: 'ccccccccccc5' } });
  stack.seed.registeredModel({ name: 'production-model', tags: { [TAG]: 'bbbbbbbbbbb6' } });

  setClock(realNow - 5 * 60 * 1000);
  // Tagged and well named, but too recent (5 min): maybe a check running right now.
  run('hokus-check-ddddddddddd1', { [TAG]: 'ddddddddddd1' }, realNow - 5 * 60 * 1000);
  stack.seed.registeredModel({ name: 'hokus-check-ddddddddddd2', tags: { [TAG]: 'ddddddddddd2' } });
  setClock(realNow);

  return {
    leftovers: {
      runs: ['hokus-check-aaaaaaaaaaa1', 'hokus-check-aaaaaaaaaaa2'],
      models: ['hokus-check-aaaaaaaaaaa1', 'hokus-check-aaaaaaaaaaa3'],
    },
    lookAlikes: {
      runs: ['hokus-check-bbbbbbbbbbb1', 'hokus-check-bbbbbbbbbbb2', 'my-own-run', 'hokus-check-ddddddddddd1'],
      models: ['hokus-check-bbbbbbbbbbb4', 'hokus-check-bbbbbbbbbbb5', 'production-model', 'hokus-check-ddddddddddd2'],
    },
  };
}

/** Active runs, models and artifact files by name, as the stack holds them now. */
function holdings(stack: Stack) {
  const inv = stack.inventory();
  return {
    runs: inv.runs
      .filter((r) => r.lifecycleStage === 'active')
      .map((r) => r.name)
      .sort(),
    models: inv.registeredModels.map((m) => m.name).sort(),
    artifacts: inv.artifactFiles.map((f) => /probe-(.*)\.bin$/.exec(f)?.[1] ?? f).sort(),
  };
}

interface SweepJson {
  dryRun: boolean;
  olderThanMs: number;
  leftovers: Array<{ kind: 'run' | 'registered-model'; name: string; id: string; deleted?: boolean }>;
}

describe('sweep', () => {
  let stack: Stack;
  let seeded: Seeded;
  let sweepArgs: string[];
  let env: Record<string, string>;

  beforeAll(async () => {
    // Only Date is faked, and it keeps running: the stack's timers and sockets are real.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    stack = await startStack();
    seeded = seed(stack, (ms) => vi.setSystemTime(ms));
    sweepArgs = ['sweep', '--registry-url', stack.registryUrl, '--older-than', '1h'];
    env = { HOKUSAI_API_KEY: stack.apiKey };
  });
  afterAll(async () => {
    vi.useRealTimers();
    await stack.close();
  });

  it('--dry-run lists exactly the tagged, well-named, old leftovers and deletes nothing', async () => {
    const before = holdings(stack);
    const run = await runInProcess([...sweepArgs, '--dry-run'], { env });
    expect(run.code, run.all).toBe(0);
    for (const name of [...seeded.leftovers.runs, ...seeded.leftovers.models])
      expect(run.stdout).toMatch(new RegExp(`would delete .*${name}`));
    for (const name of [...seeded.lookAlikes.runs, ...seeded.lookAlikes.models]) expect(run.stdout).not.toContain(name);
    expect(run.stdout).toMatch(/4 leftovers older than 1h found; dry run: nothing deleted/);
    expect(holdings(stack)).toEqual(before);
  });

  it('--json - prints only a document that parses, listing the same leftovers', async () => {
    const run = await runInProcess([...sweepArgs, '--dry-run', '--json', '-'], { env });
    expect(run.code, run.all).toBe(0);
    // The JSON owns stdout; the lines for people went to stderr.
    const doc = JSON.parse(run.stdout) as SweepJson;
    expect(run.stderr).toMatch(/would delete/);
    expect(doc.dryRun).toBe(true);
    expect(doc.olderThanMs).toBe(HOUR);
    expect(
      doc.leftovers
        .filter((l) => l.kind === 'run')
        .map((l) => l.name)
        .sort(),
    ).toEqual(seeded.leftovers.runs);
    expect(
      doc.leftovers
        .filter((l) => l.kind === 'registered-model')
        .map((l) => l.name)
        .sort(),
    ).toEqual(seeded.leftovers.models);
  });

  it('removes every leftover (runs, their artifacts, models and versions) and none of the look-alikes', async () => {
    const json = tmp.file('sweep.json');
    const run = await runInProcess([...sweepArgs, '--json', json], { env });
    expect(run.code, run.all).toBe(0);
    expect(run.stdout).toMatch(/4 leftovers older than 1h found; 4 deleted, 0 not/);
    const after = holdings(stack);
    expect(after.runs).toEqual([...seeded.lookAlikes.runs].sort());
    expect(after.models).toEqual([...seeded.lookAlikes.models].sort());
    // The leftovers' artifacts are gone; the look-alikes' are all still there.
    expect(after.artifacts).toEqual([...seeded.lookAlikes.runs].sort());

    const again = await runInProcess([...sweepArgs, '--dry-run'], { env });
    expect(again.stdout).toMatch(/0 leftovers older than 1h found/);
  });
});

describe('two checks at the same time against one stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('both pass, each cleans up only its own, and nothing is left', async () => {
    const args = (name: string) => ['--registry-url', stack.registryUrl, '--auth-url', stack.authUrl, '--json', tmp.file(name)];
    const [a, b] = await Promise.all([
      runInProcess(args('a.json'), { env: { HOKUSAI_API_KEY: stack.apiKey } }),
      runInProcess(args('b.json'), { env: { HOKUSAI_API_KEY: stack.apiKey } }),
    ]);
    expect(a.code, a.all).toBe(0);
    expect(b.code, b.all).toBe(0);
    const [ra, rb] = [readReport(tmp.file('a.json')), readReport(tmp.file('b.json'))];
    expect(ra.targets[0]!.checkId).not.toBe(rb.targets[0]!.checkId);
    // Both created the shared experiment's run, model and artifact, and both deleted their own.
    expect(ra.targets[0]!.steps.find((s) => s.id === 'cleanup')!.detail).toMatch(/deleted \d+ resources/);
    expect(rb.targets[0]!.steps.find((s) => s.id === 'cleanup')!.detail).toMatch(/deleted \d+ resources/);
    const inv = stack.inventory();
    expect(inv.runs.filter((r) => r.lifecycleStage === 'active')).toEqual([]);
    expect(inv.runs).toHaveLength(2);
    expect(inv.registeredModels).toEqual([]);
    expect(inv.artifactFiles).toEqual([]);
    expect(inv.experiments.filter((e) => e.name === 'hokus-check')).toHaveLength(1);
  });
});
