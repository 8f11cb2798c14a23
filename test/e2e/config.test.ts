// The config file end to end: malformed files rejected with one precise line each (exit 2), `init`,
// precedence (flag > HOKUS_CHECK_* > file), and several environments checked side by side.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { generateTestKey, startStack, type Stack } from '../../src/sim/stack.js';
import { stackArgs } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { refusingUrl } from '../helpers/ports.js';
import { readReport } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** Nothing listens there (a port the OS gave out and that was closed again): refused at once. */
const DEAD = await refusingUrl();

function writeConfig(name: string, config: unknown): string {
  const path = tmp.file(name);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return path;
}

describe('a malformed config file', () => {
  const key = generateTestKey();
  const cases: Array<[string, unknown, string]> = [
    [
      'a URL without a scheme',
      { environments: { staging: { registryUrl: 'registry.hokus.ai' } } },
      'environments.staging.registryUrl: "registry.hokus.ai" is not a URL; did you mean https://registry.hokus.ai?',
    ],
    [
      'a misspelt key',
      { environments: { staging: { registryURL: 'https://registry.hokus.ai' } } },
      'environments.staging.registryURL: unknown key (did you mean "registryUrl"?)',
    ],
    [
      'an API key written into the file',
      { environments: { staging: { registryUrl: 'https://registry.hokus.ai', apiKey: key } } },
      'environments.staging.apiKey: the API key never lives in the config file: remove it, keep the key in an env var and name that var with "apiKeyEnv" (default HOKUSAI_API_KEY)',
    ],
    [
      'a duration that is not one',
      { defaults: { timeout: 'soon' }, environments: { staging: { registryUrl: 'https://registry.hokus.ai' } } },
      'defaults.timeout: invalid duration "soon" (expected e.g. 500ms, 10s, 5m, 1h30m; a bare number is seconds)',
    ],
    [
      'a fractional retry count',
      { environments: { staging: { registryUrl: 'https://registry.hokus.ai', retries: 1.5 } } },
      'environments.staging.retries: 1.5 is not an integer from 0 to 10',
    ],
    [
      'invalid JSON (a trailing comma)',
      '{\n  "environments": {\n    "staging": {"registryUrl": "https://registry.hokus.ai",}\n  }\n}\n',
      ":3:59: invalid JSON: trailing comma before '}' (JSON allows none)",
    ],
  ];

  for (const [what, config, message] of cases) {
    it(`exits 2 with one line naming the JSON path for ${what}`, async () => {
      const file = writeConfig(`bad-${what.replace(/\W+/g, '-')}.json`, config);
      const run = await runInProcess(['--config', file, '--env', 'staging'], { env: { HOKUSAI_API_KEY: generateTestKey() } });
      expect(run.code, run.all).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      const sep = message.startsWith(':') ? '' : ': ';
      expect(lines[0]).toBe(`hokus-check: ${file}${sep}${message}`);
      expect(run.all).not.toContain(key);
    });
  }
});

describe('hokus-check init', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('writes a config that validates, and whose staging environment checks a deployment once its hosts are filled in', async () => {
    const cwd = tmp.file('init-ok');
    mkdirSync(cwd);
    const init = await runInProcess(['init'], { cwd });
    expect(init.code, init.all).toBe(0);
    expect(init.stdout).toMatch(/^wrote hokus-check\.config\.json/);
    const text = readFileSync(`${cwd}/hokus-check.config.json`, 'utf8');
    expect(Object.keys(parseConfigText(text, 'init').environments)).toEqual(['staging', 'prod']);
    expect(text).not.toMatch(/hk_(live|test)_/);

    // The file in cwd is found without --config; the placeholders are overridden by flag, and the
    // key comes from the variable the staging environment names.
    const json = `${cwd}/report.json`;
    const run = await runInProcess(['--env', 'staging', ...stackArgs(stack), '--json', json], {
      cwd,
      env: { HOKUSAI_STAGING_API_KEY: stack.apiKey },
    });
    expect(run.code, run.all).toBe(0);
    const report = readReport(json);
    expect(report.targets.map((t) => [t.name, t.registryUrl, t.verdict])).toEqual([['staging', stack.registryUrl, 'pass']]);
  });

  it('fails only on the placeholder hosts when they are left in', async () => {
    const cwd = tmp.file('init-placeholders');
    mkdirSync(cwd);
    expect((await runInProcess(['init'], { cwd })).code).toBe(0);
    // The placeholder host is made unreachable without a DNS lookup: an HTTP proxy env that refuses.
    const run = await runInProcess(['--env', 'staging', '--only', 'health', '--retries', '0', '--timeout', '2s'], {
      cwd,
      env: { HOKUSAI_STAGING_API_KEY: generateTestKey(), HTTPS_PROXY: DEAD, HTTP_PROXY: DEAD },
    });
    expect(run.code, run.all).toBe(3);
    expect(run.stdout).toContain('registry.staging.example.com');
    expect(run.stderr).not.toMatch(/config|environments\./);
  });

  it('refuses to overwrite an existing file without --force, and overwrites it with --force', async () => {
    const file = writeConfig('mine.json', '{"environments": {}}\n');
    const refused = await runInProcess(['init', file]);
    expect(refused.code, refused.all).toBe(2);
    expect(refused.stderr).toBe(`hokus-check: ${file} exists; use --force to overwrite it\n`);
    expect(readFileSync(file, 'utf8')).toBe('{"environments": {}}\n');

    const forced = await runInProcess(['init', file, '--force']);
    expect(forced.code, forced.all).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('"staging"');
  });
});

