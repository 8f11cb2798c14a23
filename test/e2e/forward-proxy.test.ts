// The check behind a real forward proxy (Debian's tinyproxy, test/helpers/tinyproxy.ts), as on a CI
// runner or a laptop whose HTTPS_PROXY/HTTP_PROXY points at an egress proxy. When the proxy is the
// broken hop, the diagnosis names the proxy, not the target (NET_PROXY_UNREACHABLE,
// NET_PROXY_REFUSED, src/diagnosis/rules/forward-proxy.ts); when the target is, it names the target.
// Every request is tunnelled: the proxy relays connections and never handles a request with the key.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report, ReportTarget } from '../../src/report/schema.js';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { refusingUrl } from '../helpers/ports.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { startTinyproxy, type RunningTinyproxy } from '../helpers/tinyproxy.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
const proxies: RunningTinyproxy[] = [];

beforeAll(async () => {
  stack = await startStack({ pendingPolls: 0 });
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await stack.close();
  tmp.remove();
});

async function proxy(opts: Parameters<typeof startTinyproxy>[0] = {}): Promise<RunningTinyproxy> {
  const p = await startTinyproxy(opts);
  proxies.push(p);
  return p;
}

interface Run {
  code: number | null;
  out: string;
  target: ReportTarget;
}

/** The check of `urls` in-process with `env` (the proxy variables), its JSON report read back. */
async function check(name: string, urls: { registryUrl: string; authUrl: string }, env: Record<string, string>): Promise<Run> {
  const json = tmp.file(`${name}.json`);
  const run = await runInProcess(['--registry-url', urls.registryUrl, '--auth-url', urls.authUrl, '--retries', '0', '--json', json], {
    env: { HOKUSAI_API_KEY: stack.apiKey, ...env },
    cwd: tmp.path,
  });
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  return { code: run.code, out: run.all, target: report.targets[0]! };
}

const root = (t: ReportTarget) => t.findings.find((f) => f.rootCause);

/** Pastes a command line into a shell with `env` only (async: the stack runs in this process). */
function paste(line: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'sh',
      ['-c', line],
      { cwd: tmp.path, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 15_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
        resolve({ status: code, stdout, stderr });
      },
    );
  });
}
const viaBoth = (url: string) => ({ HTTP_PROXY: url, HTTPS_PROXY: url });

