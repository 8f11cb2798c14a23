// MLflow's client conventions in the plain-MLflow mode (src/config/mlflow-env.ts): MLFLOW_TRACKING_URI
// names the target only when nothing of hokus-check's own does; the Basic pair comes before the token
// (MLflow's rest_utils.http_request); a key named explicitly comes before both; --insecure/--ca-file
// replace MLflow's TLS variables, which MLflow itself refuses together; MLFLOW_TRACKING_CLIENT_CERT_PATH
// is the client certificate of a target that names none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/config/errors.js';
import { type FlagValues, NO_TARGET, resolveSettings, type Settings } from '../../../src/config/resolve.js';
import { makeMtlsFiles, type MtlsFiles } from '../../helpers/mtls.js';
import { tempDir } from '../../helpers/tmp.js';

const CWD = '/work/app';
const URI = 'http://mlflow.internal:5000';
const USER = { MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 'pw-0123456789' };
const TOKEN = { MLFLOW_TRACKING_TOKEN: 'tok-0123456789' };

function resolveWith(flags: FlagValues, env: Record<string, string | undefined>, file?: unknown): Settings {
  const text = file === undefined ? undefined : JSON.stringify(file);
  return resolveSettings({ flags, env, cwd: CWD, readFile: (path) => (path === `${CWD}/hokus-check.config.json` ? text : undefined) });
}

