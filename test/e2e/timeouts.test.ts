// Timeouts and cut transfers as a user sees them: a hop slower than --timeout after other steps got
// through is a failure of that hop (exit 1), a download cut mid-body names the seconds it ran, a
// binary body is described (size, first bytes, sha256) in every output, and exit 3 is left for a
// target of which nothing answered. Real loopback servers: the embedded stack behind a front that
// stalls or cuts chosen requests, and a real nginx whose proxy_read_timeout cuts a stalled download.
import { describe, expect, it } from 'vitest';
import { closedPort } from '../unit/http/servers.js';
import { fileStack } from '../helpers/file-stack.js';
import { parseReport } from '../helpers/report.js';
import { runCheckInProcess, type InProcessRun } from '../helpers/safety-inprocess.js';
import { startNginx } from '../helpers/nginx-instance.js';
import { startFront, type Front, type FrontAction } from '../helpers/stall-front.js';

const files = fileStack();
const tmp = files.tmp;

const ARTIFACT_GET = (method: string, path: string) =>
  method === 'GET' && path.includes('/mlflow-artifacts/artifacts/') && !path.includes('?');

async function checkThrough(
  decide: (method: string, path: string) => FrontAction,
  flags: Record<string, string> = {},
): Promise<{ run: InProcessRun; front: Front }> {
  const front = await startFront(files.stack.registryUrl, decide);
  try {
    const run = await runCheckInProcess({
      flags: { registryUrl: front.url, authUrl: files.stack.authUrl, timeout: '1s', retries: '0', deadline: '20s', ...flags },
      outputs: { json: '-', junit: tmp.file('junit.xml'), markdown: tmp.file('report.md'), har: tmp.file('check.har') },
      key: files.stack.apiKey,
      cwd: tmp.path,
    });
    return { run, front };
  } finally {
    await front.close();
  }
}

