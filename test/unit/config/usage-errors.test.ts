// What a usage error may quote: never a secret the run was given (the key, its secret part alone, 8
// characters of it; a URL's credentials), and never a workflow command (src/fatal.ts writes it raw to
// stderr, which CI reads).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UsageError, withoutSecrets } from '../../../src/config/errors.js';
import { resolveSettings } from '../../../src/config/resolve.js';
import { urlProblem, withoutUserinfo } from '../../../src/config/urls.js';
import { defused, reportFatal } from '../../../src/fatal.js';
import { defuseCommands } from '../../../src/http/redact.js';

const key = `hk_test_${randomBytes(16).toString('hex')}`;
const secret = key.slice(8);

describe('withoutSecrets', () => {
  it('hides the key, its secret part and any 8 characters of it, in any case; keeps the rest', () => {
    const lines = [
      `a "${key}" b`,
      `x ${secret.toUpperCase()} y`,
      `--service-id: "svc ${secret.slice(5, 17)}" must not contain whitespace`,
      'nothing here',
    ];
    expect(withoutSecrets(lines, [key])).toEqual([
      'a "hk_test_<redacted>" b',
      'x <redacted> y',
      '--service-id: "svc <redacted>" must not contain whitespace',
      'nothing here',
    ]);
    expect(withoutSecrets([`short ${secret.slice(0, 7)}`], [key])).toEqual([`short ${secret.slice(0, 7)}`]);
  });

  it('hides a short password whole, and ignores secrets too short to mean anything', () => {
    expect(withoutSecrets(['p "s3cr3t" and "s3cr3"'], ['s3cr3t'])).toEqual(['p "<redacted>" and "s3cr3"']);
    expect(withoutSecrets(['a b c'], ['a', 'ab', ''])).toEqual(['a b c']);
  });
});

describe('URLs in messages', () => {
  it('an unparsable URL is shown without its credentials (and without its query)', () => {
    expect(urlProblem('https://deploy:s3cr3t@exa mple.com')).toBe(
      'invalid URL "https://…@exa mple.com" (credentials not shown) (expected http(s)://host)',
    );
    expect(urlProblem('https://u:pw@exa mple.com/x?token=abc')).toBe(
      'invalid URL "https://…@exa mple.com/x?…" (credentials and query not shown) (expected http(s)://host)',
    );
    expect(urlProblem('deploy:s3cr3t@registry.example')).not.toContain('s3cr3t');
    expect(urlProblem('registry.example')).toBe('"registry.example" is not a URL; did you mean https://registry.example?');
    expect(withoutUserinfo('https://host/path@x')).toBe('https://host/path@x');
  });

  it('resolveSettings hides the password of one URL from the error of another field', () => {
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const err = (() => {
      try {
        resolveSettings({
          flags: { registryUrl: `https://u:${password}@r.example`, mlflowPath: password },
          env: {},
          cwd: '/',
          readFile: () => undefined,
        });
      } catch (e) {
        return e as UsageError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.lines.join('\n')).not.toContain(password);
    expect(err!.lines).toContain('--mlflow-path: "<redacted>" must start with "/" (e.g. "/api/mlflow")');
  });

  it('resolveSettings hides the key of the variable it names, from a variable of its own', () => {
    const env = { MY_KEY: key, HOKUS_CHECK_SERVICE_ID: `a ${secret}` };
    expect(() =>
      resolveSettings({ flags: { registryUrl: 'https://r.example', apiKeyEnv: 'MY_KEY' }, env, cwd: '/', readFile: () => undefined }),
    ).toThrow(new UsageError(['HOKUS_CHECK_SERVICE_ID: "a <redacted>" must not contain whitespace']));
  });
});

describe('reportFatal', () => {
  const corpus = [
    '##[stop-commands]tok',
    'x ##[error]y',
    '###[a]',
    '::warning::w',
    ' \t::e',
    'a\n::set-output name=a::b\n  ##[add-mask]e',
    'fine :: here #[x]',
  ];

  it('defuses as the last pass does (it may not import it)', () => {
    for (const text of corpus) expect(defused(text)).toBe(defuseCommands(text));
  });

  it('writes no workflow command, for a usage error or an internal one (its stack included)', () => {
    const out: string[] = [];
    const stderr = { write: (s: string) => out.push(s), debug: true };
    expect(reportFatal(new UsageError(['--mlflow-path: "##[stop-commands]tok" must start with "/"', 'x\n::error::y']), stderr)).toBe(2);
    const internal = new Error('boom ##[add-mask]e\n::error::forged');
    expect(reportFatal(internal, stderr)).toBe(4);
    const lines = out.join('').split('\n');
    expect(lines.filter((l) => /^\s*::/.test(l) || l.includes('##['))).toEqual([]);
    expect(out.join('')).toContain('stop-commands]tok');
  });
});
