import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/config/errors.js';
import { CONFIG_FILE_NAME } from '../../../src/config/load.js';
import { type FlagValues, NO_TARGET, resolveSettings, type Settings } from '../../../src/config/resolve.js';

const CWD = '/work/app';
const FILE_PATH = `${CWD}/${CONFIG_FILE_NAME}`;

interface Arrange {
  flags?: FlagValues;
  env?: Record<string, string | undefined>;
  /** The config file in cwd, as an object (written as JSON) or raw text. */
  file?: unknown;
}

function resolveWith({ flags = {}, env = {}, file }: Arrange): Settings {
  const text = file === undefined ? undefined : typeof file === 'string' ? file : JSON.stringify(file);
  return resolveSettings({ flags, env, cwd: CWD, readFile: (path) => (path === FILE_PATH ? text : undefined) });
}

function problemsOf(arrange: Arrange): string[] {
  try {
    resolveWith(arrange);
  } catch (error) {
    if (error instanceof UsageError) return error.lines;
    throw error;
  }
  throw new Error('expected a UsageError');
}

const STAGING = { registryUrl: 'https://registry.staging.example.com', authUrl: 'https://auth.staging.example.com' };
const PROD = { registryUrl: 'https://registry.hokus.ai/', authUrl: 'https://auth.hokus.ai' };
const twoEnvironments = (extra: Record<string, unknown> = {}) => ({ environments: { staging: STAGING, prod: PROD }, ...extra });

