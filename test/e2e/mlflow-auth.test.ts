// A plain MLflow server checked with MLflow's own client conventions (MLFLOW_TRACKING_URI,
// MLFLOW_TRACKING_USERNAME/PASSWORD, MLFLOW_TRACKING_TOKEN), against the embedded MLflow answering as
// the recorded basic-auth server (fixtures/mlflow-2.12.2-basic-auth), and a Bearer-guarded MLflow (the
// Hokusai API's mount): what the user sees — exit code, matrix, finding code, JSON.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport, stepOf } from '../helpers/report.js';
import { serveHttp, type TestServer } from '../helpers/safety-servers.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** A throw-away password: random, never a real-looking secret. */
const password = () => `pw-${randomBytes(12).toString('hex')}`;

/** The sim's MLflow with its basic-auth app: the admin and alice (not an admin, default READ). */
async function basicAuthStack(alice: string): Promise<Stack> {
  return startStack({
    pendingPolls: 0,
    mlflowBasicAuth: { admin: { username: 'admin', password: password() }, users: [{ username: 'alice', password: alice }] },
  });
}

function mlflowEnv(stack: Stack, user?: { name: string; password: string }): Record<string, string> {
  return {
    MLFLOW_TRACKING_URI: stack.mlflowUrl,
    ...(user ? { MLFLOW_TRACKING_USERNAME: user.name, MLFLOW_TRACKING_PASSWORD: user.password } : {}),
  };
}