describe('precedence: flag > HOKUS_CHECK_* env var > config file', () => {
  let stack: Stack;
  let config: string;
  beforeAll(async () => {
    stack = await startStack();
    config = writeConfig('precedence.json', { environments: { staging: { registryUrl: DEAD, authUrl: stack.authUrl } } });
  });
  afterAll(() => stack.close());

  const registryOf = (json: string) => readReport(json).targets[0]!.registryUrl;

  it('uses HOKUS_CHECK_REGISTRY_URL over the file when no flag is given', async () => {
    const json = tmp.file('prec-env.json');
    const run = await runInProcess(['--config', config, '--env', 'staging', '--json', json], {
      env: { HOKUSAI_API_KEY: stack.apiKey, HOKUS_CHECK_REGISTRY_URL: stack.registryUrl },
    });
    expect(run.code, run.all).toBe(0);
    expect(registryOf(json)).toBe(stack.registryUrl);
  });

  it('uses --registry-url over HOKUS_CHECK_REGISTRY_URL', async () => {
    const json = tmp.file('prec-flag.json');
    const run = await runInProcess(['--config', config, '--env', 'staging', '--registry-url', stack.registryUrl, '--json', json], {
      env: { HOKUSAI_API_KEY: stack.apiKey, HOKUS_CHECK_REGISTRY_URL: DEAD },
    });
    expect(run.code, run.all).toBe(0);
    expect(registryOf(json)).toBe(stack.registryUrl);
  });

  it('uses the file when neither is given (and so reaches the dead URL it names)', async () => {
    const json = tmp.file('prec-file.json');
    const run = await runInProcess(['--config', config, '--env', 'staging', '--json', json, '--retries', '0'], {
      env: { HOKUSAI_API_KEY: stack.apiKey },
    });
    // The file's auth URL is live and answered: the dead registry is a failure (1), not "unreachable" (3).
    expect(run.code, run.all).toBe(1);
    expect(registryOf(json)).toBe(DEAD);
  });
});

describe('two environments in one run', () => {
  let healthy: Stack;
  let incident: Stack;
  let config: string;
  beforeAll(async () => {
    [healthy, incident] = await Promise.all([startStack(), startStack({ faults: ['artifacts-misrouted'] })]);
    config = writeConfig('two.json', {
      environments: {
        healthy: { registryUrl: healthy.registryUrl, authUrl: healthy.authUrl, apiKeyEnv: 'KEY_HEALTHY' },
        incident: { registryUrl: incident.registryUrl, authUrl: incident.authUrl, apiKeyEnv: 'KEY_INCIDENT' },
      },
    });
  });
  afterAll(() => Promise.all([healthy.close(), incident.close()]));

  it('checks both, shows one matrix column per environment, and exits 1 for the faulty one', async () => {
    const json = tmp.file('two-report.json');
    const run = await runInProcess(['--config', config, '--env', 'healthy', '--env', 'incident', '--json', json], {
      env: { KEY_HEALTHY: healthy.apiKey, KEY_INCIDENT: incident.apiKey },
    });
    expect(run.code, run.all).toBe(1);
    const header = run.stdout.split('\n').find((l) => /^\s*step\s/.test(l));
    expect(header, run.stdout).toMatch(/^\s*step\s+healthy\s+incident\b/);
    expect(run.stdout).toMatch(/^\s*artifact\s+✔ pass\s+\S+\s+✖ fail/m);

    const report = readReport(json);
    expect(report.verdict).toBe('fail');
    expect(report.targets.map((t) => [t.name, t.registryUrl, t.verdict])).toEqual([
      ['healthy', healthy.registryUrl, 'pass'],
      ['incident', incident.registryUrl, 'fail'],
    ]);
    expect(report.targets[1]!.findings[0]).toMatchObject({ code: 'ROUTE_ARTIFACTS_MISROUTED', rootCause: true });
    // Each environment used the key its apiKeyEnv names (the stacks know different keys).
    expect(report.targets.map((t) => t.steps.find((x) => x.id === 'auth')?.status)).toEqual(['pass', 'pass']);
    expect(report.targets.map((t) => t.key)).toEqual([`hk_test_…${healthy.apiKey.slice(-4)}`, `hk_test_…${incident.apiKey.slice(-4)}`]);
    expect(run.all).not.toContain(healthy.apiKey);
    expect(run.all).not.toContain(incident.apiKey);
  });

  it('exits 2 naming the environments defined when --env names an unknown one', async () => {
    const run = await runInProcess(['--config', config, '--env', 'healthy', '--env', 'incidnet'], {
      env: { KEY_HEALTHY: healthy.apiKey, KEY_INCIDENT: incident.apiKey },
    });
    expect(run.code, run.all).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `hokus-check: --env "incidnet": no such environment in ${config} (did you mean "incident"? defined: healthy, incident)\n`,
    );
  });
});
