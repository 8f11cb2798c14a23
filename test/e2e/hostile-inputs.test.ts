// Every input has a bound and is checked before the first request: a config file that is a
// symlink to /dev/zero, a FIFO or too large; output paths that are links, pipes or devices; proxy
// variables and --post-report URLs that will not do; and an artifact read-back that never ends or
// drips — each ends within its bound with one clear line or a finding, never a crash or a hang.
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport } from '../helpers/report.js';
import { serveHttp, type TestServer } from '../helpers/safety-servers.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ pendingPolls: 0 });
  stack.seed.experiment('hokus-check');
});
afterAll(async () => {
  await stack.close();
  tmp.remove();
});

const target = () => ['--registry-url', stack.registryUrl, '--auth-url', stack.authUrl];
const env = () => ({ HOKUSAI_API_KEY: stack.apiKey });

describe('the config file is read with a bound', () => {
  it('a symlink to /dev/zero (a branch may carry one): exit 2, one line, read nothing', async () => {
    const dir = tmp.file('zero');
    execFileSync('mkdir', ['-p', dir]);
    symlinkSync('/dev/zero', `${dir}/hokus-check.config.json`);
    for (const args of [['--config', `${dir}/hokus-check.config.json`], []]) {
      const run = await runInProcess([...target(), ...args], { env: env(), cwd: dir });
      expect(run.code, run.all).toBe(2);
      expect(run.stderr.trim()).toMatch(
        /^hokus-check: \S+hokus-check\.config\.json: not a regular file \(a device\); a config file is a JSON file$/,
      );
    }
  });

  it('a FIFO with no writer: exit 2 at once, no hang', async () => {
    const fifo = tmp.file('config.fifo');
    execFileSync('mkfifo', [fifo]);
    const run = await runInProcess([...target(), '--config', fifo], { env: env() });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr).toMatch(/not a regular file \(a FIFO\)/);
  });

  it('a file over 1 MiB: exit 2, saying the bound', async () => {
    const big = tmp.file('big.json');
    writeFileSync(big, `{"environments":{},"x":"${'a'.repeat(1024 * 1024)}"}`);
    const run = await runInProcess([...target(), '--config', big], { env: env() });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr).toMatch(/\d+ bytes; a config file is at most 1048576 bytes of JSON/);
  });
});

describe('output paths, proxy variables and --post-report are checked before the first request', () => {
  const before = () => stack.requests().length;

  it.each([
    [
      'a symlink (it would overwrite its target)',
      () => {
        const link = tmp.file('out-link.json');
        symlinkSync(tmp.file('elsewhere.json'), link);
        return link;
      },
      /--json \S+out-link\.json: is a symbolic link; hokus-check does not write through links: give the real path/,
    ],
    [
      '/dev/stdout (under `> file` it truncates what was written)',
      () => '/dev/stdout',
      /--json \/dev\/stdout: is a device, not a file; for stdout give -|--json \/dev\/stdout: is a symbolic link/,
    ],
    [
      'a FIFO (no reader: the write would hang after cleanup)',
      () => {
        const fifo = tmp.file('out.fifo');
        execFileSync('mkfifo', [fifo]);
        return fifo;
      },
      /is a pipe or socket, not a file; give a file name/,
    ],
  ])('--json to %s: exit 2, nothing sent', async (_what, path, said) => {
    const n = before();
    const run = await runInProcess([...target(), '--json', path()], { env: env() });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr).toMatch(said);
    expect(stack.requests().length).toBe(n);
  });

  it('an HTTPS_PROXY that does not parse: exit 2, shown without its credentials, nothing sent', async () => {
    const n = before();
    const run = await runInProcess(target(), { env: { ...env(), HTTPS_PROXY: 'http://deploy:s3cr3t-proxy-pass@proxy .corp:3128' } });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr.trim()).toBe('hokus-check: HTTPS_PROXY=http://…@proxy .corp:3128: not a URL; give the proxy as http://host:port');
    expect(run.all).not.toContain('s3cr3t-proxy-pass');
    expect(stack.requests().length).toBe(n);
  });

  it('--post-report with credentials in the URL: exit 2 before the check ran against the deployment', async () => {
    const n = before();
    const run = await runInProcess([...target(), '--post-report', 'https://ci:collector-pass@reports.example.test/upload'], { env: env() });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr).toMatch(/--post-report https:\/\/…@reports\.example\.test\/upload: the URL must not contain credentials/);
    expect(run.all).not.toContain('collector-pass');
    expect(stack.requests().length).toBe(n);
  });
});

