// URLs mixed up, as people mix them up: the registry URL given MLflow's own URL (whose /health
// answers MLflow's recorded `OK`), the auth service's URL, or a path; the auth URL given the
// registry's, or a path. Each is ROUTE_WRONG_BASE_URL naming the flag and the URL to give instead —
// never a generic code — and a base URL with a trailing slash is not a mix-up.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report, ReportTarget } from '../../src/report/schema.js';
import { fileStack } from '../helpers/file-stack.js';
import { runInProcess } from '../helpers/in-process.js';

const files = fileStack();
const tmp = files.tmp;

async function check(
  name: string,
  registryUrl: string,
  authUrl: string,
): Promise<{ code: number | null; out: string; target: ReportTarget }> {
  const json = tmp.file(`${name}.json`);
  const run = await runInProcess(['--registry-url', registryUrl, '--auth-url', authUrl, '--json', json], {
    env: { HOKUSAI_API_KEY: files.stack.apiKey },
    cwd: tmp.path,
  });
  return { code: run.code, out: run.stdout, target: (JSON.parse(readFileSync(json, 'utf8')) as Report).targets[0]! };
}

const root = (t: ReportTarget) => t.findings.find((f) => f.rootCause);

describe('ROUTE_WRONG_BASE_URL', () => {
  it("--registry-url is MLflow's own URL: says so, and how to check MLflow itself", async () => {
    const run = await check('registry-is-mlflow', files.stack.mlflowUrl, files.stack.authUrl);
    expect(run.code).toBe(1);
    expect(root(run.target)).toMatchObject({ code: 'ROUTE_WRONG_BASE_URL', step: 'health' });
    expect(root(run.target)!.cause).toContain(`--registry-url ${files.stack.mlflowUrl} is an MLflow server`);
    expect(root(run.target)!.fix.join(' ')).toContain(`hokus-check --mlflow-url ${files.stack.mlflowUrl}`);
    expect(run.out).toContain('Root cause: ROUTE_WRONG_BASE_URL');
    // No proxy to blame for MLflow's 404 on the mount: the URL is MLflow's.
    expect(run.target.findings.map((f) => f.code)).not.toContain('ROUTE_PREFIX_NOT_STRIPPED');
  });

  it('--registry-url carries a path: names the path and the base URL to give', async () => {
    const run = await check('registry-path', `${files.stack.registryUrl}/api`, files.stack.authUrl);
    expect(root(run.target)).toMatchObject({ code: 'ROUTE_WRONG_BASE_URL', step: 'health' });
    expect(root(run.target)!.cause).toContain('carries a path (/api)');
    expect(root(run.target)!.fix[0]).toContain(`base URL: ${files.stack.registryUrl}`);
  });

  it("--registry-url is the auth service's URL (the same as --auth-url)", async () => {
    const run = await check('registry-is-auth', files.stack.authUrl, files.stack.authUrl);
    expect(root(run.target)).toMatchObject({ code: 'ROUTE_WRONG_BASE_URL', step: 'experiments' });
    expect(root(run.target)!.cause).toContain('--registry-url and --auth-url are the same');
  });

  it("--auth-url is the registry's URL: validate has no route there", async () => {
    const run = await check('auth-is-registry', files.stack.registryUrl, files.stack.registryUrl);
    expect(root(run.target)).toMatchObject({ code: 'ROUTE_WRONG_BASE_URL', step: 'auth' });
    expect(root(run.target)!.cause).toContain('it is the same as --registry-url');
    expect(run.target.findings.map((f) => f.code)).not.toContain('AUTH_KEY_INVALID');
  });

  it('--auth-url carries a path: names it', async () => {
    const run = await check('auth-path', files.stack.registryUrl, `${files.stack.authUrl}/auth`);
    expect(root(run.target)).toMatchObject({ code: 'ROUTE_WRONG_BASE_URL', step: 'auth' });
    expect(root(run.target)!.fix[0]).toContain('without /auth');
  });

  it('look-alike: base URLs with a trailing slash pass, with no finding', async () => {
    const run = await check('trailing-slash', `${files.stack.registryUrl}/`, `${files.stack.authUrl}/`);
    expect(run.code, run.out).toBe(0);
    expect(run.target.findings).toEqual([]);
  });
});