describe('precedence: flag > env > file environment > file defaults > built-in', () => {
  const layers = {
    flags: { env: ['staging'], serviceId: 'from-flag', timeout: '1s' },
    env: { HOKUS_CHECK_SERVICE_ID: 'from-env', HOKUS_CHECK_TIMEOUT: '2s' },
    entry: { serviceId: 'from-entry', timeout: '3s' },
    defaults: { serviceId: 'from-defaults', timeout: '4s' },
  };
  const arrange = (use: { flag?: boolean; env?: boolean; entry?: boolean; defaults?: boolean }): Arrange => ({
    flags: use.flag ? layers.flags : { env: ['staging'] },
    env: use.env ? layers.env : {},
    file: {
      ...(use.defaults ? { defaults: layers.defaults } : {}),
      environments: { staging: { ...STAGING, ...(use.entry ? layers.entry : {}) } },
    },
  });

  it.each([
    ['a flag beats env, file environment and defaults', { flag: true, env: true, entry: true, defaults: true }, 'from-flag', 1000],
    ['an env var beats the file', { env: true, entry: true, defaults: true }, 'from-env', 2000],
    ['the file environment beats file defaults', { entry: true, defaults: true }, 'from-entry', 3000],
    ['file defaults beat built-in defaults', { defaults: true }, 'from-defaults', 4000],
    ['built-in defaults apply last', {}, 'platform', 10_000],
  ])('%s', (_, use, serviceId, timeoutMs) => {
    const settings = resolveWith(arrange(use));
    expect(settings.targets[0]?.serviceId).toBe(serviceId);
    expect(settings.check.timeoutMs).toBe(timeoutMs);
  });

  it('fills every built-in default when only a registry URL is given', () => {
    const settings = resolveWith({ flags: { registryUrl: 'https://registry.hokus.ai' } });
    expect(settings.targets).toEqual([
      {
        name: 'default',
        kind: 'hokusai',
        registryUrl: 'https://registry.hokus.ai',
        mlflowPath: '/api/mlflow',
        serviceId: 'platform',
        apiKeyEnv: 'HOKUSAI_API_KEY',
      },
    ]);
    expect(settings.check).toEqual({
      timeoutMs: 10_000,
      connectTimeoutMs: 5_000,
      deadlineMs: 120_000,
      retries: 2,
      artifactSize: 4096,
      registerWaitMs: 30_000,
      registerPollMs: 100,
      waitMs: 0,
      keep: false,
      insecure: false,
      traceContext: true,
    });
    expect(settings.configPath).toBeUndefined();
  });

  it('builds the default target from HOKUS_CHECK_* env vars alone', () => {
    const settings = resolveWith({
      env: {
        HOKUS_CHECK_REGISTRY_URL: 'https://registry.hokus.ai',
        HOKUS_CHECK_AUTH_URL: 'https://auth.hokus.ai',
        HOKUS_CHECK_MLFLOW_PATH: '/mlflow-proxy/',
        HOKUS_CHECK_MLFLOW_DIRECT_URL: 'http://mlflow.internal:5000',
        HOKUS_CHECK_API_KEY_ENV: 'CI_HOKUSAI_KEY',
        HOKUS_CHECK_RETRIES: '0',
        HOKUS_CHECK_CONNECT_TIMEOUT: '750ms',
        HOKUS_CHECK_DEADLINE: '5m',
        HOKUS_CHECK_ARTIFACT_SIZE: '200MiB',
      },
    });
    expect(settings.targets[0]).toMatchObject({
      kind: 'hokusai',
      authUrl: 'https://auth.hokus.ai',
      mlflowPath: '/mlflow-proxy',
      mlflowDirectUrl: 'http://mlflow.internal:5000',
      apiKeyEnv: 'CI_HOKUSAI_KEY',
    });
    expect(settings.check).toMatchObject({ retries: 0, connectTimeoutMs: 750, deadlineMs: 300_000, artifactSize: 209_715_200 });
  });

  it('treats an env var set to the empty string as unset', () => {
    const settings = resolveWith({
      flags: { registryUrl: 'https://registry.hokus.ai' },
      env: { HOKUS_CHECK_SERVICE_ID: '', HOKUS_CHECK_TIMEOUT: '' },
    });
    expect(settings.targets[0]?.serviceId).toBe('platform');
    expect(settings.check.timeoutMs).toBe(10_000);
  });

  it('uses the file defaults for the default target when no --env is given', () => {
    const settings = resolveWith({
      flags: { registryUrl: 'https://r.example.com' },
      file: { defaults: { serviceId: 'ml-platform' }, environments: {} },
    });
    expect(settings.targets[0]).toMatchObject({ name: 'default', serviceId: 'ml-platform' });
    expect(settings.configPath).toBe(FILE_PATH);
  });

  it('passes the flag-only options through', () => {
    const settings = resolveWith({
      flags: { registryUrl: 'https://r.example.com', wait: '5m', keep: true, insecure: true, caFile: 'certs/ca.pem', registerWait: '0' },
    });
    expect(settings.check).toMatchObject({ waitMs: 300_000, keep: true, insecure: true, caFile: `${CWD}/certs/ca.pem`, registerWaitMs: 0 });
  });
});

