// Mutual TLS against real servers that require client certificates, in front of the embedded stack:
// nginx with `ssl_verify_client on` (it finishes the handshake and refuses at HTTP: its 400 pages) and
// HAProxy with `verify required` (it refuses in the handshake: TLS alerts, in TLS 1.3 after the
// client's side of it is done). Certificates come from a CA made in the test (test/helpers/mtls.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { makeMtlsFiles, pemBody, type MtlsFiles } from '../helpers/mtls.js';
import { startNginx, type NginxInstance } from '../helpers/nginx-instance.js';
import { freePort, requireBinary } from '../helpers/real-proxy.js';
import { readReport } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
let files: MtlsFiles;
let nginx13: NginxInstance;
let nginx12: NginxInstance;
const haproxies: Array<{ url: string; stop(): Promise<void> }> = [];
let haproxy13: string;
let haproxy12: string;

beforeAll(async () => {
  requireBinary('nginx');
  requireBinary('haproxy');
  [stack, files] = await Promise.all([startStack(), makeMtlsFiles(tmp.path)]);
  const upstream = new URL(stack.registryUrl).host;
  const nginxBlock = (protocols: string) => `
    ssl_certificate ${files.serverCert};
    ssl_certificate_key ${files.serverKey};
    ssl_protocols ${protocols};
    ssl_client_certificate ${files.clientCa};
    ssl_verify_client on;
    location / { proxy_pass http://${upstream}; }`;
  [nginx13, nginx12] = await Promise.all([
    startNginx(nginxBlock('TLSv1.3'), { tls: true }),
    startNginx(nginxBlock('TLSv1.2'), { tls: true }),
  ]);
  const [h13, h12] = await Promise.all([startHaproxy('ssl-min-ver TLSv1.3', upstream), startHaproxy('ssl-max-ver TLSv1.2', upstream)]);
  haproxies.push(h13, h12);
  [haproxy13, haproxy12] = [h13.url, h12.url];
});
afterAll(async () => {
  await Promise.all([nginx13?.stop(), nginx12?.stop(), ...haproxies.map((h) => h.stop())]);
  await stack?.close();
  tmp.remove();
});

let runs = 0;
async function check(url: string, extra: string[]) {
  const json = tmp.file(`report-${++runs}.json`);
  const run = await runInProcess(['--registry-url', url, '--ca-file', files.serverCa, '--retries', '0', '--json', json, ...extra], {
    env: { HOKUSAI_API_KEY: stack.apiKey },
    cwd: tmp.path,
  });
  const report = readReport(json);
  const target = report.targets[0]!;
  const root = target.findings.find((f) => f.rootCause);
  return { run, report, target, root, codes: target.findings.map((f) => f.code) };
}

const clientCert = () => ['--client-cert', files.clientCert, '--client-key', files.clientKey];

