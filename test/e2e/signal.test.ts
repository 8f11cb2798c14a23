// Ctrl-C (and SIGTERM, SIGHUP, SIGQUIT): the first signal aborts what is in flight, cleans up what
// this check created, prints the partial matrix and exits 130. A second signal from a CI runner (no
// terminal) does not cost the cleanup; a second Ctrl-C at a terminal quits at once
// (test/e2e/signal-tty.test.ts).
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runCli, stackArgs, type CliRun } from '../helpers/cli.js';
import { readReport } from '../helpers/report.js';
import { startHoldingProxy, waitFor } from '../helpers/safety-signal.js';
import type { TestServer } from '../helpers/safety-servers.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const SLOW_MS = 5000;
/**
 * A create the holding proxy never forwards cannot land late, but cleanup cannot know that: it looks
 * for it for twice the request timeout, at least 3 s (src/steps/cleanup.ts). A short timeout keeps that short.
 */
const QUICK = ['--timeout', '2s'];

/** What of check `checkId` the stack still holds. */
function leftoversOf(stack: Stack, checkId: string) {
  const inv = stack.inventory();
  const runs = inv.runs.filter((r) => r.tags['hokus-check.id'] === checkId && r.lifecycleStage === 'active');
  const runIds = new Set(inv.runs.filter((r) => r.tags['hokus-check.id'] === checkId).map((r) => r.runId));
  return {
    activeRuns: runs.map((r) => r.runId),
    models: inv.registeredModels
      .filter((m) => m.name === `hokus-check-${checkId}` || m.tags['hokus-check.id'] === checkId)
      .map((m) => m.name),
    artifacts: inv.artifactFiles.filter((f) => [...runIds].some((id) => f.includes(id))),
  };
}

function sentTo(stack: Stack, endpoint: string): boolean {
  return stack.requests().some((r) => r.path.includes(endpoint));
}

interface HeldCheck {
  stack: Stack;
  holding: TestServer;
  /** The --json report's path. */
  json: string;
  /** Sends the CLI a signal. */
  kill: (signal: NodeJS.Signals) => void;
  running: Promise<CliRun>;
}

/**
 * The CLI checking a fresh stack through a proxy that holds requests for `holdMs(method, path)`
 * (startHoldingProxy), its report written to `file`; `drive` signals it and checks the outcome,
 * then the proxy and the stack close.
 */
async function withHeldCheck(
  holdMs: (method: string, path: string) => number,
  opts: { holdReply?: boolean },
  file: string,
  drive: (h: HeldCheck) => Promise<void>,
): Promise<void> {
  const stack = await startStack();
  const holding = await startHoldingProxy(stack.registryUrl, holdMs, opts);
  try {
    const json = tmp.file(file);
    let child: ChildProcess | undefined;
    const running = runCli(['--registry-url', holding.url, '--auth-url', stack.authUrl, '--json', json, ...QUICK], {
      env: { HOKUSAI_API_KEY: stack.apiKey },
      onSpawn: (c) => (child = c),
    });
    await drive({ stack, holding, json, kill: (signal) => child!.kill(signal), running });
  } finally {
    await holding.close();
    await stack.close();
  }
}

/** Nothing of the check that wrote `json` is left on the stack. */
function expectNothingLeft(stack: Stack, json: string): void {
  const checkId = readReport(json).targets[0]!.checkId;
  expect(leftoversOf(stack, checkId)).toEqual({ activeRuns: [], models: [], artifacts: [] });
}

const createSent = (holding: TestServer) => holding.received.some((r) => r.path.includes('registered-models/create'));

describe.concurrent('SIGINT while register is in flight (fault slow)', () => {
  let stack: Stack;
  afterAll(() => stack?.close());

  it('exits 130 within seconds, prints the partial matrix, and leaves no run, artifact or model of the check', async () => {
    stack = await startStack({ faults: ['slow'], slowMs: SLOW_MS });
    const json = tmp.file('sigint.json');
    let child: ChildProcess | undefined;
    const running = runCli([...stackArgs(stack), '--json', json], { env: { HOKUSAI_API_KEY: stack.apiKey }, onSpawn: (c) => (child = c) });

    await waitFor(() => sentTo(stack, 'registered-models/create'), 60_000, 'registered-models/create to reach the stack');
    // Everything before register was created: a run, its artifact.
    const createdAt = Date.now();
    child!.kill('SIGINT');
    const run = await running;

    expect(run.code, run.all).toBe(130);
    expect(run.stderr).toMatch(/interrupted: cleaning up/);
    // The partial matrix: what passed, the step cut short, and cleanup.
    expect(run.stdout).toMatch(/artifact\s.*pass/);
    expect(run.stdout).toMatch(/register\s.*error/);
    expect(run.stdout).toMatch(/cleanup\s.*pass/);
    const report = readReport(json);
    expect(report.targets[0]!.interrupted).toBe(true);
    // Ctrl-C cut the slow create short instead of waiting for its answer.
    expect(report.targets[0]!.exchanges.find((x) => x.request.url.endsWith('/registered-models/create'))?.error?.kind).toBe('aborted');
    const checkId = report.targets[0]!.checkId;
    const cleanup = report.targets[0]!.steps.find((s) => s.id === 'cleanup')!;
    expect(cleanup.status, cleanup.detail).toBe('pass');
    expect(cleanup.findings).toEqual([]);
    expect(
      stack.inventory().runs.some((r) => r.tags['hokus-check.id'] === checkId),
      'the check did create a run',
    ).toBe(true);

    // The server may still finish the aborted create: look again once it would have.
    await new Promise((r) => setTimeout(r, Math.max(0, createdAt + SLOW_MS + 300 - Date.now())));
    expect(leftoversOf(stack, checkId)).toEqual({ activeRuns: [], models: [], artifacts: [] });
  }, 90_000);
});