describe('several --env', () => {
  it('makes one target per environment, in the order given, with trailing slashes removed', () => {
    const settings = resolveWith({ flags: { env: ['prod', 'staging'] }, file: twoEnvironments() });
    expect(settings.targets.map((t) => [t.name, t.registryUrl])).toEqual([
      ['prod', 'https://registry.hokus.ai'],
      ['staging', 'https://registry.staging.example.com'],
    ]);
  });

  it('reads comma lists from --env and HOKUS_CHECK_ENV, dropping repeats', () => {
    expect(resolveWith({ flags: { env: ['staging,prod', 'staging'] }, file: twoEnvironments() }).targets.map((t) => t.name)).toEqual([
      'staging',
      'prod',
    ]);
    expect(resolveWith({ env: { HOKUS_CHECK_ENV: 'prod, staging' }, file: twoEnvironments() }).targets.map((t) => t.name)).toEqual([
      'prod',
      'staging',
    ]);
  });

  it("treats an empty --env list (commander's default) as not given, and an empty name as a mistake", () => {
    expect(
      resolveWith({ flags: { env: [] }, env: { HOKUS_CHECK_ENV: 'prod' }, file: twoEnvironments() }).targets.map((t) => t.name),
    ).toEqual(['prod']);
    expect(problemsOf({ flags: { env: [''] }, file: twoEnvironments() })).toEqual(['--env: no environment name given']);
  });

  it('lets --env beat HOKUS_CHECK_ENV', () => {
    expect(
      resolveWith({ flags: { env: ['prod'] }, env: { HOKUS_CHECK_ENV: 'staging' }, file: twoEnvironments() }).targets.map((t) => t.name),
    ).toEqual(['prod']);
  });

  it('applies target fields given by flag or env var to every environment', () => {
    const settings = resolveWith({
      flags: { env: ['staging,prod'], serviceId: 'ml-platform' },
      env: { HOKUS_CHECK_API_KEY_ENV: 'CI_KEY' },
      file: twoEnvironments(),
    });
    expect(settings.targets.map((t) => [t.name, t.serviceId, t.apiKeyEnv, t.authUrl])).toEqual([
      ['staging', 'ml-platform', 'CI_KEY', 'https://auth.staging.example.com'],
      ['prod', 'ml-platform', 'CI_KEY', 'https://auth.hokus.ai'],
    ]);
  });

  it('refuses check options that differ between the selected environments', () => {
    const file = { environments: { staging: { ...STAGING, timeout: '10s' }, prod: { ...PROD, timeout: '30s' } } };
    expect(problemsOf({ flags: { env: ['staging,prod'] }, file })).toEqual([
      'timeout differs between the selected environments (staging: 10s, prod: 30s); one run uses one value: set it in "defaults" or pass --timeout',
    ]);
    expect(resolveWith({ flags: { env: ['staging,prod'], timeout: '20s' }, file }).check.timeoutMs).toBe(20_000);
    expect(resolveWith({ flags: { env: ['prod'] }, file }).check.timeoutMs).toBe(30_000);
  });
});

describe('environments that cannot be used', () => {
  it('names an unknown --env and lists the environments defined', () => {
    expect(problemsOf({ flags: { env: ['stagin'] }, file: twoEnvironments() })).toEqual([
      `--env "stagin": no such environment in ${CONFIG_FILE_NAME} (did you mean "staging"? defined: staging, prod)`,
    ]);
  });

  it('names every unknown environment, one line each', () => {
    expect(problemsOf({ env: { HOKUS_CHECK_ENV: 'qa,dev' }, file: twoEnvironments() })).toEqual([
      `HOKUS_CHECK_ENV "qa": no such environment in ${CONFIG_FILE_NAME} (defined: staging, prod)`,
      `HOKUS_CHECK_ENV "dev": no such environment in ${CONFIG_FILE_NAME} (defined: staging, prod)`,
    ]);
  });

  it('says where it looked when --env is given and there is no config file', () => {
    expect(problemsOf({ flags: { env: ['staging'] } })).toEqual([
      `--env "staging": environments are defined in a config file, and there is none (looked for ${FILE_PATH}; give --config PATH, or run hokus-check init to write one)`,
    ]);
  });

  it('names an environment that has no registry and no MLflow URL', () => {
    const file = { environments: { staging: { serviceId: 'platform' } } };
    expect(problemsOf({ flags: { env: ['staging'] }, file })).toEqual([
      `environment "staging": no registryUrl or mlflowUrl: set one in environments.staging (or "defaults") of ${CONFIG_FILE_NAME}, or pass --registry-url / --mlflow-url`,
    ]);
  });

  it('reports a broken config file together with bad flags, and nothing about targets', () => {
    expect(
      problemsOf({ flags: { env: ['staging'], retries: 'three' }, file: { environments: { staging: { registryUrl: 'htp:/x' } } } }),
    ).toEqual([
      `${CONFIG_FILE_NAME}: environments.staging.registryUrl: invalid URL "htp:/x" (expected http(s)://host)`,
      '--retries: "three" is not an integer from 0 to 10',
    ]);
  });

  it('reads the file named by --config, relative to cwd', () => {
    const settings = resolveSettings({
      flags: { config: 'ci/check.json', env: ['prod'] },
      env: {},
      cwd: CWD,
      readFile: (path) => (path === `${CWD}/ci/check.json` ? JSON.stringify(twoEnvironments()) : undefined),
    });
    expect(settings.configPath).toBe(`${CWD}/ci/check.json`);
    expect(settings.targets[0]?.name).toBe('prod');
  });
});

