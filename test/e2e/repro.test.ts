// The curl line printed under a root cause reproduces the failure when an on-call engineer pastes it:
// run here with a real curl and a shell against the embedded stack (and a closed port), with the
// key only in the environment variable the line names.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/schema.js';
import { startStack, type FaultName } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { refusingUrl } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** Runs the check in-process, with the JSON report written to a file, and returns the report. */
async function checkReport(
  name: string,
  args: string[],
  key: string,
  env: Record<string, string> = {},
): Promise<{ report: Report; out: string; code: number | null }> {
  const json = tmp.file(`${name}.json`);
  const run = await runInProcess([...args, '--json', json], { env: { HOKUSAI_API_KEY: key, ...env }, cwd: tmp.path });
  return { report: JSON.parse(readFileSync(json, 'utf8')) as Report, out: run.stdout, code: run.code };
}

/** Pastes a command line into a shell, with the key in HOKUSAI_API_KEY only (async: the stack runs in this process). */
function paste(line: string, key: string): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      'sh',
      ['-c', line],
      { cwd: tmp.path, env: { PATH: process.env.PATH, HOKUSAI_API_KEY: key }, encoding: 'utf8', timeout: 15_000 },
      (err, stdout) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
        resolve({ status: code, stdout });
      },
    );
  });
}

async function withStack<T>(fault: FaultName, fn: (s: Awaited<ReturnType<typeof startStack>>) => Promise<T>): Promise<T> {
  const stack = await startStack({ faults: [fault] });
  try {
    return await fn(stack);
  } finally {
    await stack.close();
  }
}

describe('the root cause carries a curl line that reproduces it', () => {
  it('the incident: the pasted line PUTs a file of the same size and gets the same HTML 404 from the same path', async () => {
    await withStack('artifacts-misrouted', async (stack) => {
      const { report, out } = await checkReport(
        'incident',
        ['--registry-url', stack.registryUrl, '--auth-url', stack.authUrl],
        stack.apiKey,
      );
      const root = report.targets[0]!.findings.find((f) => f.rootCause)!;
      expect(root.code).toBe('ROUTE_ARTIFACTS_MISROUTED');
      const [line] = root.repro!;
      expect(line).toMatch(
        /^head -c 4096 \/dev\/urandom > hokus-check-body\.bin && curl -sS -i -X PUT '.*\/api\/mlflow\/api\/2\.0\/mlflow-artifacts\/artifacts\/.*probe-[0-9a-f]+\.bin'/,
      );
      expect(line).toContain('-H "Authorization: Bearer $HOKUSAI_API_KEY"');
      expect(line).not.toContain(stack.apiKey);
      expect(out).toContain('Reproduce:');
      const pasted = await paste(line!, stack.apiKey);
      expect(pasted.status).toBe(0);
      expect(pasted.stdout).toMatch(/^HTTP\/1\.1 404 Not Found/);
      expect(pasted.stdout).toContain('<title>404 Not Found</title>');
      // The fix names the URL the API uses now, and the one to use.
      expect(root.fix.join('\n')).toContain(`MLFLOW_SERVER_URL=${stack.mlflowUrl}. The API uses ${stack.mlflowUrl}/mlflow now`);
      // The confirm command carries the target's flags.
      expect(root.confirm).toBe(`hokus-check --registry-url ${stack.registryUrl} --auth-url ${stack.authUrl} --only artifact`);
    });
  });

  it("MLflow's database failing: the pasted line gets the same 500 naming psycopg2", async () => {
    await withStack('backend-db-error', async (stack) => {
      const { report } = await checkReport('db', ['--registry-url', stack.registryUrl, '--auth-url', stack.authUrl], stack.apiKey);
      const root = report.targets[0]!.findings.find((f) => f.rootCause)!;
      expect(root.code).toBe('MLFLOW_BACKEND_ERROR');
      const pasted = await paste(root.repro![0]!, stack.apiKey);
      expect(pasted.stdout).toMatch(/^HTTP\/1\.1 500/);
      expect(pasted.stdout).toContain('psycopg2.OperationalError');
    });
  });

  it('a refused connection: the pasted line fails to connect as the check did (curl exit 7)', async () => {
    const port = new URL(await refusingUrl()).port;
    const { report } = await checkReport(
      'refused',
      ['--registry-url', `http://127.0.0.1:${port}`, '--auth-url', `http://127.0.0.1:${port}`, '--retries', '0'],
      'hk_test_reproreproreproreproreproabcd',
    );
    const root = report.targets[0]!.findings.find((f) => f.rootCause)!;
    expect(root.code).toBe('NET_REFUSED');
    expect(root.repro![0]).toContain(`'http://127.0.0.1:${port}/api/v1/keys/validate'`);
    expect(root.repro![0]).toContain(`--data-raw '{"service_id":"platform"}'`);
    expect((await paste(root.repro![0]!, 'hk_test_x')).status).toBe(7);
  });
});

describe('gate and layout flags', () => {
  it('--strict turns a warning into exit 1 and says why; without it the same run exits 0', async () => {
    await withStack('health-degraded', async (stack) => {
      const args = ['--registry-url', stack.registryUrl, '--auth-url', stack.authUrl];
      const plain = await runInProcess(args, { env: { HOKUSAI_API_KEY: stack.apiKey }, cwd: tmp.path });
      expect(plain.code).toBe(0);
      const strict = await runInProcess([...args, '--strict', '--quiet'], { env: { HOKUSAI_API_KEY: stack.apiKey }, cwd: tmp.path });
      expect(strict.code).toBe(1);
      expect(strict.stdout).toMatch(/^7 steps: 6 passed, 1 warned — exit 1 \(--strict: warnings fail\)/m);
      expect(strict.stdout).not.toContain('  step ');
    });
  });

  it('fits the report to COLUMNS when stdout is not a terminal', async () => {
    await withStack('artifacts-misrouted', async (stack) => {
      const run = await runInProcess(['--registry-url', stack.registryUrl, '--auth-url', stack.authUrl], {
        env: { HOKUSAI_API_KEY: stack.apiKey, COLUMNS: '60' },
        cwd: tmp.path,
      });
      const long = run.stdout.split('\n').filter((l) => [...l].length > 60 && !/^\S+( \\)?$/.test(l.trim()));
      expect(long).toEqual([]);
      expect(run.stdout).toMatch(/ajax-api/);
    });
  });

  it('off a terminal (a CI log), prints a timestamped line per finished step on stderr; --quiet does not', async () => {
    await withStack('artifacts-misrouted', async (stack) => {
      const args = ['--registry-url', stack.registryUrl, '--auth-url', stack.authUrl];
      const run = await runInProcess(args, { env: { HOKUSAI_API_KEY: stack.apiKey }, cwd: tmp.path });
      const lines = run.stderr.split('\n').filter((l) => /^\d\d:\d\d:\d\dZ /.test(l));
      expect(lines.map((l) => l.split(' ')[2])).toEqual(
        expect.arrayContaining(['auth', 'health', 'experiments', 'run', 'artifact', 'cleanup']),
      );
      expect(lines.find((l) => l.includes(' artifact '))).toMatch(/^\d\d:\d\d:\d\dZ ✖ artifact fail \d+ms {2}PUT: 404/);
      const quiet = await runInProcess([...args, '--quiet'], { env: { HOKUSAI_API_KEY: stack.apiKey }, cwd: tmp.path });
      expect(quiet.stderr).not.toMatch(/^\d\d:\d\d:\d\dZ /m);
    });
  });
});