describe.concurrent('a second signal during cleanup, not from a person at a terminal', () => {
  // GitHub Actions cancels a job with SIGINT, then SIGTERM 7.5 s later; a CI log has no terminal.
  it.each([['SIGINT'], ['SIGTERM']] as const)(
    'SIGINT, then %s during cleanup: still cleans up, says so, exit 130, nothing left',
    async (second) => {
      // Register's create and every delete are held for 1.5 s: the second signal comes mid-cleanup.
      const hold = (method: string, path: string) =>
        path.includes('registered-models/create') ? 10_000 : method === 'DELETE' || path.includes('runs/delete') ? 1500 : 0;
      await withHeldCheck(hold, {}, `second-${second}.json`, async ({ stack, holding, json, kill, running }) => {
        await waitFor(() => createSent(holding), 60_000, 'registered-models/create');
        kill('SIGINT');
        await waitFor(() => holding.received.some((r) => r.method === 'DELETE'), 60_000, 'cleanup to start deleting');
        kill(second);
        const run = await running;
        expect(run.code, run.all).toBe(130);
        expect(run.stderr).toMatch(/again: still cleaning up/);
        expect(run.stderr).not.toMatch(/quitting without cleanup/);
        expectNothingLeft(stack, json);
      });
    },
    60_000,
  );
});

describe.concurrent('SIGTERM, SIGHUP (a closed SSH session) and SIGQUIT', () => {
  it.each([
    ['SIGTERM', /terminated \(SIGTERM\): cleaning up/],
    ['SIGHUP', /hung up \(SIGHUP\): cleaning up/],
    ['SIGQUIT', /quit \(SIGQUIT\): cleaning up/],
  ] as const)(
    '%s is handled like the first Ctrl-C: cleanup, exit 130, nothing left',
    async (signal, said) => {
      const hold = (_method: string, path: string) => (path.includes('registered-models/create') ? 10_000 : 0);
      await withHeldCheck(hold, {}, `${signal}.json`, async ({ stack, holding, json, kill, running }) => {
        await waitFor(() => createSent(holding), 60_000, 'registered-models/create');
        kill(signal);
        const run = await running;
        expect(run.code, run.all).toBe(130);
        expect(run.stderr).toMatch(said);
        expectNothingLeft(stack, json);
      });
    },
    60_000,
  );
});

describe.concurrent('SIGINT while a create the server has already committed is in flight', () => {
  it('still deletes the model: the aborted create may have reached the server', async () => {
    // registered-models/create reaches MLflow at once (the model exists), its answer is held.
    const hold = (_method: string, path: string) => (path.includes('registered-models/create') ? 10_000 : 0);
    await withHeldCheck(hold, { holdReply: true }, 'committed.json', async ({ stack, json, kill, running }) => {
      await waitFor(() => stack.inventory().registeredModels.length > 0, 60_000, 'the model to exist on the server');
      kill('SIGINT');
      const run = await running;
      expect(run.code, run.all).toBe(130);
      expectNothingLeft(stack, json);
    });
  });
});

describe.concurrent('SIGINT while runs/create, already committed by the server, is in flight', () => {
  it('finds the run by its check tag and deletes it', async () => {
    // runs/create reaches MLflow at once (the run exists), its answer is held: the run id never comes back.
    const hold = (_method: string, path: string) => (path.includes('runs/create') ? 10_000 : 0);
    await withHeldCheck(hold, { holdReply: true }, 'committed-run.json', async ({ stack, json, kill, running }) => {
      await waitFor(() => stack.inventory().runs.some((r) => r.lifecycleStage === 'active'), 60_000, 'the run to exist on the server');
      kill('SIGINT');
      const run = await running;
      expect(run.code, run.all).toBe(130);
      expect(readReport(json).targets[0]!.exchanges.some((x) => x.step === 'cleanup' && x.label === 'runs/search')).toBe(true);
      expectNothingLeft(stack, json);
    });
  });
});
