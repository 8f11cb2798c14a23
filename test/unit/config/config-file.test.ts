import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/config/errors.js';
import { exampleConfig } from '../../../src/config/example.js';
import { ConfigFileSchema, validateConfig } from '../../../src/config/file-schema.js';
import { CONFIG_FILE_NAME, loadConfigFile, parseConfigText } from '../../../src/config/load.js';

const FILE = CONFIG_FILE_NAME;

/** The UsageError lines parseConfigText throws for `text`. */
function problemsOf(text: string, label = FILE): string[] {
  try {
    parseConfigText(text, label);
  } catch (error) {
    if (error instanceof UsageError) return error.lines;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

const withStaging = (staging: Record<string, unknown>) => JSON.stringify({ environments: { staging } }, null, 2);
const randomKey = () => `hk_test_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

describe('config file: one precise line per problem, naming its JSON path', () => {
  it('names a URL with a mistyped scheme', () => {
    expect(problemsOf(withStaging({ registryUrl: 'htp:/x' }))).toEqual([
      `${FILE}: environments.staging.registryUrl: invalid URL "htp:/x" (expected http(s)://host)`,
    ]);
  });

  it('names an unknown key and suggests the one meant ("registryURL")', () => {
    expect(problemsOf(withStaging({ registryURL: 'https://registry.hokus.ai' }))).toEqual([
      `${FILE}: environments.staging.registryURL: unknown key (did you mean "registryUrl"?)`,
    ]);
  });

  it('refuses an API key written in the file, without echoing it', () => {
    const key = randomKey();
    const lines = problemsOf(withStaging({ registryUrl: 'https://registry.hokus.ai', apiKey: key }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hokus-check\.config\.json: environments\.staging\.apiKey: the API key never lives in the config file/);
    expect(lines[0]).toContain('apiKeyEnv');
    expect(lines.join('\n')).not.toContain(key);
  });

  it('refuses a key-shaped value under any field name, without echoing it', () => {
    const key = randomKey();
    const lines = problemsOf(withStaging({ registryUrl: 'https://registry.hokus.ai', serviceId: key }));
    expect(lines).toEqual([expect.stringMatching(/^hokus-check\.config\.json: environments\.staging\.serviceId: looks like an API key/)]);
    expect(lines.join('\n')).not.toContain(key);
  });

  it.each(['token', 'key', 'api_key'])('refuses a field named %j as a key', (field) => {
    const lines = problemsOf(withStaging({ [field]: 'x' }));
    expect(lines).toEqual([expect.stringContaining(`environments.staging.${field}: the API key never lives in the config file`)]);
  });

  it('names a bad duration', () => {
    expect(problemsOf(withStaging({ timeout: '10 seconds' }))).toEqual([
      `${FILE}: environments.staging.timeout: invalid duration "10 seconds" (expected e.g. 500ms, 10s, 5m, 1h30m; a bare number is seconds)`,
    ]);
  });

  it('names retries that are not an integer', () => {
    expect(problemsOf(JSON.stringify({ defaults: { retries: 1.5 }, environments: {} }))).toEqual([
      `${FILE}: defaults.retries: 1.5 is not an integer from 0 to 10`,
    ]);
  });

  it('names retries given as a string', () => {
    expect(problemsOf(JSON.stringify({ defaults: { retries: '2' }, environments: {} }))).toEqual([
      `${FILE}: defaults.retries: expected an integer from 0 to 10, got a string`,
    ]);
  });

  it('reports every problem at once, in the order they appear in the file', () => {
    const text = JSON.stringify({
      defaults: { deadline: '0s' },
      environments: {
        staging: { registryUrl: 'registry.staging.example.com', registryURL: 'x' },
        prod: { artifactSize: '200M', mlflowPath: 'api/mlflow' },
      },
    });
    expect(problemsOf(text)).toEqual([
      `${FILE}: defaults.deadline: "0s" must be more than 0`,
      `${FILE}: environments.staging.registryUrl: "registry.staging.example.com" is not a URL; did you mean https://registry.staging.example.com?`,
      `${FILE}: environments.staging.registryURL: unknown key (did you mean "registryUrl"?)`,
      expect.stringContaining(`${FILE}: environments.prod.artifactSize: invalid size "200M"`),
      `${FILE}: environments.prod.mlflowPath: "api/mlflow" must start with "/" (e.g. "/api/mlflow")`,
    ]);
  });

  it('names a missing "environments" and a wrong type', () => {
    expect(problemsOf('{}')).toEqual([expect.stringMatching(/^hokus-check\.config\.json: environments: missing/)]);
    expect(problemsOf('{"environments": []}')).toEqual([`${FILE}: environments: expected an object of named environments, got a list`]);
    expect(problemsOf('[]')).toEqual([`${FILE}: expected a JSON object at the top level, got a list`]);
  });

  it('points a "//" comment key at "$comment"', () => {
    expect(problemsOf(withStaging({ '//': 'staging hosts' }))).toEqual([
      `${FILE}: environments.staging["//"]: unknown key (JSON has no comments; use "$comment")`,
    ]);
  });

  it('refuses a URL with credentials without echoing them', () => {
    const lines = problemsOf(withStaging({ registryUrl: 'https://admin:s3cret@registry.hokus.ai' }));
    expect(lines).toEqual([`${FILE}: environments.staging.registryUrl: must not contain credentials (user:password@)`]);
  });

  it('names the file as given by --config', () => {
    expect(problemsOf(withStaging({ registryUrl: 'htp:/x' }), 'ci/check.json')[0]).toMatch(
      /^ci\/check\.json: environments\.staging\.registryUrl: /,
    );
  });
});

