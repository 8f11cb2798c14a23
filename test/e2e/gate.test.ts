// The post-deploy gate's controls end to end: --wait, retries (and the POST that must not be retried),
// --deadline, --only and --skip. Each test starts its own stack, spawns the CLI and reads the report.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/schema.js';
import { startStack, type Stack, type StackOptions } from '../../src/sim/stack.js';
import { runCli, stackArgs } from '../helpers/cli.js';
import { startGateProxy, type GateProxy } from '../helpers/gate-proxy.js';
import { readReport, stepOf } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

// Each test's servers, closed after it.
const open: Array<Stack | GateProxy> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function stackWith(opts: StackOptions): Promise<Stack> {
  const stack = await startStack(opts);
  open.push(stack);
  return stack;
}

/** Spawns a check against `urls` with `args`, timing it, and reads its JSON report. */
async function check(name: string, urls: { registryUrl: string; authUrl: string }, key: string, args: string[] = []) {
  const json = tmp.file(`${name}.json`);
  const started = performance.now();
  const run = await runCli([...stackArgs(urls), '--json', json, ...args], { env: { HOKUSAI_API_KEY: key } });
  const elapsedMs = performance.now() - started;
  return { run, elapsedMs, report: readReport(json) };
}

function exchangesOf(report: Report, step: string, path: string) {
  return report.targets[0]!.exchanges.filter((x) => x.step === step && new URL(x.request.url).pathname.endsWith(path));
}

const statuses = (report: Report) => Object.fromEntries(report.targets[0]!.steps.map((s) => [s.id, s.status]));

describe('--wait', () => {
  it('waits for a registry that becomes healthy after 1.5 s, then passes', async () => {
    const stack = await stackWith({ faults: ['starting-up'], unhealthyForMs: 1500 });
    const { run, elapsedMs, report } = await check('wait-ready', stack, stack.apiKey, ['--wait', '10s']);
    expect(run.code, run.all).toBe(0);
    expect(report.verdict).toBe('pass');
    expect(run.stderr).toMatch(/^hokus-check: default: ready after \d+ polls$/m);
    expect(elapsedMs).toBeGreaterThan(1000);
    expect(elapsedMs).toBeLessThan(8000);
    // The wait's polls are not evidence: the report holds only the check's own, passing, exchanges.
    expect(exchangesOf(report, 'health', '/health').map((x) => x.response?.status)).toEqual([200]);
  });

  it('without --wait, the same starting registry fails the gate (so the wait is what made it pass)', async () => {
    const stack = await stackWith({ faults: ['starting-up'], unhealthyForMs: 4000 });
    const { run, report } = await check('wait-none', stack, stack.apiKey);
    expect(run.code, run.all).toBe(1);
    expect(report.targets[0]!.findings[0]).toMatchObject({ code: 'GATEWAY_NO_TARGETS', rootCause: true });
  });

  it('against a registry that never becomes healthy, gives up after the duration and fails', async () => {
    const stack = await stackWith({ faults: ['no-healthy-targets'] });
    const { run, elapsedMs, report } = await check('wait-never', stack, stack.apiKey, ['--wait', '2s']);
    expect(run.code, run.all).toBe(1);
    expect(run.stderr).toMatch(/^hokus-check: default: not ready after 2s of waiting; checking anyway$/m);
    expect(elapsedMs).toBeGreaterThanOrEqual(2000);
    expect(elapsedMs).toBeLessThan(2000 + 3000);
    expect(report.targets[0]!.findings[0]).toMatchObject({ code: 'GATEWAY_NO_TARGETS', rootCause: true });
  });
});

