// The post-deploy gate's controls end to end: --wait, retries (and the POST that must not be retried),
// --deadline, --only and --skip. Each test starts its own stack, runs the CLI in-process and reads the
// report. --wait runs on a stepping clock (test/helpers/clock.ts): its schedule is asserted, not its duration.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/schema.js';
import { startStack, type Stack, type StackOptions } from '../../src/sim/stack.js';
import { stackArgs } from '../helpers/cli.js';
import { steppingClock } from '../helpers/clock.js';
import { runInProcess, type InProcessOptions } from '../helpers/in-process.js';
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

/** Runs a check against `urls` with `args` and reads its JSON report. */
async function check(
  name: string,
  urls: { registryUrl: string; authUrl: string },
  key: string,
  args: string[] = [],
  opts: InProcessOptions = {},
) {
  const json = tmp.file(`${name}.json`);
  const run = await runInProcess([...stackArgs(urls), '--json', json, ...args], { ...opts, env: { HOKUSAI_API_KEY: key } });
  return { run, report: readReport(json) };
}

/** An ALB's 503 page, as a registry answers while its targets are still starting. */
const alb503 = {
  status: 503,
  headers: { 'content-type': 'text/html', server: 'awselb/2.0' },
  body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
};

function exchangesOf(report: Report, step: string, path: string) {
  return report.targets[0]!.exchanges.filter((x) => x.step === step && new URL(x.request.url).pathname.endsWith(path));
}

const statuses = (report: Report) => Object.fromEntries(report.targets[0]!.steps.map((s) => [s.id, s.status]));