describe("MLflow's basic-auth app (mlflow server --app-name basic-auth)", () => {
  it('passes with MLFLOW_TRACKING_URI and MLFLOW_TRACKING_USERNAME/PASSWORD, saying first where the target came from', async () => {
    const alice = password();
    const stack = await basicAuthStack(alice);
    try {
      const json = tmp.file('basic-pass.json');
      const run = await runInProcess(['--json', json], { env: mlflowEnv(stack, { name: 'alice', password: alice }) });
      expect(run.code, run.all).toBe(0);
      expect(run.stderr.split('\n')[0]).toBe(`hokus-check: target from MLFLOW_TRACKING_URI: ${stack.mlflowUrl}`);
      const report = readReport(json);
      expect(report.targets[0]).toMatchObject({ kind: 'mlflow', mlflowUrl: stack.mlflowUrl, verdict: 'pass' });
      for (const id of ['experiments', 'run', 'artifact', 'register', 'cleanup']) expect(stepOf(report, id).status).toBe('pass');
      // Every request to MLflow carried the Basic login, shown without the password.
      const auth = report.targets[0]!.exchanges.map((x) => x.request.headers.find(([n]) => n === 'authorization')?.[1]);
      expect(new Set(auth)).toEqual(new Set(['Basic <redacted>']));
      // The check made its own experiment as alice (the creator MANAGEs it), and cleaned up after itself.
      expect(stack.inventory().registeredModels).toEqual([]);
      expect(findLeaks(run.all, alice)).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('diagnoses MLFLOW_AUTH_REQUIRED without credentials: MLflow answers 401 Basic realm="mlflow"', async () => {
    const stack = await basicAuthStack(password());
    try {
      const json = tmp.file('basic-required.json');
      const run = await runInProcess(['--json', json], { env: mlflowEnv(stack) });
      expect(run.code, run.all).toBe(1);
      expect(run.stdout).toMatch(/experiments\s+✖ fail.*← root cause/);
      const report = readReport(json);
      const root = report.targets[0]!.findings.find((f) => f.rootCause);
      expect(root).toMatchObject({ code: 'MLFLOW_AUTH_REQUIRED', step: 'experiments' });
      expect(root!.fix.join(' ')).toMatch(/MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD/);
      expect(report.targets[0]!.findings.map((f) => f.code)).not.toContain('GATEWAY_LOGIN_REQUIRED');
    } finally {
      await stack.close();
    }
  });

  it('diagnoses MLFLOW_AUTH_REJECTED with a wrong password, naming the user and never the password', async () => {
    const stack = await basicAuthStack(password());
    const wrong = password();
    try {
      const json = tmp.file('basic-rejected.json');
      const run = await runInProcess(['--json', json, '--verbose'], { env: mlflowEnv(stack, { name: 'alice', password: wrong }) });
      expect(run.code, run.all).toBe(1);
      const report = readReport(json);
      const root = report.targets[0]!.findings.find((f) => f.rootCause);
      expect(root).toMatchObject({ code: 'MLFLOW_AUTH_REJECTED', step: 'experiments' });
      expect(root!.cause).toMatch(/login of user "alice"/);
      // The repro line sends the pair from the variables, not the password.
      expect(root!.repro?.[0]).toContain('-u "$MLFLOW_TRACKING_USERNAME:$MLFLOW_TRACKING_PASSWORD"');
      expect(findLeaks(run.all + JSON.stringify(report), wrong)).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('diagnoses MLFLOW_PERMISSION_DENIED when the user has only READ on the shared hokus-check experiment', async () => {
    const alice = password();
    const stack = await basicAuthStack(alice);
    try {
      // Someone else (the admin) made the experiment: alice has the default READ there, no EDIT.
      const id = stack.seed.experiment('hokus-check');
      const json = tmp.file('basic-denied.json');
      const run = await runInProcess(['--json', json], { env: mlflowEnv(stack, { name: 'alice', password: alice }) });
      expect(run.code, run.all).toBe(1);
      expect(run.stdout).toMatch(/run\s+✖ fail.*403.*← root cause/);
      const report = readReport(json);
      expect(stepOf(report, 'experiments').status).toBe('pass');
      const root = report.targets[0]!.findings.find((f) => f.rootCause);
      expect(root).toMatchObject({ code: 'MLFLOW_PERMISSION_DENIED', step: 'run' });
      expect(root!.cause).toContain(`user "alice" is logged in but lacks EDIT on experiment ${id} ("hokus-check")`);
      expect(root!.fix[0]).toContain(`"experiment_id": "${id}", "username": "alice"`);
      expect(root!.fix[1]).toMatch(/let the check create its own experiment/);
    } finally {
      await stack.close();
    }
  });

  it('passes once alice MANAGEs the shared experiment (the grant the finding names)', async () => {
    const alice = password();
    const stack = await basicAuthStack(alice);
    try {
      const id = stack.seed.experiment('hokus-check');
      stack.mlflowAuth!.grantExperiment(id, 'alice', 'MANAGE');
      const run = await runInProcess([], { env: mlflowEnv(stack, { name: 'alice', password: alice }) });
      expect(run.code, run.all).toBe(0);
    } finally {
      await stack.close();
    }
  });
});

describe('MLFLOW_TRACKING_TOKEN (Bearer)', () => {
  it('passes against an MLflow that wants a Bearer token: the Hokusai API mount, as the platform SDK sets it', async () => {
    const stack = await startStack({ pendingPolls: 0 });
    try {
      const json = tmp.file('token-pass.json');
      const run = await runInProcess(['--json', json], {
        env: { MLFLOW_TRACKING_URI: `${stack.registryUrl}/api/mlflow`, MLFLOW_TRACKING_TOKEN: stack.apiKey },
      });
      expect(run.code, run.all).toBe(0);
      const report = readReport(json);
      expect(report.targets[0]).toMatchObject({ kind: 'mlflow', apiKeyEnv: 'MLFLOW_TRACKING_TOKEN', verdict: 'pass' });
      const auth = new Set(report.targets[0]!.exchanges.map((x) => x.request.headers.find(([n]) => n === 'authorization')?.[1]));
      expect(auth).toEqual(new Set([`Bearer hk_test_…${stack.apiKey.slice(-4)}`]));
      expect(findLeaks(run.all, stack.apiKey)).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('diagnoses MLFLOW_AUTH_REQUIRED for a token against the basic-auth app (it reads Basic only)', async () => {
    const stack = await basicAuthStack(password());
    try {
      const json = tmp.file('token-basic.json');
      const token = `tok_${randomBytes(16).toString('hex')}`;
      const run = await runInProcess(['--json', json], { env: { MLFLOW_TRACKING_URI: stack.mlflowUrl, MLFLOW_TRACKING_TOKEN: token } });
      expect(run.code, run.all).toBe(1);
      const root = readReport(json).targets[0]!.findings.find((f) => f.rootCause);
      expect(root).toMatchObject({ code: 'MLFLOW_AUTH_REQUIRED' });
      expect(root!.cause).toMatch(/a Bearer token \(from MLFLOW_TRACKING_TOKEN\)/);
      expect(findLeaks(run.all, token)).toEqual([]);
    } finally {
      await stack.close();
    }
  });
});

describe('the credentials never reach another origin', () => {
  /** A server that redirects every call but /health to `to`, and a second one that records what reaches it. */
  async function redirecting(): Promise<{ from: TestServer; to: TestServer }> {
    const to = await serveHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const from = await serveHttp((req, res) => {
      if (req.url === '/health') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('OK');
      else res.writeHead(307, { location: `${to.url}${req.url ?? '/'}` }).end();
    });
    return { from, to };
  }

  const cases: Array<[string, (secret: string) => Record<string, string>, (secret: string) => string]> = [
    ['MLFLOW_TRACKING_TOKEN', (secret) => ({ MLFLOW_TRACKING_TOKEN: secret }), (secret) => `Bearer ${secret}`],
    [
      'MLFLOW_TRACKING_USERNAME/PASSWORD',
      (secret) => ({ MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: secret }),
      (secret) => `Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`,
    ],
  ];
  for (const [what, env, header] of cases) {
    it(`${what}: a redirect to another loopback port is evidence, not followed, and carries nothing there`, async () => {
      const { from, to } = await redirecting();
      try {
        const secret = `s_${randomBytes(16).toString('hex')}`;
        const json = tmp.file(`redirect-${what.slice(-5)}.json`);
        const run = await runInProcess(['--json', json, '--retries', '0'], { env: { MLFLOW_TRACKING_URI: from.url, ...env(secret) } });
        expect(run.code, run.all).toBe(1);
        const root = readReport(json).targets[0]!.findings.find((f) => f.rootCause);
        expect(root?.code).toBe('ROUTE_REDIRECTED');
        // The target's own origin got the credentials; the other port got nothing at all.
        expect(from.received.some((r) => r.headers.authorization === header(secret))).toBe(true);
        expect(to.received).toEqual([]);
        expect(findLeaks(run.all, secret)).toEqual([]);
      } finally {
        await Promise.all([from.close(), to.close()]);
      }
    });
  }
});

describe('MLFLOW_TRACKING_URI', () => {
  it('a flag names the target before it: --mlflow-url wins, and the first line does not mention it', async () => {
    const stack = await startStack({ pendingPolls: 0 });
    try {
      const run = await runInProcess(['--mlflow-url', stack.mlflowUrl, '--only', 'experiments'], {
        env: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:9' },
      });
      expect(run.code, run.all).toBe(0);
      expect(run.stderr).not.toMatch(/MLFLOW_TRACKING_URI/);
    } finally {
      await stack.close();
    }
  });

  it('refuses a store that is not a tracking server (file:, sqlite:, databricks) with one line, exit 2', async () => {
    for (const uri of ['file:///tmp/mlruns', 'sqlite:///mlflow.db', 'databricks', './mlruns']) {
      const run = await runInProcess([], { env: { MLFLOW_TRACKING_URI: uri } });
      expect(run.code, `${uri}: ${run.all}`).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/MLFLOW_TRACKING_URI is a .*not a tracking server: hokus-check checks a tracking server/);
    }
  });
});