describe('through a real forward proxy (tinyproxy)', () => {
  it('a healthy deployment passes, every request tunnelled: the proxy logs CONNECTs, never a request or the key', async () => {
    const p = await proxy();
    const run = await check('healthy', stack, viaBoth(p.url));
    expect(run.code, run.out).toBe(0);
    expect(run.target.findings).toEqual([]);
    expect(new Set(run.target.exchanges.map((x) => x.via))).toEqual(new Set([p.url]));
    // The proxy relayed tunnels: it logged CONNECTs to the stack's ports and nothing of the requests.
    const registryPort = new URL(stack.registryUrl).port;
    expect(p.log()).toMatch(new RegExp(`CONNECT 127\\.0\\.0\\.1:${registryPort} `));
    expect(p.log()).not.toMatch(/Request \(file descriptor \d+\): (GET|POST|PUT|DELETE) /);
    expect(findLeaks(p.log(), stack.apiKey)).toEqual([]);
  });

  it("the proxy's port rule refuses the tunnel: NET_PROXY_REFUSED names the proxy, the 403 and the port, not the target", async () => {
    const p = await proxy({ connectPorts: [443] });
    const run = await check('port-rule', stack, viaBoth(p.url));
    expect(run.code, run.out).toBe(3);
    const f = root(run.target)!;
    expect(f.code).toBe('NET_PROXY_REFUSED');
    expect(f.step).toBe('auth');
    expect(f.cause).toContain(`The forward proxy ${p.url}`);
    expect(f.cause).toContain('answered 403');
    expect(f.fix.join(' ')).toContain(`ConnectPort ${new URL(stack.authUrl).port}`);
    expect(run.target.findings.map((x) => x.code)).not.toContain('NET_REFUSED');
    expect(run.out).toContain('Root cause: NET_PROXY_REFUSED');

    // The printed curl line tunnels as the check did, and gets the same refusal (curl exit 56:
    // "CONNECT tunnel failed, response 403"); without --proxytunnel curl sends the plain-HTTP
    // request through the proxy as it is, which this proxy allows — what the cause warns of.
    const line = f.repro![0]!;
    expect(line).toContain(`--proxytunnel -x '${p.url}'`);
    const env = { HOKUSAI_API_KEY: stack.apiKey };
    const tunnelled = await paste(line, env);
    expect(tunnelled.status, tunnelled.stderr).toBe(56);
    expect(tunnelled.stderr).toMatch(/403/);
    const plain = await paste(line.replace(' --proxytunnel', ''), env);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^HTTP\/1\.[01] 200/);
  });

  it('a proxy that wants credentials: 407 says so; with them in HTTPS_PROXY the check passes and never prints them', async () => {
    const password = randomBytes(9).toString('base64url');
    const p = await proxy({ basicAuth: { user: 'ci', password } });
    const denied = await check('auth-missing', stack, viaBoth(p.url));
    const f = root(denied.target)!;
    expect(f.code).toBe('NET_PROXY_REFUSED');
    expect(f.cause).toContain('answered 407');
    expect(f.fix[0]).toMatch(/credentials/);

    const withCredentials = `http://ci:${password}@127.0.0.1:${p.port}`;
    const ok = await check('auth-given', stack, viaBoth(withCredentials));
    expect(ok.code, ok.out).toBe(0);
    expect(new Set(ok.target.exchanges.map((x) => x.via))).toEqual(new Set([p.url]));
    const written = ok.out + readFileSync(tmp.file('auth-given.json'), 'utf8');
    expect(written).not.toContain(password);
  });

  it('the proxy cannot reach the target: NET_PROXY_REFUSED says the proxy could not connect to it (the target is named)', async () => {
    const p = await proxy();
    const down = await refusingUrl();
    const run = await check('target-down', { registryUrl: down, authUrl: stack.authUrl }, viaBoth(p.url));
    const f = root(run.target)!;
    expect(f.code, run.out).toBe('NET_PROXY_REFUSED');
    expect(f.step).toBe('health');
    expect(f.cause).toMatch(/answered 5\d\d/);
    expect(f.cause).toContain(`could not connect to ${new URL(down).host}`);
  });

  it('the proxy itself is down: NET_PROXY_UNREACHABLE names the proxy, and the target is not blamed', async () => {
    const closed = await refusingUrl();
    const run = await check('proxy-down', stack, viaBoth(closed));
    expect(run.code, run.out).toBe(3);
    const f = root(run.target)!;
    expect(f.code).toBe('NET_PROXY_UNREACHABLE');
    expect(f.cause).toContain(`The forward proxy ${closed} (HTTPS_PROXY/HTTP_PROXY) refused the connection`);
    expect(f.cause).toContain(`not ${new URL(stack.authUrl).host}`);
    expect(run.target.findings.map((x) => x.code)).not.toContain('NET_REFUSED');
  });
});

describe('look-alikes: the same refused port without the proxy in the path', () => {
  it('no proxy variables: NET_REFUSED names the target, no proxy code', async () => {
    const down = await refusingUrl();
    const run = await check('direct-down', { registryUrl: down, authUrl: stack.authUrl }, {});
    expect(root(run.target)?.code, run.out).toBe('NET_REFUSED');
    expect(run.target.findings.map((x) => x.code).filter((c) => c.startsWith('NET_PROXY'))).toEqual([]);
    expect(run.target.exchanges.every((x) => x.via === undefined)).toBe(true);
  });

  it('a proxy set, but NO_PROXY covers the target: requests go direct and NET_REFUSED names the target', async () => {
    const p = await proxy();
    const down = await refusingUrl();
    const run = await check('no-proxy', { registryUrl: down, authUrl: stack.authUrl }, { ...viaBoth(p.url), NO_PROXY: '127.0.0.1' });
    expect(root(run.target)?.code, run.out).toBe('NET_REFUSED');
    expect(run.target.exchanges.every((x) => x.via === undefined)).toBe(true);
    expect(p.log()).not.toMatch(/CONNECT 127\.0\.0\.1:/);
  });
});