describe('--wait', () => {
  it('waits for a registry whose /health answers 503 twice, then passes', async () => {
    const stack = await stackWith({});
    const proxy = await startGateProxy(stack.registryUrl, (method, path, before) =>
      method === 'GET' && path === '/health' && before < 2 ? alb503 : undefined,
    );
    open.push(proxy);
    const clock = steppingClock();
    const { run, report } = await check('wait-ready', { registryUrl: proxy.url, authUrl: stack.authUrl }, stack.apiKey, ['--wait', '10s'], {
      clock,
    });
    expect(run.code, run.all).toBe(0);
    expect(report.verdict).toBe('pass');
    // Each poll says what it got and how long is left.
    expect(run.stderr).toMatch(
      /^hokus-check: default: wait: poll 1: registry \/health 503, auth \/health 200 — 10\.0s left, next poll in 0\.2s$/m,
    );
    expect(run.stderr).toMatch(/^hokus-check: default: wait: poll 3: registry \/health 200, auth \/health 200 — ready after 3 polls$/m);
    // Backoff with jitter between the polls (random() is 0.5 here): 250 ms, then 500 ms, each ×0.75.
    expect(clock.sleeps).toEqual([187.5, 375]);
    // The wait's polls are not evidence: the report holds only the check's own, passing, exchanges.
    expect(exchangesOf(report, 'health', '/health').map((x) => x.response?.status)).toEqual([200]);
  });

  it('without --wait, a registry whose targets are still starting fails the gate', async () => {
    // Unhealthy for longer than any check takes.
    const stack = await stackWith({ faults: ['starting-up'], unhealthyForMs: 600_000 });
    const { run, report } = await check('wait-none', stack, stack.apiKey);
    expect(run.code, run.all).toBe(1);
    expect(report.targets[0]!.findings[0]).toMatchObject({ code: 'GATEWAY_UPSTREAM_UNREACHABLE', rootCause: true });
  });

  it('against a registry that never becomes healthy, gives up after the duration and fails', async () => {
    const stack = await stackWith({ faults: ['no-healthy-targets'] });
    const clock = steppingClock();
    const { run, report } = await check('wait-never', stack, stack.apiKey, ['--wait', '2s'], { clock });
    expect(run.code, run.all).toBe(1);
    expect(run.stderr).toMatch(
      /^hokus-check: default: wait: poll \d+: registry \/health 503, auth \/health 200 — not ready after 2s of waiting; checking anyway$/m,
    );
    // It kept polling until the 2 s were used up, backing off: 250, 500, 1000 ms (×0.75 jitter), then the rest.
    expect(clock.sleeps.slice(0, 3)).toEqual([187.5, 375, 750]);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(report.targets[0]!.findings[0]).toMatchObject({ code: 'GATEWAY_UPSTREAM_UNREACHABLE', rootCause: true });
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
    const proxy = await startGateProxy(stack.registryUrl, (method, path, before) =>
      before === 0 && ((method === 'POST' && path.endsWith('/runs/create')) || (method === 'GET' && path.includes('/experiments/search')))
        ? alb503
        : undefined,
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
  // The check ran out of time before it could measure register; everything before it answered, so the hop the deadline ended is a failure (exit 1),
  // not an unreachable target (src/steps/unanswered.ts).
  it('ends the in-flight request at the deadline, cleans up, reports the unfinished step as failed, exits 1', async () => {
    // The slow answer would take ten minutes: the test finishing at all shows it was not waited for.
    const stack = await stackWith({ faults: ['slow'], slowMs: 600_000 });
    const { run, report } = await check('deadline', stack, stack.apiKey, ['--deadline', '4s', '--timeout', '60s']);
    expect(run.code, run.all).toBe(1);
    expect(report.verdict).toBe('fail');

    expect(statuses(report)).toEqual({
      auth: 'pass',
      health: 'pass',
      experiments: 'pass',
      run: 'pass',
      artifact: 'pass',
      register: 'fail',
      // The aborted create may still land (this server takes ten minutes): cleanup looked for the
      // model until a late create would have landed, and names it as a possible leftover.
      cleanup: 'warn',
    });
    expect(stepOf(report, 'cleanup').detail).toMatch(
      /registered model hokus-check-[0-9a-f]{12}, if its create still lands \(none within [\d.]+ s\)/,
    );
    expect(stepOf(report, 'register').rootCause).toBe(true);
    // The possible leftover comes with the sweep that removes it, and only what this check made
    // (sweep takes no --auth-url: it never calls the auth service).
    const checkId = report.targets[0]!.checkId;
    expect(report.targets[0]!.sweep).toBe(`hokus-check sweep --registry-url ${stack.registryUrl} --check-id ${checkId}`);
    expect(run.stdout.replace(/\s+/g, ' ')).toContain(`remove them with: ${report.targets[0]!.sweep}`);
    // The same root cause as a probe whose scrape budget ran out (test/e2e/exporter.test.ts).
    expect(report.targets[0]!.findings[0]).toMatchObject({ code: 'DEADLINE_EXCEEDED', step: 'register', rootCause: true });
    const [create, ...after] = exchangesOf(report, 'register', '');
    expect(create!.request.url).toMatch(/\/registered-models\/create$/);
    expect(create!.response).toBeUndefined();
    expect(create!.error?.kind).toBe('aborted');
    expect(after).toEqual([]); // nothing more was sent for register after the deadline

    // Cleanup still ran after the deadline, and left nothing behind.
    const cleanup = exchangesOf(report, 'cleanup', '').map(
      (x) => `${x.request.method} ${new URL(x.request.url).pathname.split('/').slice(-2).join('/')} ${x.response?.status}`,
    );
    expect(cleanup).toContain('POST runs/delete 200');
    const inv = stack.inventory();
    expect(inv.runs.filter((r) => r.lifecycleStage === 'active')).toEqual([]);
    expect(inv.registeredModels).toEqual([]);
    expect(inv.artifactFiles).toEqual([]);
  });
});

describe('--only and --skip', () => {
  const apiPaths = (stack: Stack) =>
    stack
      .requests()
      .filter((r) => r.server === 'api')
      .map((r) => r.path);

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
