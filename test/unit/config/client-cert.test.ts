// Mutual TLS inputs (--client-cert/--client-key, HOKUS_CHECK_CLIENT_CERT/_KEY, clientCert/clientKey in
// the config file): where they come from, and every bad input a usage error (exit 2, one line, no
// stack) before any request — the registry URL is a port nothing listens on, so a request would
// end as exit 3, not 2.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../../src/config/resolve.js';
import { runInProcess } from '../../helpers/in-process.js';
import { makeMtlsFiles, type MtlsFiles } from '../../helpers/mtls.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
let files: MtlsFiles;
const KEY = `hk_test_${randomBytes(16).toString('hex')}`;
const TARGET = ['--registry-url', 'https://127.0.0.1:9'];

beforeAll(async () => {
  files = await makeMtlsFiles(tmp.path);
});
afterAll(() => tmp.remove());

async function usage(args: string[], env: Record<string, string> = {}) {
  const run = await runInProcess([...TARGET, ...args], { env: { HOKUSAI_API_KEY: KEY, ...env }, cwd: tmp.path });
  const lines = run.stderr.trim().split('\n');
  return { run, lines };
}

describe('client certificate usage errors (exit 2, one line, before any request)', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['a file that does not exist', () => ['--client-cert', join(tmp.path, 'missing.pem')], /--client-cert \S+missing\.pem: cannot read it/],
    [
      'a directory',
      () => ['--client-cert', tmp.path],
      /--client-cert \S+: not a regular file \(a directory\); a certificate or key is a PEM file/,
    ],
    ['a DER certificate (not PEM)', () => ['--client-cert', files.derCert], /--client-cert \S+client\.der: not a PEM certificate/],
    ['a key file given as the certificate', () => ['--client-cert', files.clientKey], /client\.key: not a PEM certificate/],
    [
      'a certificate without its key',
      () => ['--client-cert', files.clientCert],
      /--client-cert \S+client\.crt: holds a certificate but no private key: give the key with --client-key/,
    ],
    [
      'a key without a certificate',
      () => ['--client-key', files.clientKey],
      /--client-key is given without a certificate: give --client-cert/,
    ],
    [
      'a key that belongs to another certificate',
      () => ['--client-cert', files.clientCert, '--client-key', files.foreignKey],
      /--client-key \S+foreign\.key: the private key does not belong to the certificate in \S+client\.crt \(CN=ci-runner\)/,
    ],
    [
      'an encrypted key',
      () => ['--client-cert', files.clientCert, '--client-key', files.encryptedKey],
      /--client-key \S+encrypted\.key: the private key is encrypted, and hokus-check does not read encrypted keys/,
    ],
    ['a certificate given as the key', () => ['--client-cert', files.clientCert, '--client-key', files.clientCert], /no PEM private key/],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: exit 2 with one line naming the file`, async () => {
      const { run, lines } = await usage(args());
      expect(run.code, run.all).toBe(2);
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe('');
    });
  }

  it('HOKUS_CHECK_CLIENT_CERT is checked the same way, and named', async () => {
    const { run, lines } = await usage([], { HOKUS_CHECK_CLIENT_CERT: files.derCert });
    expect(run.code).toBe(2);
    expect(lines).toEqual([expect.stringMatching(/^hokus-check: HOKUS_CHECK_CLIENT_CERT \S+client\.der: not a PEM certificate/)]);
  });

  it("a config file's clientKey without clientCert names its JSON path", async () => {
    const config = join(tmp.path, 'keyonly.config.json');
    writeFileSync(config, JSON.stringify({ environments: { prod: { registryUrl: 'https://127.0.0.1:9', clientKey: 'client.key' } } }));
    const run = await runInProcess(['--config', config, '--env', 'prod'], { env: { HOKUSAI_API_KEY: KEY }, cwd: tmp.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/environment "prod": environments\.prod\.clientKey in \S+ is given without a certificate/);
  });

  it('no part of a key file is ever quoted in a usage error', async () => {
    const notAKey = join(tmp.path, 'garbled.key');
    const inside = randomBytes(24).toString('hex');
    writeFileSync(notAKey, `-----BEGIN PRIVATE KEY-----\n${inside}\n-----END PRIVATE KEY-----\n`);
    const { run } = await usage(['--client-cert', files.clientCert, '--client-key', notAKey]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/garbled\.key: the private key does not parse \(ERR_\w+\)/);
    expect(run.all).not.toContain(inside.slice(0, 12));
  });
});

describe('where the client certificate comes from', () => {
  const resolve = (flags: Record<string, unknown>, env: Record<string, string> = {}, cwd = tmp.path) =>
    resolveSettings({ flags: { registryUrl: 'https://registry.example.test', ...flags }, env, cwd }).targets[0]!;

  it('a combined PEM with --client-cert alone: certificate and key from one file', () => {
    const t = resolve({ clientCert: files.combined });
    expect(t.clientCert).toMatchObject({
      path: files.combined,
      keyPath: files.combined,
      subject: 'CN=ci-runner',
      issuer: 'CN=hokus-check test client CA',
    });
    expect(t.clientCert?.chainPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(t.clientCert?.chainPem).not.toMatch(/PRIVATE KEY/);
  });

  it('flag and variable paths are relative to the working directory', () => {
    expect(resolve({ clientCert: 'client.crt', clientKey: 'client.key' }).clientCert?.path).toBe(files.clientCert);
    expect(resolve({}, { HOKUS_CHECK_CLIENT_CERT: 'client-combined.pem' }).clientCert?.path).toBe(files.combined);
  });

  it("config file paths are relative to the file's directory; the pair comes from the first place that sets either", () => {
    const dir = join(tmp.path, 'conf');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'client.pem'), '');
    const config = join(dir, 'hokus-check.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        defaults: { clientCert: '../expired.crt', clientKey: '../expired.key' },
        environments: {
          prod: { registryUrl: 'https://registry.example.test', clientCert: '../client.crt', clientKey: '../client.key' },
          staging: { registryUrl: 'https://registry.example.test' },
        },
      }),
    );
    const target = (env: string, flags: Record<string, unknown> = {}, vars: Record<string, string> = {}) =>
      resolveSettings({ flags: { config, env: [env], ...flags }, env: vars, cwd: '/' }).targets[0]!.clientCert;
    expect(target('prod')?.path).toBe(files.clientCert);
    expect(target('staging')?.path).toBe(files.expiredCert);
    // A variable beats the file; a flag beats the variable (its combined PEM is not paired with the file's key).
    expect(target('prod', {}, { HOKUS_CHECK_CLIENT_CERT: files.foreignCert, HOKUS_CHECK_CLIENT_KEY: files.foreignKey })?.path).toBe(
      files.foreignCert,
    );
    expect(target('prod', { clientCert: files.combined }, { HOKUS_CHECK_CLIENT_CERT: files.foreignCert })).toMatchObject({
      path: files.combined,
      keyPath: files.combined,
    });
  });

  it('a config file found in the working directory does not choose the certificate for a run that names no environment', () => {
    const dir = join(tmp.path, 'found');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hokus-check.config.json'), JSON.stringify({ defaults: { clientCert: files.combined }, environments: {} }));
    expect(() => resolve({}, {}, dir)).toThrow(
      /defaults\.clientCert in hokus-check\.config\.json: a config file found in the working directory does not choose the client certificate/,
    );
  });
});