describe('mutual TLS: nginx with ssl_verify_client on', () => {
  it('--client-cert/--client-key: every step passes through nginx, exit 0, each exchange presented the certificate', async () => {
    const { run, report, target } = await check(nginx13.url, clientCert());
    expect(run.code, run.all).toBe(0);
    expect(report.verdict).toBe('pass');
    // No --auth-url: the registry validates the key itself.
    expect(target.steps.map((s) => s.status)).toEqual(['skipped', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(target.exchanges.every((x) => x.clientCert === true)).toBe(true);
    expect(run.stderr).not.toMatch(/warning/);
  });

  it("a combined PEM as an environment's clientCert (relative to the config file): passes, exit 0", async () => {
    const config = tmp.file('mtls.config.json');
    writeFileSync(config, JSON.stringify({ environments: { edge: { registryUrl: nginx13.url, clientCert: 'client-combined.pem' } } }));
    const { run, report } = await check(nginx13.url, ['--config', config, '--env', 'edge']);
    expect(run.code, run.all).toBe(0);
    expect(report.verdict).toBe('pass');
  });

  it('no certificate: nginx\'s "400 No required SSL certificate was sent" is TLS_CLIENT_CERT_REQUIRED, exit 1', async () => {
    const { run, target, root, codes } = await check(nginx13.url, []);
    expect(run.code, run.all).toBe(1);
    expect(root?.code).toBe('TLS_CLIENT_CERT_REQUIRED');
    expect(root?.cause).toMatch(/^nginx at 127\.0\.0\.1:\d+ requires a client certificate \(mutual TLS\) and none was sent: .*400/);
    expect(root?.cause).toMatch(/No required SSL certificate was sent/);
    expect(root?.fix.join(' ')).toMatch(/--client-cert client\.pem --client-key client\.key/);
    expect(codes).not.toContain('GATEWAY_REFUSED');
    const cited = target.exchanges.find((x) => x.id === root?.evidence[0]);
    expect(cited).toMatchObject({ responder: 'nginx', response: { status: 400 } });
    expect(run.stdout).toMatch(/TLS_CLIENT_CERT_REQUIRED/);
  });

  it('no certificate, TLS 1.2: the same page, the same finding', async () => {
    const { run, root } = await check(nginx12.url, []);
    expect(run.code, run.all).toBe(1);
    expect(root?.code).toBe('TLS_CLIENT_CERT_REQUIRED');
  });

  it('a certificate from another CA: nginx\'s "400 The SSL certificate error" is TLS_CLIENT_CERT_REJECTED, exit 1', async () => {
    const { run, root, codes } = await check(nginx13.url, ['--client-cert', files.foreignCert, '--client-key', files.foreignKey]);
    expect(run.code, run.all).toBe(1);
    expect(root?.code).toBe('TLS_CLIENT_CERT_REJECTED');
    expect(root?.cause).toMatch(/refused the client certificate sent \(\S+foreign\.crt: CN=someone-else, issued by CN=another CA/);
    expect(root?.cause).toMatch(/The SSL certificate error/);
    expect(codes).not.toContain('TLS_CLIENT_CERT_EXPIRED');
    expect(codes).not.toContain('GATEWAY_REFUSED');
  });

  it('an expired certificate: warned before the check, and TLS_CLIENT_CERT_EXPIRED from the same nginx page, exit 1', async () => {
    const { run, root, codes } = await check(nginx13.url, ['--client-cert', files.expiredCert, '--client-key', files.expiredKey]);
    expect(run.code, run.all).toBe(1);
    expect(run.stderr).toMatch(
      /warning: the client certificate \S+expired\.crt \(CN=ci-runner-old\) expired on \S+: a server that checks client certificates refuses it/,
    );
    expect(root?.code).toBe('TLS_CLIENT_CERT_EXPIRED');
    expect(root?.cause).toMatch(/refused the client certificate sent as expired: \S+expired\.crt \(CN=ci-runner-old\) is valid from/);
    expect(codes).not.toContain('TLS_CLIENT_CERT_REJECTED');
  });

  it('an untrusted server certificate stays TLS_UNTRUSTED, whatever the client certificate (no --ca-file)', async () => {
    const json = tmp.file('untrusted.json');
    const run = await runInProcess(['--registry-url', nginx13.url, '--retries', '0', '--json', json, ...clientCert()], {
      env: { HOKUSAI_API_KEY: stack.apiKey },
    });
    expect(run.code, run.all).toBe(3);
    const codes = readReport(json).targets[0]!.findings.map((f) => f.code);
    expect(codes).toContain('TLS_UNTRUSTED');
    expect(codes.filter((c) => c.startsWith('TLS_CLIENT_CERT'))).toEqual([]);
  });

  it("the root cause's commands carry the certificate: the confirm line and curl's --cert/--key", async () => {
    const { root } = await check(nginx13.url, ['--client-cert', files.foreignCert, '--client-key', files.foreignKey]);
    expect(root?.confirm).toContain(`--client-cert ${files.foreignCert} --client-key ${files.foreignKey}`);
    expect(root?.repro?.[0]).toMatch(new RegExp(`--cert '${files.foreignCert}' --key '${files.foreignKey}'`));
  });
});

describe('mutual TLS: TLS alerts (HAProxy verify required)', () => {
  it('TLS 1.3, no certificate: the alert certificate_required (116) after the handshake is TLS_CLIENT_CERT_REQUIRED, not a reset; exit 3', async () => {
    const { run, target, root, codes } = await check(haproxy13, []);
    expect(run.code, run.all).toBe(3);
    expect(root?.code).toBe('TLS_CLIENT_CERT_REQUIRED');
    expect(root?.cause).toMatch(
      /127\.0\.0\.1:\d+ requires a client certificate \(mutual TLS\) and none was sent: .* failed on the server's TLS alert certificate_required \(116\)/,
    );
    expect(codes).not.toContain('NET_RESET');
    expect(target.exchanges[0]?.error).toMatchObject({ kind: 'tls-client-cert', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
  });

  it('TLS 1.2, no certificate: handshake_failure (40) reads as likely TLS_CLIENT_CERT_REQUIRED', async () => {
    const { run, root } = await check(haproxy12, []);
    expect(run.code, run.all).toBe(3);
    expect(root?.code).toBe('TLS_CLIENT_CERT_REQUIRED');
    expect(root?.cause).toMatch(/^Likely: .*handshake_failure \(40\)/);
  });

  it('a certificate from another CA: unknown_ca (48) is TLS_CLIENT_CERT_REJECTED', async () => {
    const { run, root } = await check(haproxy13, ['--client-cert', files.foreignCert, '--client-key', files.foreignKey]);
    expect(run.code, run.all).toBe(3);
    expect(root?.code).toBe('TLS_CLIENT_CERT_REJECTED');
    expect(root?.cause).toMatch(/unknown_ca \(48\) — it does not trust the certificate's issuer \(CN=another CA\)/);
  });

  it('an expired certificate, TLS 1.2: certificate_expired (45) is TLS_CLIENT_CERT_EXPIRED', async () => {
    const { run, root } = await check(haproxy12, ['--client-cert', files.expiredCert, '--client-key', files.expiredKey]);
    expect(run.code, run.all).toBe(3);
    expect(root?.code).toBe('TLS_CLIENT_CERT_EXPIRED');
    expect(root?.cause).toMatch(/certificate_expired \(45\)/);
  });

  it('the right certificate: passes through HAProxy, exit 0', async () => {
    const { run } = await check(haproxy13, clientCert());
    expect(run.code, run.all).toBe(0);
  });
});

describe('the private key is never printed', () => {
  it('no output of a failing and a passing check (terminal, --verbose, JSON, HAR, JUnit, Markdown) holds any part of a key', async () => {
    const outputs: string[] = [];
    for (const [url, cert, key] of [
      [nginx13.url, files.foreignCert, files.foreignKey],
      [nginx13.url, files.combined, files.combined],
      [haproxy13, files.expiredCert, files.expiredKey],
    ] as const) {
      const out = (ext: string) => tmp.file(`leak-${++runs}.${ext}`);
      const [json, har, junit, md] = [out('json'), out('har'), out('xml'), out('md')];
      const run = await runInProcess(
        ['--registry-url', url, '--ca-file', files.serverCa, '--retries', '0', '--verbose', '--client-cert', cert, '--client-key', key],
        { env: { HOKUSAI_API_KEY: stack.apiKey }, cwd: tmp.path },
      );
      const files2 = await runInProcess(
        [
          '--registry-url',
          url,
          '--ca-file',
          files.serverCa,
          '--retries',
          '0',
          '--client-cert',
          cert,
          '--client-key',
          key,
          '--json',
          json,
          '--har',
          har,
          '--junit',
          junit,
          '--markdown',
          md,
        ],
        { env: { HOKUSAI_API_KEY: stack.apiKey }, cwd: tmp.path },
      );
      outputs.push(run.all, files2.all, ...[json, har, junit, md].map((f) => readFileSync(f, 'utf8')));
    }
    const all = outputs.join('\n');
    expect(all).toMatch(/TLS_CLIENT_CERT_REJECTED/); // the outputs are the real ones
    for (const pem of files.keyPems) {
      const body = pemBody(pem);
      expect(body.length).toBeGreaterThan(60);
      // The whole body, and any 24-character run of it.
      for (let at = 0; at + 24 <= body.length; at += 12) expect(all.includes(body.slice(at, at + 24)), `key bytes at ${at}`).toBe(false);
    }
    expect(all).not.toMatch(/PRIVATE KEY/);
  });
});

/** HAProxy in front of `upstream` (host:port) on TLS, requiring a client certificate of the client CA. */
async function startHaproxy(versions: string, upstream: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const cfg = tmp.file(`haproxy-${port}.cfg`);
  writeFileSync(
    cfg,
    `global
  maxconn 64
defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:${port} ssl crt ${files.serverPem} ca-file ${files.clientCa} verify required ${versions}
  default_backend be
backend be
  server app ${upstream}
`,
  );
  const child: ChildProcess = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) break;
    if (i > 200) throw new Error(`haproxy did not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `https://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