describe('a hop slower than --timeout', () => {
  it('after four steps got through the same proxy, runs/create never answering is a failure of run (exit 1), named with the time waited', async () => {
    const { run } = await checkThrough(
      (method, path) => (method === 'POST' && path.endsWith('/runs/create') ? { kind: 'stall' } : { kind: 'forward' }),
      { timeout: '600ms' },
    );
    const report = parseReport(run.out);
    const target = report.targets[0]!;
    expect(run.code, run.err).toBe(1);
    expect(report.exitCode).toBe(1);
    expect(report.verdict).toBe('fail');
    const step = (id: string) => target.steps.find((s) => s.id === id)!;
    for (const id of ['auth', 'health', 'experiments']) expect(step(id).status).toBe('pass');
    expect(step('run').status).toBe('fail');
    expect(step('run').rootCause).toBe(true);
    const root = target.findings.find((f) => f.rootCause)!;
    expect(root.code).toBe('NET_TIMEOUT');
    expect(root.step).toBe('run');
    expect(root.cause).toMatch(
      /sent no response to runs\/create within the 600 ms --timeout \(first-byte timeout\); it answered \d+ earlier requests of this check \(last: experiments\/(get-by-name|create), 200 from /,
    );
    expect(run.err).toMatch(/NET_TIMEOUT/);
  });

  it('when nothing of the target answers at all, it is still exit 3 (could not reach the target)', async () => {
    const port = await closedPort();
    const run = await runCheckInProcess({
      flags: { registryUrl: `http://127.0.0.1:${port}`, authUrl: `http://127.0.0.1:${port}`, timeout: '600ms', retries: '0' },
      outputs: { json: '-' },
      key: files.stack.apiKey,
      cwd: tmp.path,
    });
    const report = parseReport(run.out);
    expect(run.code, run.err).toBe(3);
    expect(report.verdict).toBe('error');
    expect(report.targets[0]!.steps.filter((s) => s.status === 'error').map((s) => s.id)).toEqual(['auth', 'health']);
  });
});

describe('a download cut mid-body', () => {
  it('is a server or proxy timeout with its seconds, exit 1, and the binary bytes never reach an output', async () => {
    const { run } = await checkThrough(
      (method, path) => (ARTIFACT_GET(method, path) ? { kind: 'cut', bytes: 64 * 1024, afterMs: 1200 } : { kind: 'forward' }),
      {
        artifactSize: '1MiB',
        timeout: '5s',
      },
    );
    const report = parseReport(run.out);
    const target = report.targets[0]!;
    expect(run.code, run.err).toBe(1);
    const artifact = target.steps.find((s) => s.id === 'artifact')!;
    expect(artifact.status).toBe('fail');
    const root = target.findings.find((f) => f.rootCause)!;
    expect(root.code, target.findings.map((f) => f.code).join(', ')).toBe('NET_TRANSFER_CUT');
    expect(root.step).toBe('artifact');
    expect(root.cause).toMatch(
      /^GET artifact got 200 from .+, then 127\.0\.0\.1:\d+ closed the connection (\d+\.\d) s after the request, with 65536 body bytes received: a server or proxy timeout of about \1 s cut the transfer \(a worker --timeout, a proxy read timeout or a load balancer idle timeout\)\.$/,
    );
    expect(target.findings.map((f) => f.code)).not.toContain('RESPONSE_MALFORMED');
    const get = target.exchanges.find((x) => x.id === root.evidence[0])!;
    expect(get.error?.kind).toBe('cut');
    expect(get.response?.binary?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(get.response?.bodyExcerpt).toMatch(/^binary body, 65536 bytes, starts [0-9a-f]{32}…, sha256 [0-9a-f]{64}$/);
    // Every output shows the description, none the bytes.
    const outputs = [run.out, run.err, ...run.files.values()];
    for (const text of outputs) expect(text).not.toMatch(/[\u0000-\u0008\u000e-\u001a\u001c-\u001f\ufffd]/);
    expect(run.err).toMatch(/→ 200 application\/octet-stream, then cut( \(\w+\))? after 65536 bytes/);
    expect(run.err).toMatch(/binary body, 65536 bytes, starts [0-9a-f]{16}…, sha256 [0-9a-f]{12}…/);
    expect(run.files.get('markdown')).toContain(`sha256 ${get.response!.binary!.sha256.slice(0, 12)}…`);
    expect(run.files.get('junit')).toContain('binary body, 65536 bytes');
    expect(run.files.get('har')).toContain('binary body: described (size, first bytes, sha256), not included');
  });

  it('a reset a moment into the body is a transfer ended early, not a timeout', async () => {
    const { run } = await checkThrough(
      (method, path) => (ARTIFACT_GET(method, path) ? { kind: 'cut', bytes: 1000, afterMs: 300, reset: true } : { kind: 'forward' }),
      {
        artifactSize: '256KiB',
      },
    );
    const target = parseReport(run.out).targets[0]!;
    expect(run.code, run.err).toBe(1);
    const root = target.findings.find((f) => f.rootCause)!;
    expect(root.code).toBe('NET_TRANSFER_CUT');
    expect(root.cause).toMatch(
      /(reset|closed) the connection \d+ ms after the request, with 1000 body bytes received: the server or a proxy in between ended the transfer early/,
    );
  });
});

describe('through a real nginx with proxy_read_timeout 1s', () => {
  it('a download whose upstream stalls mid-body is cut by nginx after about a second: NET_TRANSFER_CUT with the seconds, exit 1', async () => {
    const front = await startFront(files.stack.registryUrl, (method, path) =>
      ARTIFACT_GET(method, path) ? { kind: 'cut', bytes: 64 * 1024 } : { kind: 'forward' },
    );
    const nginx = await startNginx(`    location / {
      proxy_pass ${front.url};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 1s;
      proxy_max_temp_file_size 0;
    }`);
    let run: InProcessRun;
    let nginxLog: string;
    try {
      run = await runCheckInProcess({
        flags: { registryUrl: nginx.url, authUrl: files.stack.authUrl, timeout: '5s', retries: '0', deadline: '20s', artifactSize: '1MiB' },
        outputs: { json: '-' },
        key: files.stack.apiKey,
        cwd: tmp.path,
      });
    } finally {
      nginxLog = nginx.errorLog();
      await nginx.stop().catch(() => undefined);
      await front.close();
    }
    const target = parseReport(run.out).targets[0]!;
    // nginx itself says its read timeout ended it: the fault is the real proxy's, not imitated.
    expect(nginxLog).toMatch(/upstream timed out \(110: Connection timed out\) while reading upstream/);
    expect(run.code, run.err).toBe(1);
    expect(target.steps.find((s) => s.id === 'artifact')!.status).toBe('fail');
    const root = target.findings.find((f) => f.rootCause)!;
    expect(root.code, target.findings.map((f) => f.code).join(', ')).toBe('NET_TRANSFER_CUT');
    // nginx's timer is 1 s from its last read of the upstream; the check counts from its request.
    expect(root.cause).toMatch(
      /^GET artifact got 200 from .*nginx.*, then 127\.0\.0\.1:\d+ closed the connection (\d\.\d) s after the request, with \d+ body bytes received: a server or proxy timeout of about \1 s cut the transfer/,
    );
    expect(root.cause).not.toMatch(/[\u0000-\u0008\ufffd]/);
    expect(run.err).not.toMatch(/[\u0000-\u0008\u000e-\u001a\ufffd]/);
  });
});