describe('config file: invalid JSON gets one line with line:column', () => {
  it.each([
    ['{\n  "environments": {\n    "staging": { "registryUrl": "https://x", },\n  }\n}', '3:44', "trailing comma before '}'"],
    ['{\n  "environments": {\n    "staging": { "registryUrl": "https://x" }\n    "prod": {}\n  }\n}', '4:5', "expected ',' or '}'"],
    ['{\n  // staging\n  "environments": {}\n}', '2:3', 'comments are not allowed in JSON'],
    ["{\n  'environments': {}\n}", '2:3', 'property names must use double quotes'],
    [
      '{\n  "environments": {\n    "staging": { "timeout": 10s }\n  }\n}',
      '3:29',
      'unquoted text where a value was expected (strings need double quotes, e.g. "10s")',
    ],
    ['{"environments": {', '1:19', 'unexpected end of file'],
    ['', '1:1', 'unexpected end of file, expected a value'],
  ])('%j → %s', (text, position, reason) => {
    const lines = problemsOf(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^hokus-check\\.config\\.json:${position}: invalid JSON: `));
    expect(lines[0]).toContain(reason);
  });

  it('does not quote the text around the error (it could hold a key)', () => {
    const key = randomKey();
    const lines = problemsOf(`{"environments": {"staging": {"serviceId": ${key}}}}`);
    expect(lines).toEqual([`${FILE}:1:44: invalid JSON: unquoted text where a value was expected (strings need double quotes)`]);
  });

  it('accepts a byte-order mark', () => {
    expect(parseConfigText('\uFEFF{"environments": {}}', FILE)).toEqual({ environments: {} });
  });
});

describe('config file: finding it', () => {
  it('reads ./hokus-check.config.json from cwd when --config is not given', () => {
    const loaded = loadConfigFile({
      cwd: '/work/app',
      readFile: (path) => (path === `/work/app/${FILE}` ? '{"environments": {}}' : undefined),
    });
    expect(loaded).toMatchObject({ path: `/work/app/${FILE}`, label: FILE });
  });

  it('is fine with no file when none was asked for', () => {
    expect(loadConfigFile({ cwd: '/work/app', readFile: () => undefined })).toBeUndefined();
  });

  it('names a --config file that cannot be read', () => {
    expect(() => loadConfigFile({ configFlag: 'ci/check.json', cwd: '/work/app', readFile: () => undefined })).toThrow(
      '--config "ci/check.json": cannot read /work/app/ci/check.json (no such file, or not readable)',
    );
  });
});

describe('exampleConfig (hokus-check init)', () => {
  it('is valid JSON that the schema accepts, with two environments and defaults', () => {
    const data: unknown = JSON.parse(exampleConfig());
    expect(validateConfig(data).problems).toEqual([]);
    const config = ConfigFileSchema.parse(data);
    expect(Object.keys(config.environments)).toEqual(['staging', 'prod']);
    expect(config.defaults).toBeDefined();
    expect(config.$comment).toBeDefined();
  });

  it('names the key only through apiKeyEnv', () => {
    const text = exampleConfig();
    expect(text).not.toMatch(/hk_(live|test)_/);
    expect(text).not.toMatch(/"(apiKey|key|token)"/);
    expect(text).toContain('"apiKeyEnv"');
  });

  it('accepts "$schema" and "$comment"', () => {
    expect(
      validateConfig({ $schema: 'https://example.com/s.json', $comment: 'x', environments: { a: { $comment: ['y'] } } }).problems,
    ).toEqual([]);
  });
});
