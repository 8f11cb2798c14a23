// Usage and config errors never echo a secret: the key — whole, or its secret part alone (the key
// without hk_test_/hk_live_), or 8 characters of it — pasted into a flag, a HOKUS_CHECK_* variable or
// a config file field, and the credentials of a URL (user:password@), even one that does not parse.
// Every error is one line, exit 2, for check, sweep and the exporter. In-process (runInProcess).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/in-process.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const key = `hk_test_${randomBytes(16).toString('hex')}`;
const secretPart = key.slice('hk_test_'.length);
const env = { HOKUSAI_API_KEY: key };

function config(name: string, entry: Record<string, unknown>): string {
  const path = tmp.file(name);
  writeFileSync(path, JSON.stringify({ environments: { prod: { registryUrl: 'http://127.0.0.1:9', ...entry } } }));
  return path;
}

describe('the key in a config field is never echoed', () => {
  it('its secret part in a HOKUS_CHECK_* variable: check and sweep', async () => {
    for (const command of [[], ['sweep']]) {
      const run = await runInProcess([...command, '--registry-url', 'http://127.0.0.1:9'], {
        env: { ...env, HOKUS_CHECK_MLFLOW_PATH: secretPart },
      });
      expect(run.code, `${command.join(' ') || 'check'}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/^hokus-check: HOKUS_CHECK_MLFLOW_PATH: /);
      expect(findLeaks(run.all, key), run.all).toEqual([]);
    }
  });

  it('its secret part, or 12 characters of it, in a field of the config file (check, the exporter), or in a variable (the exporter)', async () => {
    const whole = config('whole.json', { mlflowPath: secretPart });
    const piece = config('piece.json', { serviceId: `svc ${secretPart.slice(3, 15)}` });
    const runs = [
      await runInProcess(['--config', whole, '--env', 'prod'], { env }),
      await runInProcess(['--config', piece, '--env', 'prod'], { env }),
      await runInProcess(['exporter', '--config', config('good.json', {}), '--listen', '127.0.0.1:0'], {
        env: { ...env, HOKUS_CHECK_MLFLOW_PATH: secretPart },
      }),
      // The exporter reads the file before it knows any key of its own: the message is hidden all the same.
      await runInProcess(['exporter', '--config', config('timeout.json', { timeout: secretPart }), '--listen', '127.0.0.1:0'], { env }),
    ];
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2);
      expect(
        run.stderr
          .trimEnd()
          .split('\n')
          .every((l) => l.startsWith('hokus-check: ')),
      ).toBe(true);
      expect(findLeaks(run.all, key), run.all).toEqual([]);
    }
  });

  it('its secret part on the command line is refused like the key, without being echoed', async () => {
    for (const args of [
      ['--registry-url', 'http://127.0.0.1:9', '--mlflow-path', secretPart],
      ['--registry-url', 'http://127.0.0.1:9', '--service-id', secretPart.toUpperCase()],
      ['explain', secretPart],
      ['--config', `./${secretPart}.json`],
    ]) {
      const run = await runInProcess(args, { env });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^hokus-check: an argument holds an API key \(not shown\)/);
      expect(findLeaks(run.all, key), run.all).toEqual([]);
    }
  });
});

describe('URL credentials are never echoed', () => {
  const password = `s3cr3t-${randomBytes(6).toString('hex')}`;
  const noLeak = (text: string) => {
    expect(text).not.toContain(password);
    expect(text).not.toContain(password.slice(0, 10));
    expect(text).not.toContain('deploy:');
  };

  it('an unparsable URL is shown without its userinfo, from a flag, a variable or the config file', async () => {
    const bad = `https://deploy:${password}@exa mple.com`;
    const file = config('bad-url.json', { authUrl: bad });
    const runs = [
      await runInProcess(['--registry-url', bad], { env }),
      await runInProcess(['--registry-url', 'http://127.0.0.1:9'], { env: { ...env, HOKUS_CHECK_AUTH_URL: bad } }),
      await runInProcess(['--config', file, '--env', 'prod'], { env }),
    ];
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/invalid URL "https:\/\/…@exa mple\.com" \(credentials not shown\)/);
      noLeak(run.all);
    }
  });

  it('the password of a URL that parses is not echoed by the error of another field', async () => {
    const run = await runInProcess(['--registry-url', `https://deploy:${password}@registry.example`, '--mlflow-path', `x${password}`], {
      env,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--registry-url: must not contain credentials (user:password@)');
    expect(run.stderr).toMatch(/--mlflow-path: .* must start with "\/"/);
    noLeak(run.all);
  });
});