describe('the target', () => {
  it('says what to give when there is no target at all', () => {
    expect(problemsOf({})).toEqual([NO_TARGET]);
    expect(NO_TARGET).toBe(
      'no target: give --registry-url (and --auth-url), --mlflow-url, or --env NAME with a config file (hokus-check init writes one)',
    );
  });

  it('lists the environments of the config file when no target was chosen', () => {
    expect(problemsOf({ file: twoEnvironments() })).toEqual([`${NO_TARGET}; ${CONFIG_FILE_NAME} defines: staging, prod`]);
  });

  it('suggests the scheme for a URL given without one', () => {
    expect(problemsOf({ flags: { registryUrl: 'registry.hokus.ai' } })).toEqual([
      '--registry-url: "registry.hokus.ai" is not a URL; did you mean https://registry.hokus.ai?',
    ]);
    expect(problemsOf({ flags: { mlflowUrl: 'localhost:5000' } })).toEqual([
      '--mlflow-url: "localhost:5000" is not a URL; did you mean http://localhost:5000?',
    ]);
  });

  it('names bad URLs by the env var that gave them', () => {
    expect(problemsOf({ env: { HOKUS_CHECK_REGISTRY_URL: 'ftp://registry.hokus.ai' } })).toEqual([
      'HOKUS_CHECK_REGISTRY_URL: invalid URL "ftp://registry.hokus.ai" (expected http(s)://host)',
    ]);
  });

  it('runs without an auth URL (the auth step is then skipped)', () => {
    const target = resolveWith({ flags: { registryUrl: 'https://registry.hokus.ai' } }).targets[0];
    expect(target?.authUrl).toBeUndefined();
    expect(target?.kind).toBe('hokusai');
  });

  it('refuses an auth URL without a registry URL', () => {
    expect(problemsOf({ flags: { authUrl: 'https://auth.hokus.ai' } })).toEqual([
      '--auth-url needs a registry URL too: give --registry-url',
    ]);
  });

  it('normalises the MLflow path and refuses one without a leading slash', () => {
    expect(resolveWith({ flags: { registryUrl: 'https://r.example.com', mlflowPath: '/api/mlflow/' } }).targets[0]?.mlflowPath).toBe(
      '/api/mlflow',
    );
    expect(problemsOf({ flags: { registryUrl: 'https://r.example.com', mlflowPath: 'api/mlflow' } })).toEqual([
      '--mlflow-path: "api/mlflow" must start with "/" (e.g. "/api/mlflow")',
    ]);
  });

  it('refuses a key given where the env var NAME belongs, without echoing it', () => {
    const key = `hk_test_${Math.random().toString(36).slice(2)}`;
    const lines = problemsOf({ flags: { registryUrl: 'https://r.example.com', apiKeyEnv: key } });
    expect(lines).toEqual(['--api-key-env: takes the NAME of an env var holding the key (e.g. HOKUSAI_API_KEY), not the key itself']);
  });
});

