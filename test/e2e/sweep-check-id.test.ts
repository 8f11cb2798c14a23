// `sweep --check-id ID`: what one check left behind, named by that check when it quit without its
// cleanup (commands/session.ts) or in a CLEANUP_LEFTOVERS fix — whatever its age, and nothing of any
// other check, young or old.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';

const TAG = 'hokus-check.id';
const CREATED = 'hokus-check.created';
const MINE = 'a1a1a1a1a1a1';
const OTHER = 'b2b2b2b2b2b2';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
  const exp = stack.seed.experiment('hokus-check');
  // Both a minute old: younger than any default --older-than would sweep.
  const at = Date.now() - 60_000;
  for (const id of [MINE, OTHER]) {
    stack.seed.run({
      experimentId: exp,
      name: `hokus-check-${id}`,
      tags: { [TAG]: id, [CREATED]: String(at) },
      startTime: at,
      artifacts: { 'hokus-check/probe.bin': 'x' },
    });
    stack.seed.registeredModel({ name: `hokus-check-${id}`, tags: { [TAG]: id, [CREATED]: String(at) }, creationTimestamp: at });
  }
});
afterEach(() => stack.close());

describe('sweep --check-id', () => {
  it("deletes that check's run, artifacts and model at any age, and leaves every other check's alone", async () => {
    const run = await runInProcess(['sweep', '--registry-url', stack.registryUrl, '--check-id', MINE], {
      env: { HOKUSAI_API_KEY: stack.apiKey },
    });
    expect(run.code, run.all).toBe(0);
    const inv = stack.inventory();
    expect(inv.runs.filter((r) => r.lifecycleStage === 'active').map((r) => r.name)).toEqual([`hokus-check-${OTHER}`]);
    expect(inv.registeredModels.map((m) => m.name)).toEqual([`hokus-check-${OTHER}`]);
    expect(inv.artifactFiles.filter((f) => !inv.runs.some((r) => r.tags[TAG] === OTHER && f.includes(r.runId)))).toEqual([]);
  });

  it('refuses an id that is not one (exit 2, nothing sent)', async () => {
    const before = stack.requests().length;
    const run = await runInProcess(['sweep', '--registry-url', stack.registryUrl, '--check-id', 'hokus-check-*'], {
      env: { HOKUSAI_API_KEY: stack.apiKey },
    });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr.trim()).toBe('hokus-check: --check-id "hokus-check-*": a check id is 12 hex characters, as the check printed it');
    expect(stack.requests().length).toBe(before);
  });
});