describe('retries', () => {
  it('retries the 503s of a flaky registry and passes, each try visible in the report', async () => {
    const stack = await stackWith({ faults: ['flaky-503'] });
    const { run, report } = await check('flaky', stack, stack.apiKey, ['--verbose']);
    expect(run.code, run.all).toBe(0);
    expect(report.verdict).toBe('pass');
    for (const [step, path] of [
      ['health', '/health'],
      ['experiments', '/experiments/search'],
    ] as const) {
      const tries = exchangesOf(report, step, path).map((x) => [x.attempt, x.response?.status, x.retried ?? false]);
      expect(tries, `${step} ${path}`).toEqual([
        [1, 503, true],
        [2, 503, true],
        [3, 200, false],
      ]);
    }
    expect(run.stderr).toMatch(/ GET http:\S+\/health → 503 .* \(retrying\)$/m);
    expect(run.stderr).toMatch(/ GET http:\S+\/health \(try 3\) → 200 /m);
  });

  it('never retries a POST runs/create that reached the server and got a 503, while a GET 503 is retried', async () => {
    const stack = await stackWith({});
    const alb503 = { status: 503, headers: { 'content-type': 'text/html', server: 'awselb/2.0' }, body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>' };
    const proxy = await startGateProxy(stack.registryUrl, (method, path, before) =>
      before === 0 && ((method === 'POST' && path.endsWith('/runs/create')) || (method === 'GET' && path.includes('/experiments/search'))) ? alb503 : undefined,
    );
    open.push(proxy);
    const { run, report } = await check('post-503', { registryUrl: proxy.url, authUrl: stack.authUrl }, stack.apiKey);
    expect(run.code, run.all).toBe(1);

    const creates = exchangesOf(report, 'run', '/runs/create');
    expect(creates.map((x) => [x.request.method, x.attempt, x.response?.status, x.retried ?? false])).toEqual([['POST', 1, 503, false]]);
    expect(proxy.seen().filter((r) => r.method === 'POST' && r.path.endsWith('/runs/create'))).toHaveLength(1);
    expect(stack.inventory().runs).toEqual([]);
    expect(stepOf(report, 'run')).toMatchObject({ status: 'fail', rootCause: true });
    expect(stepOf(report, 'artifact')).toMatchObject({ status: 'blocked', blockedBy: 'run' });

    // Retries were on: the GET that met the same 503 was tried again and passed.
    expect(exchangesOf(report, 'experiments', '/experiments/search').map((x) => [x.attempt, x.response?.status])).toEqual([
      [1, 503],
      [2, 200],
    ]);
  });
});

describe('--deadline', () => {
  // Exit 3, not 1: nothing answered wrongly — the check ran out of time before it could measure
  // register, so the outcome is `error` ("could not measure"), which DESIGN §6 maps to exit 3.
  it('ends the in-flight request at the deadline, cleans up, reports the unfinished step as failed, exits 1', async () => {
    const stack = await stackWith({ faults: ['slow'], slowMs: 3000 });
    const { run, elapsedMs, report } = await check('deadline', stack, stack.apiKey, ['--deadline', '1s']);
    // Everything before answered: the hop the deadline ended is a failure, not an unreachable target.
    expect(run.code, run.all).toBe(1);
    expect(report.verdict).toBe('fail');
    expect(elapsedMs).toBeLessThan(2800); // the slow answer (3 s) was not waited for

    expect(statuses(report)).toEqual({
      auth: 'pass',
      health: 'pass',
      experiments: 'pass',
      run: 'pass',
      artifact: 'pass',
      register: 'fail',
      cleanup: 'pass',
    });
    expect(stepOf(report, 'register').rootCause).toBe(true);
    const [create, ...after] = exchangesOf(report, 'register', '');
    expect(create!.request.url).toMatch(/\/registered-models\/create$/);
    expect(create!.response).toBeUndefined();
    expect(create!.error?.kind).toBe('aborted');
    expect(create!.timings.total).toBeLessThan(1500);
    expect(after).toEqual([]); // nothing more was sent for register after the deadline

    // Cleanup still ran after the deadline, and left nothing behind.
    const cleanup = exchangesOf(report, 'cleanup', '').map((x) => `${x.request.method} ${new URL(x.request.url).pathname.split('/').slice(-2).join('/')} ${x.response?.status}`);
    expect(cleanup).toContain('POST runs/delete 200');
    const inv = stack.inventory();
    expect(inv.runs.filter((r) => r.lifecycleStage === 'active')).toEqual([]);
    expect(inv.registeredModels).toEqual([]);
    expect(inv.artifactFiles).toEqual([]);
  });
});

describe('--only and --skip', () => {
  const apiPaths = (stack: Stack) => stack.requests().filter((r) => r.server === 'api').map((r) => r.path);

  it('--only artifact pulls in auth, experiments and run, and skips health and register', async () => {
    const stack = await stackWith({});
    const { run, report } = await check('only-artifact', stack, stack.apiKey, ['--only', 'artifact']);
    expect(run.code, run.all).toBe(0);
    expect(statuses(report)).toEqual({
      auth: 'pass',
      health: 'skipped',
      experiments: 'pass',
      run: 'pass',
      artifact: 'pass',
      register: 'skipped',
      cleanup: 'pass',
    });
    expect(stepOf(report, 'health').detail).toBe('not in --only');
    expect(report.targets[0]!.exchanges.filter((x) => x.step === 'health' || x.step === 'register')).toEqual([]);
    expect(apiPaths(stack).some((p) => p.startsWith('/health') || p.startsWith('/api/health'))).toBe(false);
    expect(apiPaths(stack).some((p) => p.includes('registered-models') || p.includes('model-versions'))).toBe(false);
  });

  it('--skip artifact still registers (artifact is a soft dependency) and reports artifact skipped', async () => {
    const stack = await stackWith({});
    const { run, report } = await check('skip-artifact', stack, stack.apiKey, ['--skip', 'artifact']);
    expect(run.code, run.all).toBe(0);
    expect(stepOf(report, 'artifact')).toMatchObject({ status: 'skipped', detail: '--skip', exchanges: [] });
    expect(stepOf(report, 'register').status).toBe('pass');
    expect(apiPaths(stack).some((p) => p.includes('mlflow-artifacts'))).toBe(false);
    expect(stack.inventory().registeredModels).toEqual([]); // created, then cleaned up
  });

  it('--skip run reports artifact and register blocked by run, and sends nothing for them', async () => {
    const stack = await stackWith({});
    const { run, report } = await check('skip-run', stack, stack.apiKey, ['--skip', 'run']);
    // A step the user skipped and what it blocks are the user's choice, not a failure.
    expect(run.code, run.all).toBe(0);
    expect(stepOf(report, 'run')).toMatchObject({ status: 'skipped', detail: '--skip' });
    expect(stepOf(report, 'artifact')).toMatchObject({ status: 'blocked', blockedBy: 'run' });
    expect(stepOf(report, 'register')).toMatchObject({ status: 'blocked', blockedBy: 'run' });
    expect(run.stdout).toMatch(/^\s*artifact\s+● blocked \(by run\)/m);
    expect(apiPaths(stack).some((p) => /runs\/create|mlflow-artifacts|registered-models|model-versions/.test(p))).toBe(false);
  });
});