describe('--mlflow-url: a plain MLflow target', () => {
  it('makes a target of kind mlflow with no registry, auth or proxy path', () => {
    const settings = resolveWith({ flags: { mlflowUrl: 'http://127.0.0.1:5000/' } });
    expect(settings.targets).toEqual([
      {
        name: 'default',
        kind: 'mlflow',
        mlflowUrl: 'http://127.0.0.1:5000',
        mlflowPath: '',
        serviceId: 'platform',
        apiKeyEnv: 'HOKUSAI_API_KEY',
      },
    ]);
  });

  it('refuses --mlflow-url together with a registry or auth URL, in one line', () => {
    expect(
      problemsOf({ flags: { mlflowUrl: 'http://m.example.com', registryUrl: 'https://r.example.com', authUrl: 'https://a.example.com' } }),
    ).toEqual([
      '--mlflow-url cannot be used together with --registry-url and --auth-url: mlflowUrl checks a plain MLflow server, registryUrl/authUrl a Hokusai deployment',
    ]);
  });

  it('refuses --mlflow-url on an environment that has a registry URL', () => {
    expect(problemsOf({ flags: { env: ['prod'], mlflowUrl: 'http://m.example.com' }, file: twoEnvironments() })).toEqual([
      `environment "prod": --mlflow-url cannot be used together with environments.prod.registryUrl in ${CONFIG_FILE_NAME} and environments.prod.authUrl in ${CONFIG_FILE_NAME}: mlflowUrl checks a plain MLflow server, registryUrl/authUrl a Hokusai deployment`,
    ]);
  });

  it('lets an environment with mlflowUrl ignore a registry URL in the file defaults', () => {
    const file = {
      defaults: { authUrl: 'https://auth.hokus.ai', mlflowPath: '/api/mlflow' },
      environments: { local: { mlflowUrl: 'http://localhost:5000' } },
    };
    expect(resolveWith({ flags: { env: ['local'] }, file }).targets[0]).toMatchObject({
      kind: 'mlflow',
      mlflowUrl: 'http://localhost:5000',
      mlflowPath: '',
    });
  });

  it('refuses --mlflow-path with --mlflow-url', () => {
    expect(problemsOf({ flags: { mlflowUrl: 'http://m.example.com', mlflowPath: '/api/mlflow' } })).toEqual([
      '--mlflow-path does not apply to a plain MLflow server (mlflowUrl): put any path prefix in the URL itself',
    ]);
  });
});

describe('--only and --skip', () => {
  const target = { registryUrl: 'https://r.example.com' };

  it('reads comma lists of step ids', () => {
    expect(resolveWith({ flags: { ...target, only: 'auth, health' } }).only).toEqual(['auth', 'health']);
    expect(resolveWith({ flags: { ...target, skip: 'artifact,register' } }).skip).toEqual(['artifact', 'register']);
    expect(resolveWith({ flags: target }).only).toBeUndefined();
  });

  it('names an unknown step id and lists the valid ones', () => {
    expect(problemsOf({ flags: { ...target, skip: 'artefact' } })).toEqual([
      '--skip: unknown step "artefact" (did you mean "artifact"? steps: auth, health, experiments, run, artifact, register, cleanup)',
    ]);
  });

  it('refuses both at once', () => {
    expect(problemsOf({ flags: { ...target, only: 'auth', skip: 'health' } })).toEqual([
      '--only and --skip cannot be used together: pick the steps to run, or the steps to leave out',
    ]);
  });
});

describe('option values', () => {
  const target = { registryUrl: 'https://r.example.com' };

  it.each([
    [{ timeout: '0' }, '--timeout: "0" must be more than 0'],
    [{ deadline: 'soon' }, '--deadline: invalid duration "soon" (expected e.g. 500ms, 10s, 5m, 1h30m; a bare number is seconds)'],
    [{ retries: '2.5' }, '--retries: "2.5" is not an integer from 0 to 10'],
    [{ artifactSize: '0' }, '--artifact-size: "0" must be at least 1 byte'],
    [{ wait: '-5m' }, '--wait: invalid duration "-5m" (expected e.g. 500ms, 10s, 5m, 1h30m; a bare number is seconds)'],
    [{ serviceId: 'plat form' }, '--service-id: "plat form" must not contain whitespace'],
  ])('%j → %s', (flags, line) => {
    expect(problemsOf({ flags: { ...target, ...flags } })).toEqual([line]);
  });
});
