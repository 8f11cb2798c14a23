// TLS is verified unless --insecure: the embedded stack behind an HTTPS reverse proxy, with
// certificates made for the test (a private CA, an expired leaf, a leaf for another host name).
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport } from '../helpers/report.js';
import { makeCertificates, startTlsProxy, type Pems, type TestCertificates, type TlsProxy } from '../helpers/safety-tls.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
let certs: TestCertificates;
let caFile: string;
const proxies: TlsProxy[] = [];

beforeAll(async () => {
  [stack, certs] = await Promise.all([startStack(), makeCertificates()]);
  caFile = tmp.file('ca.pem');
  writeFileSync(caFile, certs.caPem);
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await stack.close();
  tmp.remove();
});

/** The stack's registry and auth service behind HTTPS with this certificate. */
async function httpsStack(pems: Pems): Promise<string[]> {
  const [registry, auth] = await Promise.all([startTlsProxy(stack.registryUrl, pems), startTlsProxy(stack.authUrl, pems)]);
  proxies.push(registry, auth);
  return ['--registry-url', registry.url, '--auth-url', auth.url];
}

async function check(pems: Pems, extra: string[], name: string) {
  const json = tmp.file(`${name}.json`);
  const run = await runInProcess([...(await httpsStack(pems)), '--retries', '0', '--json', json, ...extra], {
    env: { HOKUSAI_API_KEY: stack.apiKey },
  });
  return { run, report: readReport(json) };
}

function findingCodes(report: ReturnType<typeof readReport>): string[] {
  return report.targets[0]!.findings.map((f) => f.code);
}

describe('TLS verification', () => {
  it('a certificate from an unknown CA: auth and health are errors with TLS_UNTRUSTED, exit 3', async () => {
    const { run, report } = await check(certs.good, [], 'untrusted');
    expect(run.code, run.all).toBe(3);
    const steps = report.targets[0]!.steps;
    expect(steps.find((s) => s.id === 'auth')?.status).toBe('error');
    expect(steps.find((s) => s.id === 'health')?.status).toBe('error');
    expect(findingCodes(report)).toContain('TLS_UNTRUSTED');
    expect(run.stdout).toMatch(/TLS_UNTRUSTED/);
    expect(report.targets[0]!.exchanges.some((x) => x.error?.kind === 'tls-untrusted')).toBe(true);
  });

  it('the same certificate with --ca-file ca.pem: all steps pass, exit 0', async () => {
    const { run, report } = await check(certs.good, ['--ca-file', caFile], 'ca-file');
    expect(run.code, run.all).toBe(0);
    expect(report.verdict).toBe('pass');
    expect(report.targets[0]!.steps.every((s) => s.status === 'pass')).toBe(true);
  });

  it('an expired certificate (trusted CA): TLS_EXPIRED, exit 3', async () => {
    const { run, report } = await check(certs.expired, ['--ca-file', caFile], 'expired');
    expect(run.code, run.all).toBe(3);
    expect(findingCodes(report)).toContain('TLS_EXPIRED');
    expect(findingCodes(report)).not.toContain('TLS_UNTRUSTED');
    expect(report.targets[0]!.exchanges.some((x) => x.error?.kind === 'tls-expired')).toBe(true);
  });

  it('a certificate for another host name (trusted CA): TLS_HOSTNAME, exit 3', async () => {
    const { run, report } = await check(certs.otherHost, ['--ca-file', caFile], 'hostname');
    expect(run.code, run.all).toBe(3);
    expect(findingCodes(report)).toContain('TLS_HOSTNAME');
    expect(report.targets[0]!.exchanges.some((x) => x.error?.kind === 'tls-hostname')).toBe(true);
  });

  it('--insecure: passes against the untrusted certificate, warns on stderr, records insecure: true', async () => {
    const { run, report } = await check(certs.good, ['--insecure'], 'insecure');
    expect(run.code, run.all).toBe(0);
    expect(run.stderr).toMatch(/warning: --insecure: TLS certificates are NOT verified/);
    expect(run.stdout).not.toMatch(/warning: --insecure/);
    expect(report.verdict).toBe('pass');
    expect(report.insecure).toBe(true);
    expect(run.stdout).toMatch(/TLS certificates were not verified \(--insecure\)/); // under the matrix too
  });

  it('without --insecure, the untrusted report does not claim insecure', async () => {
    const { report } = await check(certs.good, [], 'secure');
    expect(report.insecure).toBe(false);
  });
});