/** A read-back answer that sends one byte every `everyMs` and never ends. */
function drip(everyMs: number): (res: http.ServerResponse) => void {
  return (res) => {
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), everyMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** A front that forwards to the registry, except the artifact read-back, which it answers itself. */
async function readBackFront(write: (res: http.ServerResponse) => void): Promise<TestServer> {
  const upstream = new URL(stack.registryUrl);
  return serveHttp((req, res) => {
    const path = req.url ?? '/';
    if (req.method === 'GET' && /\/mlflow-artifacts\/artifacts\/.+\.bin$/.test(path.split('?')[0]!)) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      write(res);
      return;
    }
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
}

describe('the artifact read-back has a bound', () => {
  it('an endless read-back stops after the size sent plus a margin: ARTIFACT_CORRUPTED, not the deadline', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const front = await readBackFront((res) => {
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    try {
      const json = tmp.file('endless.json');
      const run = await runInProcess(['--registry-url', front.url, '--auth-url', stack.authUrl, '--json', json], { env: env() });
      const t = readReport(json).targets[0]!;
      expect(run.code, run.stdout).toBe(1);
      expect(t.findings.find((f) => f.rootCause)).toMatchObject({ code: 'ARTIFACT_CORRUPTED', step: 'artifact' });
      const get = t.exchanges.find((x) => x.label === 'GET artifact')!;
      // 4 KiB sent: at most that and the 64 KiB margin, and one read's worth, were taken in.
      expect(get.response!.bodySize).toBeLessThanOrEqual(4096 + 64 * 1024 + 64 * 1024);
      expect(get.error?.kind).toBe('body-too-large');
    } finally {
      await front.close();
    }
  });

  it('a dripping read-back is cut by the deadline, and the deadline is the root cause on the artifact step', async () => {
    const front = await readBackFront(drip(50));
    try {
      const json = tmp.file('drip.json');
      const run = await runInProcess(['--registry-url', front.url, '--auth-url', stack.authUrl, '--json', json, '--deadline', '3s'], {
        env: env(),
      });
      const t = readReport(json).targets[0]!;
      expect(run.code, run.stdout).toBe(1);
      expect(t.findings.find((f) => f.rootCause)).toMatchObject({ code: 'DEADLINE_EXCEEDED', step: 'artifact' });
    } finally {
      await front.close();
    }
  }, 30_000);

  it('a read-back that drips slower than --timeout is cut by the idle bound, long before the deadline', async () => {
    // One byte every 1.5 s: each read waits longer than --timeout 1s; the 2-minute deadline must not be what ends it.
    const front = await readBackFront(drip(1500));
    try {
      const json = tmp.file('slow-drip.json');
      const run = await runInProcess(['--registry-url', front.url, '--auth-url', stack.authUrl, '--json', json, '--timeout', '1s'], {
        env: env(),
      });
      const t = readReport(json).targets[0]!;
      expect(run.code, run.stdout).toBe(1);
      const root = t.findings.find((f) => f.rootCause);
      expect(root).toMatchObject({ code: 'NET_TIMEOUT', step: 'artifact' });
      const get = t.exchanges.find((x) => x.label === 'GET artifact')!;
      expect(get.error?.kind).toBe('timeout');
      expect(t.steps.find((s) => s.id === 'cleanup')?.status).toBe('pass');
    } finally {
      await front.close();
    }
  }, 30_000);
});

describe('answer headers have a bound', () => {
  it.each([
    ['one header of 64 KiB', (res: http.ServerResponse) => res.setHeader('x-pad', 'a'.repeat(64 * 1024))],
    [
      '4,000 headers',
      (res: http.ServerResponse) => {
        for (let i = 0; i < 4000; i++) res.setHeader(`x-h${i}`, 'v');
      },
    ],
  ])('%s on /health: a malformed answer named as such, not a crash', async (_what, pad) => {
    const front = await serveHttp((_req, res) => {
      pad(res);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    try {
      const json = tmp.file('headers.json');
      const run = await runInProcess(['--registry-url', front.url, '--json', json, '--retries', '0'], { env: env() });
      const t = readReport(json).targets[0]!;
      expect([1, 3]).toContain(run.code);
      const health = t.exchanges.find((x) => x.label === 'GET /health')!;
      expect(health.error?.kind).toBe('protocol');
      expect(t.findings.map((f) => f.code)).toContain('RESPONSE_MALFORMED');
    } finally {
      await front.close();
    }
  });
});