function problemsOf(flags: FlagValues, env: Record<string, string | undefined>): string[] {
  try {
    resolveWith(flags, env);
  } catch (error) {
    if (error instanceof UsageError) return error.lines;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('the target: flags, HOKUS_CHECK_* and the config file before MLFLOW_TRACKING_URI', () => {
  it('MLFLOW_TRACKING_URI alone is a plain MLflow target, and the first notice says so', () => {
    const s = resolveWith({}, { MLFLOW_TRACKING_URI: `${URI}/` });
    expect(s.targets).toEqual([expect.objectContaining({ name: 'default', kind: 'mlflow', mlflowUrl: URI, mlflowPath: '' })]);
    expect(s.notices?.[0]).toBe(`target from MLFLOW_TRACKING_URI: ${URI}`);
  });

  it('keeps a path prefix (a proxy mount) as MLflow clients do', () => {
    expect(resolveWith({}, { MLFLOW_TRACKING_URI: 'https://registry.hokus.ai/api/mlflow' }).targets[0]?.mlflowUrl).toBe(
      'https://registry.hokus.ai/api/mlflow',
    );
  });

  const named: Array<[string, FlagValues, Record<string, string>, unknown, Partial<Settings['targets'][0]>]> = [
    ['--mlflow-url', { mlflowUrl: 'http://flag:5000' }, {}, undefined, { kind: 'mlflow', mlflowUrl: 'http://flag:5000' }],
    ['HOKUS_CHECK_MLFLOW_URL', {}, { HOKUS_CHECK_MLFLOW_URL: 'http://var:5000' }, undefined, { mlflowUrl: 'http://var:5000' }],
    ['--registry-url (a Hokusai deployment)', { registryUrl: 'https://registry.example' }, {}, undefined, { kind: 'hokusai' }],
    [
      'an environment of the config file',
      { env: ['prod'] },
      {},
      { environments: { prod: { mlflowUrl: 'http://file:5000' } } },
      { name: 'prod', mlflowUrl: 'http://file:5000' },
    ],
  ];
  for (const [what, flags, env, file, expected] of named) {
    it(`${what} names the target: MLFLOW_TRACKING_URI is not used (and no clash)`, () => {
      const s = resolveWith(flags, { MLFLOW_TRACKING_URI: URI, ...env }, file);
      expect(s.targets[0]).toMatchObject(expected);
      expect(s.notices ?? []).not.toContainEqual(expect.stringMatching(/MLFLOW_TRACKING_URI/));
    });
  }

  it('refuses a store that is not a tracking server, showing its scheme only (it may hold a password)', () => {
    const lines = problemsOf({}, { MLFLOW_TRACKING_URI: 'postgresql://mlflow:pg-secret-123@db/mlflow' });
    expect(lines).toEqual([
      'MLFLOW_TRACKING_URI is a postgresql: URI, not a tracking server: hokus-check checks a tracking server (an http:// or https:// URL); give --mlflow-url URL, or set MLFLOW_TRACKING_URI to the server',
    ]);
    expect(problemsOf({}, { MLFLOW_TRACKING_URI: 'databricks' })[0]).toMatch(/^MLFLOW_TRACKING_URI is a local path, not a tracking server/);
  });

  it('an unset or empty MLFLOW_TRACKING_URI leaves the usual "no target"', () => {
    expect(problemsOf({}, { MLFLOW_TRACKING_URI: '' })).toEqual([NO_TARGET]);
  });
});

describe("credentials: an explicit key > MLflow's Basic pair > MLflow's token > HOKUSAI_API_KEY", () => {
  it('the username/password pair is sent as Basic, by the names of its variables', () => {
    const t = resolveWith({}, { MLFLOW_TRACKING_URI: URI, ...USER }).targets[0]!;
    expect(t.basicAuthEnv).toEqual({ username: 'MLFLOW_TRACKING_USERNAME', password: 'MLFLOW_TRACKING_PASSWORD' });
    expect(JSON.stringify(t)).not.toContain(USER.MLFLOW_TRACKING_PASSWORD);
  });

  it("the pair comes before the token, as in MLflow's client, and the notice says the token is not sent", () => {
    const s = resolveWith({}, { MLFLOW_TRACKING_URI: URI, ...USER, ...TOKEN });
    expect(s.targets[0]?.basicAuthEnv).toBeDefined();
    expect(s.targets[0]?.apiKeyEnv).toBe('HOKUSAI_API_KEY');
    expect(s.notices).toContain(
      "MLFLOW_TRACKING_TOKEN not sent: MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD come first, as in MLflow's client",
    );
  });

  it('the token alone is the key (Bearer), read from MLFLOW_TRACKING_TOKEN', () => {
    const t = resolveWith({ mlflowUrl: URI }, { ...TOKEN, HOKUSAI_API_KEY: 'hk_test_abcdefgh12345678' }).targets[0]!;
    expect(t).toMatchObject({ apiKeyEnv: 'MLFLOW_TRACKING_TOKEN' });
    expect(t.basicAuthEnv).toBeUndefined();
  });

  it('half a pair sends no Basic login, says so, and falls back to the token', () => {
    const s = resolveWith({}, { MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_USERNAME: 'alice', ...TOKEN });
    expect(s.targets[0]).toMatchObject({ apiKeyEnv: 'MLFLOW_TRACKING_TOKEN' });
    expect(s.notices).toContain(
      "MLFLOW_TRACKING_USERNAME is set without MLFLOW_TRACKING_PASSWORD: no Basic credentials are sent (MLflow's client sends them only as a pair)",
    );
  });

  const explicit: Array<[string, FlagValues, Record<string, string>, string]> = [
    ['--api-key-env', { apiKeyEnv: 'MY_KEY' }, {}, 'MY_KEY'],
    ['HOKUS_CHECK_API_KEY_ENV', {}, { HOKUS_CHECK_API_KEY_ENV: 'MY_KEY' }, 'MY_KEY'],
    ['--api-key-stdin', { apiKeyStdin: true }, {}, 'HOKUSAI_API_KEY'],
  ];
  for (const [what, flags, env, keyEnv] of explicit) {
    it(`${what} comes before MLflow's variables`, () => {
      const s = resolveWith({ mlflowUrl: URI, ...flags }, { ...USER, ...TOKEN, ...env });
      expect(s.targets[0]).toMatchObject({ apiKeyEnv: keyEnv });
      expect(s.targets[0]?.basicAuthEnv).toBeUndefined();
      expect(s.notices?.[0]).toMatch(
        /^MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD, MLFLOW_TRACKING_TOKEN not used: .* names the key to send/,
      );
    });
  }

  it("a Hokusai deployment's key is never MLflow's: the variables do not apply", () => {
    const t = resolveWith({ registryUrl: 'https://registry.example' }, { ...USER, ...TOKEN }).targets[0]!;
    expect(t).toMatchObject({ kind: 'hokusai', apiKeyEnv: 'HOKUSAI_API_KEY' });
    expect(t.basicAuthEnv).toBeUndefined();
  });
});

describe("TLS: --insecure and --ca-file before MLflow's TLS variables", () => {
  for (const value of ['true', 'TRUE', '1']) {
    it(`MLFLOW_TRACKING_INSECURE_TLS=${value} turns verification off, naming the variable`, () => {
      const s = resolveWith({ mlflowUrl: URI }, { MLFLOW_TRACKING_INSECURE_TLS: value });
      expect(s.check.insecure).toBe(true);
      expect(s.tlsFrom?.insecure).toBe(`MLFLOW_TRACKING_INSECURE_TLS=${value}`);
    });
  }

  it('false and 0 keep it on; anything else is a usage error, as in MLflow', () => {
    expect(resolveWith({ mlflowUrl: URI }, { MLFLOW_TRACKING_INSECURE_TLS: 'false' }).check.insecure).toBe(false);
    expect(resolveWith({ mlflowUrl: URI }, { MLFLOW_TRACKING_INSECURE_TLS: '0' }).check.insecure).toBe(false);
    expect(problemsOf({ mlflowUrl: URI }, { MLFLOW_TRACKING_INSECURE_TLS: 'yes' })).toEqual([
      'MLFLOW_TRACKING_INSECURE_TLS: expected true, false, 1 or 0 (any case), as MLflow reads it; got "yes"',
    ]);
  });

  it('MLFLOW_TRACKING_SERVER_CERT_PATH is the CA file, relative to the working directory', () => {
    const s = resolveWith({ mlflowUrl: URI }, { MLFLOW_TRACKING_SERVER_CERT_PATH: 'certs/ca.pem' });
    expect(s.check.caFile).toBe(`${CWD}/certs/ca.pem`);
    expect(s.tlsFrom?.caFile).toBe('MLFLOW_TRACKING_SERVER_CERT_PATH');
  });

  it('INSECURE_TLS=true with SERVER_CERT_PATH is refused, as MLflow refuses it', () => {
    const lines = problemsOf({ mlflowUrl: URI }, { MLFLOW_TRACKING_INSECURE_TLS: 'true', MLFLOW_TRACKING_SERVER_CERT_PATH: 'ca.pem' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^MLFLOW_TRACKING_INSECURE_TLS=true and MLFLOW_TRACKING_SERVER_CERT_PATH cannot both be set/);
  });

  it('a TLS flag replaces both variables (no contradiction left to refuse)', () => {
    const flagged = resolveWith(
      { mlflowUrl: URI, caFile: 'mine.pem' },
      { MLFLOW_TRACKING_INSECURE_TLS: 'true', MLFLOW_TRACKING_SERVER_CERT_PATH: 'ca.pem' },
    );
    expect(flagged.check).toMatchObject({ insecure: false, caFile: `${CWD}/mine.pem` });
    expect(flagged.tlsFrom).toBeUndefined();
    const insecure = resolveWith({ mlflowUrl: URI, insecure: true }, { MLFLOW_TRACKING_SERVER_CERT_PATH: 'ca.pem' });
    expect(insecure.check.insecure).toBe(true);
    expect(insecure.check.caFile).toBeUndefined();
  });

  it('a Hokusai deployment does not read them', () => {
    const s = resolveWith({ registryUrl: 'https://registry.example' }, { MLFLOW_TRACKING_INSECURE_TLS: 'true' });
    expect(s.check.insecure).toBe(false);
  });
});

describe('MLFLOW_TRACKING_CLIENT_CERT_PATH: the client certificate (one PEM with its key)', () => {
  const tmp = tempDir();
  let files: MtlsFiles;
  beforeAll(async () => {
    files = await makeMtlsFiles(tmp.path);
  });
  afterAll(() => tmp.remove());

  it('is read and checked as --client-cert is, for a target that names none', () => {
    const t = resolveWith({ mlflowUrl: URI }, { MLFLOW_TRACKING_CLIENT_CERT_PATH: files.combined }).targets[0]!;
    expect(t.clientCert).toMatchObject({ path: files.combined, keyPath: files.combined });
  });

  it('--client-cert comes first', () => {
    const t = resolveWith(
      { mlflowUrl: URI, clientCert: files.clientCert, clientKey: files.clientKey },
      { MLFLOW_TRACKING_CLIENT_CERT_PATH: files.combined },
    ).targets[0]!;
    expect(t.clientCert?.path).toBe(files.clientCert);
  });

  it('a certificate without its key in the file is a usage error naming the variable', () => {
    const lines = problemsOf({ mlflowUrl: URI }, { MLFLOW_TRACKING_CLIENT_CERT_PATH: files.clientCert });
    expect(lines.join('\n')).toContain('MLFLOW_TRACKING_CLIENT_CERT_PATH');
  });
});
